/**
 * The QEMU driver's host calls (`qemu_driver.c`'s `qemuNodeGet*` and
 * `qemuConnectGetMaxVcpus`): thin layers over the host readers of `util/`, with the flag checks
 * and errors of the libvirt functions they stand for.
 *
 * @module
 */
import { checkFlags, VirError } from "../../../util/errors.ts";
import {
  hostCellsFreeMemory,
  hostCPUMap,
  hostCPUStats,
  hostFreeMemory,
  hostFreePages,
  hostMemoryStats,
} from "../../../util/host_stats.ts";
import { cpuModelNames } from "../../../conf/capabilities/cpu_models.ts";
import type { SecurityModel } from "../../../util/driver.ts";
import { kvmMaxVcpus } from "../../../util/kvm_caps.ts";
import { ksmParameters, setKsmParameters, validateKsmParameters } from "../../../util/host_ksm.ts";
import { VIR } from "../../../util/constants.ts";
import type { TypedParams } from "../../../util/driver.ts";

/**
 * `qemuNodeGetCPUStats` → `virHostCPUGetStats`.
 *
 * @example
 * ```ts
 * import { nodeCPUStats } from "./host_node.ts";
 * nodeCPUStats(-1, 0).idle; // ns the host's CPUs spent idle
 * ```
 */
export function nodeCPUStats(cpuNum: number, flags: number): Record<string, number> {
  checkFlags(flags, 0, "virHostCPUGetStats", "NONE");
  return hostCPUStats(cpuNum);
}

/**
 * `qemuNodeGetMemoryStats` → `virHostMemGetStats`.
 *
 * @example
 * ```ts
 * import { nodeMemoryStats } from "./host_node.ts";
 * nodeMemoryStats(-1, 0).total; // KiB
 * ```
 */
export function nodeMemoryStats(cellNum: number, flags: number): Record<string, number> {
  checkFlags(flags, 0, "virHostMemGetStats", "NONE");
  return hostMemoryStats(cellNum);
}

/**
 * `qemuNodeGetCPUMap` → `virHostCPUGetMap`.
 *
 * @example
 * ```ts
 * import { nodeCPUMap } from "./host_node.ts";
 * nodeCPUMap(0).online; // CPUs online
 * ```
 */
export function nodeCPUMap(flags: number): { map: boolean[]; online: number } {
  checkFlags(flags, 0, "virHostCPUGetMap", "NONE");
  return hostCPUMap();
}

/**
 * `qemuNodeGetCellsFreeMemory` and `qemuNodeGetFreeMemory`: free bytes per NUMA cell or in
 * all.
 *
 * @example
 * ```ts
 * import { nodeFreeMemory } from "./host_node.ts";
 * nodeFreeMemory(); // bytes
 * ```
 */
export const nodeCellsFreeMemory = hostCellsFreeMemory;
/** @see nodeCellsFreeMemory */
export const nodeFreeMemory = hostFreeMemory;

/**
 * `qemuConnectGetMaxVcpus`: 16 for TCG (and when no type is given), what `/dev/kvm` allows for
 * `kvm`, case-insensitively; any other type is refused.
 *
 * @example
 * ```ts
 * import { connectMaxVcpus } from "./host_node.ts";
 * connectMaxVcpus("qemu"); // 16
 * ```
 */
export function connectMaxVcpus(type: string | undefined | null): number {
  if (!type || type.toLowerCase() === "qemu") return 16;
  if (type.toLowerCase() === "kvm") return kvmMaxVcpus();
  throw VirError.report("QEMU", "INVALID_ARG", `unknown type '${type}'`);
}

/**
 * `qemuNodeGetFreePages` → `virHostMemGetFreePages`.
 *
 * @example
 * ```ts
 * import { nodeFreePages } from "./host_node.ts";
 * nodeFreePages([4], 0, 1, 0); // [free 4 KiB pages of cell 0]
 * ```
 */
export function nodeFreePages(
  pages: number[],
  startCell: number,
  cellCount: number,
  flags: number,
): number[] {
  checkFlags(flags, 0, "qemuNodeGetFreePages", "QEMU");
  return hostFreePages(pages, startCell, cellCount);
}

/**
 * `qemuConnectGetCPUModelNames`: the CPU models libvirt's CPU map knows for an architecture.
 *
 * @example
 * ```ts
 * import { connectCPUModelNames } from "./host_node.ts";
 * connectCPUModelNames("x86_64", 0)[0]; // "486"
 * ```
 */
export function connectCPUModelNames(arch: string, flags: number): string[] {
  checkFlags(flags, 0, "qemuConnectGetCPUModelNames", "QEMU");
  return cpuModelNames(arch, "QEMU");
}

/**
 * `qemuNodeGetSecurityModel`: the capabilities' first security model, which without a security
 * driver is libvirt's `none` model.
 *
 * @example
 * ```ts
 * import { nodeSecurityModel } from "./host_node.ts";
 * nodeSecurityModel(); // { model: "none", doi: "0" }
 * ```
 */
export function nodeSecurityModel(): SecurityModel {
  return { model: "none", doi: "0" };
}

/**
 * `qemuNodeGetMemoryParameters` → `virHostMemGetParameters`: the host's KSM tunables and
 * counters.
 *
 * @example
 * ```ts
 * import { nodeMemoryParameters } from "./host_node.ts";
 * nodeMemoryParameters(0).shm_pages_to_scan; // 100
 * ```
 */
export function nodeMemoryParameters(flags: number): TypedParams {
  checkFlags(flags, VIR.TYPED_PARAM_STRING_OKAY, "virHostMemGetParameters", "NONE");
  return ksmParameters();
}

/**
 * `qemuNodeSetMemoryParameters` → `virHostMemSetParameters`: writes the host's KSM tunables.
 * Only the system driver does: the host's memory merging is no session's to change (libvirt's
 * session daemon, unprivileged, cannot write them either), so a session refuses after libvirt's
 * argument checks.
 *
 * @example
 * ```ts ignore
 * import { setNodeMemoryParameters } from "./host_node.ts";
 * setNodeMemoryParameters({ shm_pages_to_scan: 200 }, 0, true);
 * ```
 */
export function setNodeMemoryParameters(
  params: TypedParams,
  flags: number,
  privileged: boolean,
): void {
  checkFlags(flags, 0, "virHostMemSetParameters", "NONE");
  if (privileged) return setKsmParameters(params);
  validateKsmParameters(params);
  throw VirError.report(
    "NONE",
    "OPERATION_UNSUPPORTED",
    "node memory tuning is not available in session mode",
  );
}
