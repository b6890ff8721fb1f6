/**
 * The block I/O tuning calls of libvirt's QEMU driver (`qemuDomainGetBlkioParameters`,
 * `qemuDomainSetBlkioParameters` with `virDomainCgroupSetupDomainBlkioParameters`): the
 * `<blkiotune>` weight and per-device values, live through the domain's blkio cgroup (the
 * kernel's answer is what the live definition keeps). Only the privileged (system) driver has
 * them.
 *
 * @module
 */
import {
  BLKIO_DEVICE,
  blkioParameters,
  mergeBlkioDevices,
  parseBlkioDevices,
  setBlkioParameters,
} from "../../../conf/domain/blkio_params.ts";
import type { DomainDef } from "../../../conf/domain/def.ts";
import { kidOrder, section, setChild } from "../../../conf/domain/tune_xml.ts";
import { getDefs } from "../../../conf/objects/domain_obj.ts";
import type { Cgroup } from "../../../util/cgroup/mod.ts";
import { VIR } from "../../../util/constants.ts";
import type { TypedParams } from "../../../util/driver.ts";
import { checkFlags } from "../../../util/errors.ts";
import { validateTypedParams } from "../../../util/typed_params.ts";
import type { QemuDomainObj } from "../domain_private.ts";
import type { QemuDriverState } from "../driver_state.ts";
import { cgroupWith, requirePrivileged, tuningGetterDefs } from "./tuning_access.ts";

/**
 * The live `<blkiotune><weight>` (none for 0, as libvirt prints none).
 *
 * @example
 * ```ts
 * import { setBlkioWeight } from "./blkio.ts";
 * declare const def: import("../../../conf/domain/def.ts").DomainDef;
 * setBlkioWeight(def, 500);
 * ```
 */
export function setBlkioWeight(def: DomainDef, weight: number): void {
  const el = weight
    ? {
      type: "element" as const,
      name: "weight",
      attributes: {},
      children: [{ type: "text" as const, text: String(weight) }],
    }
    : undefined;
  setChild(section(def, "blkiotune", true), "weight", el, kidOrder("blkiotune"));
}

/**
 * `qemuDomainGetBlkioParameters`: the weight the cgroup has and the live per-device values, or
 * the persistent `<blkiotune>`.
 *
 * @example
 * ```ts ignore
 * import { getBlkioParameters } from "./blkio.ts";
 * declare const state: import("../driver_state.ts").QemuDriverState;
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * await getBlkioParameters(state, obj, 0); // { weight: 500, device_weight: "", … }
 * ```
 */
export async function getBlkioParameters(
  state: QemuDriverState,
  obj: QemuDomainObj,
  flags: number,
): Promise<TypedParams> {
  const { live, config } = tuningGetterDefs(
    state,
    obj,
    flags,
    "qemuDomainGetBlkioParameters",
    "CONFIG_UNSUPPORTED",
    "Block I/O",
  );
  if (!live) return blkioParameters(config!);
  const weight = await cgroupWith(obj, "blkio", "blkio cgroup isn't mounted").getBlkioWeight();
  return { ...blkioParameters(live), weight };
}

/**
 * `virDomainCgroupSetupDomainBlkioParameters`: each value goes to the cgroup and what the
 * kernel kept to the live `<blkiotune>`; a value that fails is skipped, the others still
 * apply, and the last failure is the call's.
 */
async function setLive(cgroup: Cgroup, def: DomainDef, params: TypedParams): Promise<void> {
  let failure: unknown;
  for (const [name, value] of Object.entries(params)) {
    try {
      if (name === "weight") {
        await cgroup.setBlkioWeight(Number(value));
        setBlkioWeight(def, await cgroup.getBlkioWeight());
        continue;
      }
      const param = name as keyof typeof BLKIO_DEVICE;
      const devices = parseBlkioDevices(name, String(value));
      const kept: [string, number][] = [];
      for (const [path, n] of devices) {
        kept.push([path, await cgroup.setupBlkioDevice(BLKIO_DEVICE[param], path, n)]);
      }
      mergeBlkioDevices(def, param, kept);
    } catch (err) {
      failure = err;
    }
  }
  if (failure) throw failure;
}

/**
 * `qemuDomainSetBlkioParameters`: live through the cgroup (saved even when a value failed),
 * then in the persistent definition.
 *
 * @example
 * ```ts ignore
 * import { setBlkio } from "./blkio.ts";
 * declare const state: import("../driver_state.ts").QemuDriverState;
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * await setBlkio(state, obj, { device_read_iops_sec: "/dev/loop0,100" }, 1);
 * ```
 */
export async function setBlkio(
  state: QemuDriverState,
  obj: QemuDomainObj,
  params: TypedParams,
  flags: number,
): Promise<void> {
  checkFlags(
    flags,
    VIR.DOMAIN_AFFECT_LIVE | VIR.DOMAIN_AFFECT_CONFIG,
    "qemuDomainSetBlkioParameters",
    "QEMU",
  );
  validateTypedParams(params, {
    weight: "uint",
    ...Object.fromEntries(Object.keys(BLKIO_DEVICE).map((n) => [n, "string" as const])),
  });
  requirePrivileged(state, "CONFIG_UNSUPPORTED", "Block I/O");
  await obj.job.run(async () => {
    const { live, config } = getDefs(obj, flags);
    if (live) {
      const cgroup = cgroupWith(obj, "blkio", "blkio cgroup isn't mounted");
      try {
        await setLive(cgroup, live, params);
      } finally {
        await state.saveStatus(obj);
      }
    }
    if (config) {
      try {
        setBlkioParameters(config, params);
      } finally {
        await state.saveConfig(obj);
      }
    }
  });
}
