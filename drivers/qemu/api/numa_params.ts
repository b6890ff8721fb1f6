/**
 * `qemuDomainGetNumaParameters` / `qemuDomainSetNumaParameters` (`virsh numatune`): the
 * definitions' `<numatune><memory>`, and live the `cpuset.mems` of the domain's emulator, vCPU
 * and IOThread cgroups — system mode only, and only to move a restrictive domain's nodes, as libvirt.
 *
 * @module
 */
import { formatBitmap } from "../../../conf/domain/bitmap.ts";
import { iothreadIdsOf } from "../../../conf/domain/iothreads.ts";
import {
  type NumaChange,
  numaParameters,
  numatuneMode,
  parseNumaParams,
  setNumatune,
} from "../../../conf/domain/numatune_params.ts";
import { getDefs, getOneDef } from "../../../conf/objects/domain_obj.ts";
import { VIR } from "../../../util/constants.ts";
import type { TypedParams } from "../../../util/contract/types.ts";
import { checkFlags, VirError } from "../../../util/errors.ts";
import type { Cgroup } from "../../../util/cgroup/mod.ts";
import type { DomainDef } from "../../../conf/domain/def.ts";
import type { QemuDomainObj } from "../domain_private.ts";
import type { QemuDriverState } from "../driver_state.ts";
import { checkNodesetAvailable } from "../../../util/numa_nodes.ts";
import { cgroupWith, requirePrivileged } from "./tuning_access.ts";

const AFFECT = VIR.DOMAIN_AFFECT_LIVE | VIR.DOMAIN_AFFECT_CONFIG;
const STRICT = 0;
const RESTRICTIVE = 3;

/**
 * The mode and nodeset of the definition `flags` choose.
 *
 * @example
 * ```ts
 * import { getNumaParameters } from "./numa_params.ts";
 * import type { QemuDomainObj } from "../domain_private.ts";
 * declare const obj: QemuDomainObj;
 * getNumaParameters(obj, 0); // { numa_mode: 0, numa_nodeset: "" }
 * ```
 */
export function getNumaParameters(obj: QemuDomainObj, flags: number): TypedParams {
  checkFlags(flags, AFFECT | VIR.TYPED_PARAM_STRING_OKAY, "qemuDomainGetNumaParameters", "QEMU");
  return numaParameters(getOneDef(obj, flags & AFFECT).def);
}

/**
 * `qemuDomainSetNumaParamsLive`: the new nodes for the emulator, each online vCPU and each
 * IOThread.
 */
async function setLiveNodes(obj: QemuDomainObj, cgroup: Cgroup, nodes: number[]) {
  if (numatuneMode(obj.def) !== -1 && numatuneMode(obj.def) !== RESTRICTIVE) {
    throw VirError.report(
      "QEMU",
      "OPERATION_INVALID",
      "change of nodeset for running domain requires restrictive numa mode",
    );
  }
  checkNodesetAvailable(nodes);
  const mems = formatBitmap(nodes);
  await (await cgroup.newThread("emulator", 0, false)).setCpusetMems(mems);
  for (const [i, vcpu] of (obj.vcpus?.ctx.vm.vcpus ?? []).entries()) {
    if (vcpu.online) await (await cgroup.newThread("vcpu", i, false)).setCpusetMems(mems);
  }
  for (const id of iothreadIdsOf(obj.def)) {
    await (await cgroup.newThread("iothread", id, false)).setCpusetMems(mems);
  }
}

/** The live part of the set call, with libvirt's checks in its order. */
async function setLive(
  state: QemuDriverState,
  obj: QemuDomainObj,
  live: DomainDef,
  change: NumaChange,
) {
  requirePrivileged(state, "OPERATION_UNSUPPORTED", "NUMA");
  const cgroup = cgroupWith(obj, "cpuset", "cgroup cpuset controller is not mounted");
  const mode = numatuneMode(live);
  if (change.mode !== -1 && mode !== -1 && mode !== change.mode) {
    throw VirError.report(
      "QEMU",
      "OPERATION_INVALID",
      "can't change numatune mode for running domain",
    );
  }
  if (change.mode === STRICT) {
    const current = numaParameters(live).numa_nodeset || undefined;
    const wanted = change.nodeset ? formatBitmap(change.nodeset) : undefined;
    if (current !== wanted) {
      throw VirError.report(
        "QEMU",
        "OPERATION_INVALID",
        "can't change nodeset for strict mode for running domain",
      );
    }
    return;
  }
  if (change.nodeset) await setLiveNodes(obj, cgroup, change.nodeset);
  setNumatune(live, change);
  await state.saveStatus(obj);
}

/**
 * Changes the mode and nodes in the definitions `flags` choose.
 *
 * @example
 * ```ts
 * import { setNumaParameters } from "./numa_params.ts";
 * import type { QemuDomainObj } from "../domain_private.ts";
 * import type { QemuDriverState } from "../driver_state.ts";
 * declare const state: QemuDriverState;
 * declare const obj: QemuDomainObj;
 * await setNumaParameters(state, obj, { numa_nodeset: "0" }, 2); // --config
 * ```
 */
export async function setNumaParameters(
  state: QemuDriverState,
  obj: QemuDomainObj,
  params: TypedParams,
  flags: number,
): Promise<void> {
  checkFlags(flags, AFFECT, "qemuDomainSetNumaParameters", "QEMU");
  const change = parseNumaParams(params, "QEMU");
  await obj.job.run(async () => {
    const { live, config } = getDefs(obj, flags);
    if (live) await setLive(state, obj, live, change);
    if (config) {
      setNumatune(config, change);
      await state.saveConfig(obj);
    }
  });
}
