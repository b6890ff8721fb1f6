/**
 * One domain's statistics calls of libvirt's QEMU driver: `qemuDomainBlockStats`,
 * `qemuDomainInterfaceStats`, `qemuDomainMemoryStats` and `qemuDomainGetCPUStats`.
 *
 * @module
 */
import { checkActive, isActive } from "../../../conf/objects/domain_obj.ts";
import { child } from "../../../util/xml/mod.ts";
import { checkFlags, VirError } from "../../../util/errors.ts";
import { VIR } from "../../../util/constants.ts";
import type { TypedParams } from "../../../util/driver.ts";
import { diskByName, disks, memballoon, netFind } from "../../../conf/domain/device_lookup.ts";
import type { DomainInterface, XmlElementJSON } from "../../../conf/domain/def.ts";
import type { QemuDomainObj } from "../domain_private.ts";
import { type BlockCounters, queryBalloonStats, queryBlockCounters } from "./stats_qmp.ts";
import { type InterfaceCounters, procStat, tapInterfaceStats } from "./stats_proc.ts";

/**
 * A disk's alias, the id QEMU knows its frontend by.
 *
 * @example
 * ```ts
 * import { diskAlias } from "./stats_domain.ts";
 * declare const disk: import("../../../conf/domain/def.ts").XmlElementJSON;
 * diskAlias(disk); // "virtio-disk0"
 * ```
 */
export function diskAlias(disk: XmlElementJSON): string | undefined {
  return child(disk, "alias")?.attributes.name;
}

/**
 * `qemuDomainBlockStats`: a disk's (by target or source path) read and write counters, or
 * every disk's summed for an empty path; QEMU counts no errors, so `errs` is -1.
 *
 * @example
 * ```ts ignore
 * import { blockStats } from "./stats_domain.ts";
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * await blockStats(obj, "vda"); // { rd_req: 1, rd_bytes: 512, wr_req: 0, wr_bytes: 0, errs: -1 }
 * ```
 */
export function blockStats(obj: QemuDomainObj, path: string): Promise<TypedParams> {
  return obj.job.run(async () => {
    checkActive(obj);
    let alias: string | undefined;
    if (path) {
      const disk = diskByName(obj.def, path, false);
      if (!disk) throw VirError.report("QEMU", "INVALID_ARG", `invalid path: ${path}`);
      alias = diskAlias(disk);
      if (!alias) {
        throw VirError.report(
          "QEMU",
          "INTERNAL_ERROR",
          `missing disk device alias name for ${child(disk, "target")?.attributes.dev}`,
        );
      }
    }
    const counters = await queryBlockCounters(obj.proc!.monitor);
    const pick = (id: string): BlockCounters => {
      const c = counters.get(id);
      if (!c) {
        throw VirError.report(
          "QEMU",
          "INTERNAL_ERROR",
          `cannot find statistics for device '${id}'`,
        );
      }
      return c;
    };
    const chosen = alias
      ? [pick(alias)]
      : disks(obj.def).map(diskAlias).filter((a): a is string => !!a).map(pick);
    const sum = (k: keyof BlockCounters) => chosen.reduce((n, c) => n + (c[k] ?? 0), 0);
    return {
      rd_req: sum("rd_req"),
      rd_bytes: sum("rd_bytes"),
      wr_req: sum("wr_req"),
      wr_bytes: sum("wr_bytes"),
      errs: -1,
    };
  });
}

/**
 * Whether libvirt reads an interface's counters turned round (`!virDomainNetTypeSharesHostView`):
 * everything but a macvtap (`direct`) is a tap whose host side sends what the guest receives.
 */
function swapped(net: DomainInterface): boolean {
  return net.type !== "direct";
}

/**
 * The counters of a running interface (`virNetDevTapInterfaceStats` of its host device).
 *
 * @example
 * ```ts ignore
 * import { netCounters } from "./stats_domain.ts";
 * declare const net: import("../../../conf/domain/def.ts").DomainInterface;
 * netCounters(net).rx_bytes;
 * ```
 */
export function netCounters(net: DomainInterface): InterfaceCounters {
  return tapInterfaceStats(net.target, swapped(net));
}

/**
 * `qemuDomainInterfaceStats`: the counters of the interface named by its host device or MAC
 * address. A user-mode NIC has no host device: found by MAC, it is refused as libvirt refuses
 * it ("Interface name not provided").
 *
 * @example
 * ```ts ignore
 * import { interfaceStats } from "./stats_domain.ts";
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * interfaceStats(obj, "vnet0").rx_bytes;
 * ```
 */
export function interfaceStats(obj: QemuDomainObj, device: string): TypedParams {
  checkActive(obj);
  return { ...netCounters(netFind(obj.def, device)) };
}

/**
 * The balloon's QOM path: QEMU knows the device by its alias.
 *
 * @example
 * ```ts
 * import { balloonPath } from "./stats_domain.ts";
 * declare const balloon: import("../../../conf/domain/def.ts").XmlElementJSON;
 * balloonPath(balloon); // "/machine/peripheral/balloon0"
 * ```
 */
export function balloonPath(balloon: XmlElementJSON): string {
  return `/machine/peripheral/${diskAlias(balloon) ?? "balloon0"}`;
}

/**
 * `qemuDomainMemoryStatsInternal` for a domain known to run: the balloon's statistics when
 * there is one, then QEMU's resident set size when /proc has it.
 *
 * @example
 * ```ts ignore
 * import { memoryStatsOf } from "./stats_domain.ts";
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * await memoryStatsOf(obj); // { actual: 65536, last_update: 0, rss: 48008 }
 * ```
 */
export async function memoryStatsOf(obj: QemuDomainObj): Promise<Record<string, number>> {
  const balloon = memballoon(obj.def);
  const stats = balloon ? await queryBalloonStats(obj.proc!.monitor, balloonPath(balloon)) : {};
  // Without /proc libvirt logs "cannot get RSS for domain" and returns the rest.
  const stat = procStat(obj.proc!.pid);
  if (stat) stats.rss = stat.rssKiB;
  return stats;
}

/**
 * `qemuDomainMemoryStats`.
 *
 * @example
 * ```ts ignore
 * import { memoryStats } from "./stats_domain.ts";
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * await memoryStats(obj, 0);
 * ```
 */
export async function memoryStats(
  obj: QemuDomainObj,
  flags: number,
): Promise<Record<string, number>> {
  checkFlags(flags, 0, "qemuDomainMemoryStats", "QEMU");
  return await obj.job.run(() => {
    checkActive(obj);
    return memoryStatsOf(obj);
  });
}

/**
 * `qemuDomainGetCPUStats`: its figures come from the domain's cgroup `cpuacct` controller.
 * edgevirt runs QEMU in no cgroup of its own, so, as libvirt without that controller, the call
 * is refused for a running domain.
 *
 * @example
 * ```ts ignore
 * import { cpuStats } from "./stats_domain.ts";
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * cpuStats(obj, 0); // throws: cgroup CPUACCT controller is not mounted
 * ```
 */
export function cpuStats(obj: QemuDomainObj, flags: number): never {
  checkFlags(flags, VIR.TYPED_PARAM_STRING_OKAY, "qemuDomainGetCPUStats", "QEMU");
  checkActive(obj);
  throw VirError.report("QEMU", "OPERATION_INVALID", "cgroup CPUACCT controller is not mounted");
}

/**
 * `qemuDomainUpdateCurrentMemorySize`: a running domain without a balloon has all its memory,
 * whatever `<currentMemory>` said (libvirt updates it before `getInfo` and `getXMLDesc`).
 *
 * @example
 * ```ts ignore
 * import { updateCurrentMemorySize } from "./stats_domain.ts";
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * updateCurrentMemorySize(obj);
 * ```
 */
export function updateCurrentMemorySize(obj: QemuDomainObj): void {
  if (isActive(obj) && !memballoon(obj.def)) obj.def.memory.current = obj.def.memory.total;
}
