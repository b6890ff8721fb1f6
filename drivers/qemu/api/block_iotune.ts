/**
 * `qemuDomainGetBlockIoTune` / `qemuDomainSetBlockIoTune` (`virsh blkdeviotune`): a disk's
 * throttling, live through QMP (`query-block`'s throttle fields, `block_set_io_throttle` on
 * the disk's QOM id) and in the `<iotune>` of the definitions, with libvirt's merging of what
 * is not given, its checks and its TUNABLE event.
 *
 * @module
 */
import { diskByName } from "../../../conf/domain/device_lookup.ts";
import type { DomainDef, XmlElementJSON } from "../../../conf/domain/def.ts";
import {
  IOTUNE_PARAMS,
  IOTUNE_TYPES,
  iotuneHasAny,
  type IotuneInfo,
  iotuneOf,
  setIotune,
} from "../../../conf/domain/iotune.ts";
import { getDefs } from "../../../conf/objects/domain_obj.ts";
import { VIR } from "../../../util/constants.ts";
import type { TypedParams } from "../../../util/contract/types.ts";
import { checkFlags, VirError } from "../../../util/errors.ts";
import { validateTypedParams } from "../../../util/typed_params.ts";
import { child } from "../../../util/xml/mod.ts";
import type { QemuDomainObj } from "../domain_private.ts";
import type { QemuDriverState } from "../driver_state.ts";
import { qdevId } from "./stats_qmp.ts";
import type { QemuMonitor } from "../monitor/qemu_monitor.ts";
import { shareBacking } from "../disk_transient_validate.ts";
import { IOTUNE_MAX } from "../disk_validate.ts";

const AFFECT = VIR.DOMAIN_AFFECT_LIVE | VIR.DOMAIN_AFFECT_CONFIG;

/** libvirt's parameter name → QEMU's throttle field (`qemuMonitorJSONSetBlockIoThrottle`). */
const QMP_FIELD: Record<string, string> = Object.fromEntries(IOTUNE_PARAMS.map((n) => {
  const qmp = n.replace("total_bytes_sec", "bps").replace("read_bytes_sec", "bps_rd")
    .replace("write_bytes_sec", "bps_wr").replace("total_iops_sec", "iops")
    .replace("read_iops_sec", "iops_rd").replace("write_iops_sec", "iops_wr")
    .replace("size_iops_sec", "iops_size").replace("group_name", "group");
  return [n, qmp];
}));

/** The families libvirt keeps together: setting one member replaces the whole family. */
const FAMILIES: string[][] = [
  ["total_bytes_sec", "read_bytes_sec", "write_bytes_sec"],
  ["total_bytes_sec_max", "read_bytes_sec_max", "write_bytes_sec_max"],
  ["total_iops_sec", "read_iops_sec", "write_iops_sec"],
  ["total_iops_sec_max", "read_iops_sec_max", "write_iops_sec_max"],
  ["size_iops_sec"],
  ["group_name"],
];
const LENGTHS = ["bytes_sec", "iops_sec"].map((k) =>
  ["total", "read", "write"].map((d) => `${d}_${k}`)
);

function disk(def: DomainDef, path: string, message: string): XmlElementJSON {
  const el = diskByName(def, path, false);
  if (!el) throw VirError.report("QEMU", "INVALID_ARG", message);
  return el;
}

/** The QOM id QEMU knows the disk's frontend by. */
function qomId(el: XmlElementJSON): string {
  const alias = child(el, "alias")?.attributes.name ?? "";
  const bus = child(el, "target")?.attributes.bus;
  return bus === "virtio" ? `/machine/peripheral/${alias}/virtio-backend` : alias;
}

/**
 * The throttling of disk `path`: QEMU's live values, or the persistent `<iotune>`.
 *
 * @example
 * ```ts
 * import { getBlockIoTune } from "./block_iotune.ts";
 * import type { QemuDomainObj } from "../domain_private.ts";
 * declare const obj: QemuDomainObj;
 * await getBlockIoTune(obj, "vda", 0); // { total_bytes_sec: 0, … }
 * ```
 */
export async function getBlockIoTune(
  obj: QemuDomainObj,
  path: string,
  flags: number,
): Promise<TypedParams> {
  checkFlags(flags, AFFECT | VIR.TYPED_PARAM_STRING_OKAY, "qemuDomainGetBlockIoTune", "QEMU");
  return await obj.job.run(async () => {
    const { live, config } = getDefs(obj, flags & AFFECT);
    if (config) {
      return iotuneOf(disk(config, path, `disk '${path}' was not found in the domain config`));
    }
    const el = disk(live!, path, `disk '${path}' not found in domain`);
    const blocks = await obj.proc!.monitor.run<
      { qdev?: string; inserted?: Record<string, unknown> }[]
    >("query-block");
    const alias = child(el, "alias")?.attributes.name;
    const inserted = blocks.find((b) => qdevId(b.qdev) === alias)?.inserted;
    if (!inserted) {
      throw VirError.report(
        "QEMU",
        "INTERNAL_ERROR",
        `cannot find throttling info for device '${qomId(el)}'`,
      );
    }
    return Object.fromEntries(IOTUNE_PARAMS.map((n) => {
      const v = inserted[QMP_FIELD[n]];
      return [n, n === "group_name" ? String(v ?? "") : Number(v ?? 0)];
    }));
  });
}

/** `qemuDomainSetBlockIoTuneDefaults`: the families not given keep `old`'s values. */
function withDefaults(given: TypedParams, old: IotuneInfo): IotuneInfo {
  const info: IotuneInfo = { ...old };
  for (const family of FAMILIES) {
    if (!family.some((n) => n in given)) continue;
    for (const n of family) info[n] = (given[n] ?? (n === "group_name" ? "" : 0)) as number;
  }
  for (const family of LENGTHS) {
    if (!family.some((n) => `${n}_max_length` in given)) continue;
    for (const n of family) {
      const len = `${n}_max_length`;
      info[len] = Number(given[len] ?? 0);
      // Clearing a length QEMU needs while the family is set: 1, as libvirt passes it.
      if (old[len] && !info[len]) info[len] = info[n] || info[`${n}_max`] ? 1 : 0;
    }
  }
  return info;
}

/** The checks after merging (`qemuDomainCheckBlockIoTuneReset`, CHECK_MAX). */
function checkMerged(el: XmlElementJSON, info: IotuneInfo): void {
  const any = IOTUNE_PARAMS.some((n) => n !== "group_name" && info[n]);
  if (!any && info.group_name && info.group_name !== iotuneOf(el).group_name) {
    throw VirError.report(
      "QEMU",
      "CONFIG_UNSUPPORTED",
      "creating a new group/updating existing with all tune parameters zero is not supported",
    );
  }
  if (!any) info.group_name = "";
  for (const n of [...LENGTHS[0], ...LENGTHS[1]]) {
    const max = Number(info[`${n}_max`]);
    if (!max) continue;
    // libvirt's CHECK_MAX tests a constant, so it always words it as a reset.
    if (!info[n]) {
      throw VirError.report(
        "QEMU",
        "CONFIG_UNSUPPORTED",
        `cannot reset '${n}' when '${n}_max' is set`,
      );
    }
    if (max < Number(info[n])) {
      throw VirError.report(
        "QEMU",
        "CONFIG_UNSUPPORTED",
        `value '${n}_max' cannot be smaller than '${n}'`,
      );
    }
  }
}

/** `block_set_io_throttle`'s arguments for disk `el` throttled as `info`. */
function throttleArgs(el: XmlElementJSON, info: IotuneInfo): Record<string, unknown> {
  const args: Record<string, unknown> = { id: qomId(el) };
  for (const n of IOTUNE_PARAMS) {
    if (n === "group_name") {
      if (info.group_name) args.group = info.group_name;
    } else if (!n.endsWith("_length") || info[n]) args[QMP_FIELD[n]] = info[n];
  }
  return args;
}

/**
 * Throttles disk `el` in QEMU as its `<iotune>` says, when it says anything
 * (`qemuDiskConfigBlkdeviotuneEnabled`: limits or a group); false when there was nothing to do.
 *
 * @example
 * ```ts
 * import { throttleDisk } from "./block_iotune.ts";
 * import type { XmlElementJSON } from "../../../conf/domain/def.ts";
 * import type { QemuMonitor } from "../monitor/qemu_monitor.ts";
import { shareBacking } from "../disk_transient_validate.ts";
 * declare const disk: XmlElementJSON;
 * declare const monitor: QemuMonitor;
 * await throttleDisk(monitor, disk);
 * ```
 */
export async function throttleDisk(monitor: QemuMonitor, el: XmlElementJSON): Promise<boolean> {
  const info = iotuneOf(el);
  if (!info.group_name && !iotuneHasAny(el)) return false;
  await monitor.run("block_set_io_throttle", throttleArgs(el, info));
  return true;
}

/**
 * `qemuProcessSetupDiskThrottling`: at start, before the vCPUs run, each disk with a medium gets
 * its `<iotune>` through `block_set_io_throttle`, as QEMU takes no throttling on libvirt's
 * `-blockdev` command line. A transient disk sharing its backing image is plugged later, and
 * throttled then (libvirt 9.0 tries it here too, on a device QEMU does not have yet).
 *
 * @example
 * ```ts
 * import { setupDiskThrottling } from "./block_iotune.ts";
 * import type { DomainDef } from "../../../conf/domain/def.ts";
 * import type { QemuMonitor } from "../monitor/qemu_monitor.ts";
import { shareBacking } from "../disk_transient_validate.ts";
 * declare const def: DomainDef;
 * declare const monitor: QemuMonitor;
 * await setupDiskThrottling(def, monitor);
 * ```
 */
export async function setupDiskThrottling(def: DomainDef, monitor: QemuMonitor): Promise<void> {
  for (const el of def.devices.other.filter((d) => d.name === "disk")) {
    // Setting throttling for an empty drive fails.
    const source = child(el, "source");
    if (!source || !Object.keys(source.attributes).length || shareBacking(el)) continue;
    await throttleDisk(monitor, el);
  }
}

/**
 * Sets disk `path`'s throttling where `flags` say.
 *
 * @example
 * ```ts
 * import { setBlockIoTune } from "./block_iotune.ts";
 * import type { QemuDomainObj } from "../domain_private.ts";
 * import type { QemuDriverState } from "../driver_state.ts";
 * declare const state: QemuDriverState;
 * declare const obj: QemuDomainObj;
 * await setBlockIoTune(state, obj, "vda", { total_bytes_sec: 1048576 }, 1);
 * ```
 */
export async function setBlockIoTune(
  state: QemuDriverState,
  obj: QemuDomainObj,
  path: string,
  params: TypedParams,
  flags: number,
): Promise<void> {
  checkFlags(flags, AFFECT, "qemuDomainSetBlockIoTune", "QEMU");
  validateTypedParams(params, IOTUNE_TYPES);
  await obj.job.run(async () => {
    const { live, config } = getDefs(obj, flags);
    for (const [n, v] of Object.entries(params)) {
      if (n !== "group_name" && Number(v) > IOTUNE_MAX) {
        throw VirError.report(
          "QEMU",
          "ARGUMENT_UNSUPPORTED",
          `block I/O throttle limit value must be no more than ${IOTUNE_MAX}`,
        );
      }
    }
    for (const suffix of ["bytes_sec", "iops_sec", "bytes_sec_max", "iops_sec_max"]) {
      if (params[`total_${suffix}`] && (params[`read_${suffix}`] || params[`write_${suffix}`])) {
        throw VirError.report(
          "QEMU",
          "INVALID_ARG",
          `total and read/write of ${suffix} cannot be set at the same time`,
        );
      }
    }
    if (live) {
      const el = disk(live, path, `disk '${path}' not found in domain`);
      const info = withDefaults(params, iotuneOf(el));
      checkMerged(el, info);
      if (child(el, "source")?.attributes.file || child(el, "source")?.attributes.dev) {
        await obj.proc!.monitor.run("block_set_io_throttle", throttleArgs(el, info));
      }
      setIotune(el, info);
      await state.saveStatus(obj);
      state.emitOther(obj, VIR.DOMAIN_EVENT_ID_TUNABLE, {
        params: {
          "blkdeviotune.disk": path,
          ...Object.fromEntries(Object.entries(params).map(([n, v]) => [`blkdeviotune.${n}`, v])),
        },
      });
    }
    if (config) {
      const el = disk(config, path, `missing persistent configuration for disk '${path}'`);
      const info = withDefaults(params, iotuneOf(el));
      checkMerged(el, info);
      setIotune(el, info);
      await state.saveConfig(obj);
    }
  });
}
