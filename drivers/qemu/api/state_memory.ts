/**
 * Memory and block sizes of a QEMU domain (`qemuDomainSetMemoryFlags`,
 * `qemuDomainSetMemoryStatsPeriod`, `qemuDomainBlockResize` of libvirt 9.0): the balloon
 * target over QMP `balloon`, the guest-stats polling interval over `qom-set`, the maximum and
 * current memory of the persistent definition, `block_resize` of a disk's format node. The
 * live `<currentMemory>` follows what QEMU reports (BALLOON_CHANGE), not what was asked.
 *
 * @module
 */
import type { DomainDef } from "../../../conf/domain/def.ts";
import { checkActive, getDefs } from "../../../conf/objects/domain_obj.ts";
import { VIR } from "../../../util/constants.ts";
import { checkFlags, VirError } from "../../../util/errors.ts";
import { child, element, type XmlElement } from "../../../util/xml/mod.ts";
import { monitorErrorToVir, QmpCommandError } from "../monitor/errors.ts";
import type { QemuDomainObj } from "../domain_private.ts";
import type { QemuMonitor } from "../monitor/qemu_monitor.ts";
import type { QemuDriverState } from "../driver_state.ts";
import { diskNodes, sourceIndex } from "./device_disk.ts";

const AFFECT = VIR.DOMAIN_AFFECT_LIVE | VIR.DOMAIN_AFFECT_CONFIG;

/** `virDomainDefHasMemballoon`: the balloon, unless absent or of model none. */
function memballoon(def: DomainDef): XmlElement | undefined {
  return def.devices.other.find((d) => d.name === "memballoon" && d.attributes.model !== "none");
}

/**
 * `virDomainSetMemoryFlags`: with VIR_DOMAIN_MEM_MAXIMUM the persistent `<memory>`, otherwise
 * the balloon target (live) and/or the persistent `<currentMemory>`; sizes in KiB.
 *
 * @example
 * ```ts
 * import { setMemory } from "./state_memory.ts";
 * declare const state: import("../driver_state.ts").QemuDriverState;
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * await setMemory(state, obj, 65536, 1);
 * ```
 */
export async function setMemory(
  s: QemuDriverState,
  obj: QemuDomainObj,
  kib: number,
  flags: number,
): Promise<void> {
  checkFlags(flags, AFFECT | VIR.DOMAIN_MEM_MAXIMUM, "qemuDomainSetMemoryFlags", "QEMU");
  await obj.job.run(async () => {
    const { live, config } = getDefs(obj, flags & AFFECT);
    const invalid = (msg: string) => VirError.report("QEMU", "OPERATION_INVALID", msg);
    if (flags & VIR.DOMAIN_MEM_MAXIMUM) {
      if (live) throw invalid("cannot resize the maximum memory on an active domain");
      if (config!.cpu?.extra.some((e) => e.name === "numa")) {
        throw invalid(
          "initial memory size of a domain with NUMA nodes cannot be modified with this API",
        );
      }
      const max = config!.memory.max?.size;
      if (max && max < kib) {
        throw invalid("cannot set initial memory size greater than the maximum memory size");
      }
      config!.memory.total = kib;
      config!.memory.current = Math.min(config!.memory.current, kib);
      return await s.saveConfig(obj);
    }
    let oldmax = live ? live.memory.total : 0;
    if (config && (!live || oldmax > config.memory.total)) oldmax = config.memory.total;
    if (kib > oldmax) {
      throw VirError.report("QEMU", "INVALID_ARG", "cannot set memory higher than max memory");
    }
    if (live) await setBalloon(obj, kib);
    if (config) {
      config.memory.current = kib;
      await s.saveConfig(obj);
    }
  });
}

/** `qemuMonitorSetBalloon`: QEMU without a balloon (DeviceNotActive) is libvirt's error. */
async function setBalloon(obj: QemuDomainObj, kib: number): Promise<void> {
  try {
    await obj.proc!.monitor.execute("balloon", { value: kib * 1024 });
  } catch (err) {
    if (err instanceof QmpCommandError && err.errorClass === "DeviceNotActive") {
      throw VirError.report(
        "QEMU",
        "OPERATION_INVALID",
        "Unable to change memory of active domain without the balloon device and guest OS balloon driver",
      );
    }
    throw monitorErrorToVir(err);
  }
}

/**
 * `qemuProcessSetupBalloon` then `qemuProcessRefreshBalloonState` at a start: the stats
 * period and the balloon target from the definition, then the live `<currentMemory>` from
 * what QEMU reports (the whole memory without a balloon). A QEMU without the device
 * (DeviceNotActive) is no failure, as libvirt's monitor makes it none.
 *
 * @example
 * ```ts
 * import { startBalloon } from "./state_memory.ts";
 * declare const def: import("../../../conf/domain/def.ts").DomainDef;
 * declare const monitor: import("../monitor/qemu_monitor.ts").QemuMonitor;
 * await startBalloon(def, monitor);
 * ```
 */
export async function startBalloon(def: DomainDef, monitor: QemuMonitor): Promise<void> {
  const balloon = memballoon(def);
  if (!balloon) {
    def.memory.current = def.memory.total;
    return;
  }
  const period = Number(child(balloon, "stats")?.attributes.period ?? 0);
  const alias = child(balloon, "alias")?.attributes.name;
  if (period) {
    await monitor.run("qom-set", {
      path: `/machine/peripheral/${alias}`,
      property: "guest-stats-polling-interval",
      value: period,
    }).catch(() => {});
  }
  const inactive = (err: unknown) => {
    if (!(err instanceof QmpCommandError && err.errorClass === "DeviceNotActive")) {
      throw monitorErrorToVir(err);
    }
  };
  await monitor.execute("balloon", { value: def.memory.current * 1024 }).catch(inactive);
  const info = await monitor.execute<{ actual: number }>("query-balloon").catch(inactive);
  if (info) def.memory.current = Math.floor(info.actual / 1024);
}

/** Sets `<stats period>` of a balloon element. */
function setPeriod(balloon: XmlElement, period: number): void {
  const stats = child(balloon, "stats");
  if (stats) stats.attributes = { ...stats.attributes, period: String(period) };
  else {
    const at = balloon.children.findIndex((c) =>
      c.type === "element" && (c.name === "alias" || c.name === "address")
    );
    const el = element("stats", { period: String(period) });
    if (at < 0) balloon.children.push(el);
    else balloon.children.splice(at, 0, el);
  }
}

/**
 * `virDomainSetMemoryStatsPeriod`: how often the guest's balloon driver reports statistics.
 *
 * @example
 * ```ts
 * import { setMemoryStatsPeriod } from "./state_memory.ts";
 * declare const state: import("../driver_state.ts").QemuDriverState;
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * await setMemoryStatsPeriod(state, obj, 10, 1);
 * ```
 */
export async function setMemoryStatsPeriod(
  s: QemuDriverState,
  obj: QemuDomainObj,
  period: number,
  flags: number,
): Promise<void> {
  checkFlags(flags, AFFECT, "qemuDomainSetMemoryStatsPeriod", "QEMU");
  await obj.job.run(async () => {
    const { live, config } = getDefs(obj, flags);
    const balloonOf = (def: DomainDef) => {
      const balloon = memballoon(def);
      if (balloon) return balloon;
      throw VirError.report(
        "QEMU",
        "INTERNAL_ERROR",
        "No memory balloon device configured, can not set the collection period",
      );
    };
    if (live) {
      const balloon = balloonOf(live);
      const alias = child(balloon, "alias")?.attributes.name;
      try {
        await obj.proc!.monitor.execute("qom-set", {
          path: `/machine/peripheral/${alias}`,
          property: "guest-stats-polling-interval",
          value: period,
        });
      } catch {
        throw VirError.report(
          "QEMU",
          "OPERATION_INVALID",
          "unable to set balloon driver collection period",
        );
      }
      setPeriod(balloon, period);
      await s.saveStatus(obj);
    }
    if (config) {
      setPeriod(balloonOf(config), period);
      await s.saveConfig(obj);
    }
  });
}

/** The `block_resize` target of a disk: its top format node. */
function resizeTarget(disk: XmlElement): Record<string, string> {
  const n = sourceIndex(disk);
  if (n === undefined) throw VirError.report("QEMU", "INTERNAL_ERROR", "disk has no block node");
  return { "node-name": diskNodes(n).format };
}

/**
 * `virDomainBlockResize`: grows (or shrinks) the image under a running disk; `size` is KiB
 * unless VIR_DOMAIN_BLOCK_RESIZE_BYTES.
 *
 * @example
 * ```ts
 * import { blockResize } from "./state_memory.ts";
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * await blockResize(obj, "vda", 2048, 0);
 * ```
 */
export async function blockResize(
  obj: QemuDomainObj,
  path: string,
  size: number,
  flags: number,
): Promise<void> {
  checkFlags(flags, VIR.DOMAIN_BLOCK_RESIZE_BYTES, "qemuDomainBlockResize", "QEMU");
  let bytes = BigInt(size);
  if (!(flags & VIR.DOMAIN_BLOCK_RESIZE_BYTES)) {
    const limit = 18446744073709551615n / 1024n;
    if (bytes > limit) {
      throw VirError.report("QEMU", "OVERFLOW", `size must be less than ${limit}`);
    }
    bytes *= 1024n;
  }
  await obj.job.run(async () => {
    checkActive(obj);
    const disk = obj.def.devices.other.find((d) => {
      if (d.name !== "disk") return false;
      return child(d, "target")?.attributes.dev === path ||
        child(d, "source")?.attributes.file === path;
    });
    if (!disk) {
      throw VirError.report(
        "QEMU",
        "INVALID_ARG",
        `disk '${path}' was not found in the domain config`,
      );
    }
    if (child(disk, "driver")?.attributes.type === "qcow2") bytes = (bytes + 511n) / 512n * 512n;
    const dev = child(disk, "target")?.attributes.dev;
    const readonly = child(disk, "readonly") || disk.attributes.device === "cdrom";
    if (!child(disk, "source")?.attributes.file || readonly) {
      throw VirError.report(
        "QEMU",
        "OPERATION_UNSUPPORTED",
        `can't resize empty or readonly disk '${dev}'`,
      );
    }
    const target = resizeTarget(disk);
    await obj.proc!.monitor.run("block_resize", { ...target, size: Number(bytes) });
  });
}
