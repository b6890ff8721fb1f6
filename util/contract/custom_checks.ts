/**
 * The public-API checks of libvirt that are not one of its argument macros: each is the body of
 * an `if` in the entry point (`src/libvirt-domain.c` …), with libvirt's wording. Referenced by
 * the family declarations.
 *
 * @module
 */
import { VIR } from "../constants.ts";
import type { CustomCheck } from "./declare.ts";

/** `virDomainGetCPUStats`: -1 means the totals, which come as one record. */
export const cpuStatsRangeCheck: CustomCheck = ([, startCpu, ncpus], api, fail) => {
  if (startCpu === -1) {
    if (ncpus !== 1) fail.invalidArg("ncpus must be 1 when start_cpu is -1");
  } else if ((startCpu as number) < 0) {
    fail.invalidArg(`start_cpu in ${api} must be zero or greater`);
  }
};

/**
 * `virNodeGetCPUStats` / `virNodeGetMemoryStats`: the only negative number taken is "all"
 * (`VIR_NODE_CPU_STATS_ALL_CPUS`, `VIR_NODE_MEMORY_STATS_ALL_CELLS`, both -1).
 */
function allCellsOrCpus(name: "cpuNum" | "cellNum"): CustomCheck {
  return ([n], api, fail) => {
    if ((n as number) < 0 && n !== -1) {
      fail.invalidArg(`${name} in ${api} only accepts -1 as a negative value`);
    }
  };
}

/** `virNodeGetCPUStats`'s `cpuNum`. */
export const allCpusCheck: CustomCheck = allCellsOrCpus("cpuNum");
/** `virNodeGetMemoryStats`'s `cellNum`. */
export const allCellsCheck: CustomCheck = allCellsOrCpus("cellNum");

/** `virDomainCoreDumpWithFormat`: one of `virDomainCoreDumpFormat` (5 in libvirt 9.0). */
export const dumpFormatCheck: CustomCheck = ([, , format], _api, fail) => {
  if ((format as number) >= 5) fail.invalidArg(`dumpformat '${format}' is not supported`);
};

/** `virDomainGetMetadata`: elements need their namespace URI, title and description refuse one. */
export const getMetadataCheck: CustomCheck = ([, type, uri], api, fail) => {
  if (type === VIR.DOMAIN_METADATA_TITLE || type === VIR.DOMAIN_METADATA_DESCRIPTION) {
    if (uri !== null) fail.invalidArg(`uri in ${api} must be NULL`);
  } else if (type === VIR.DOMAIN_METADATA_ELEMENT && uri === null) {
    fail.invalidArg(`uri in ${api} must not be NULL`);
  }
};

/** `virDomainSetMetadata`: a one-line title; keys and URIs only (and both) for elements. */
export const setMetadataCheck: CustomCheck = ([, type, metadata, key, uri], api, fail) => {
  if (type === VIR.DOMAIN_METADATA_TITLE || type === VIR.DOMAIN_METADATA_DESCRIPTION) {
    if (type === VIR.DOMAIN_METADATA_TITLE && typeof metadata === "string") {
      if (metadata.includes("\n")) fail.invalidArg("metadata title can't contain newlines");
    }
    if (uri !== null) fail.invalidArg(`uri in ${api} must be NULL`);
    if (key !== null) fail.invalidArg(`key in ${api} must be NULL`);
  } else if (type === VIR.DOMAIN_METADATA_ELEMENT) {
    if (uri === null) fail.invalidArg(`uri in ${api} must not be NULL`);
    if (metadata !== null && key === null) fail.invalidArg(`key in ${api} must not be NULL`);
  }
};

/** `virDomainSendKey`: a known codeset (`VIR_KEYCODE_SET_LAST` is 10) and at most 16 keys. */
export const sendKeyCheck: CustomCheck = ([, codeset, , keycodes], _api, fail) => {
  if ((codeset as number) >= 10) fail.invalidArg(`Unsupported codeset '${codeset}'`);
  if ((keycodes as unknown[]).length > 16) fail.invalidArg("nkeycodes must be <= 16");
};

/**
 * `virDomainSetLifecycleAction`: a known event (`VIR_DOMAIN_LIFECYCLE_LAST` is 3) and action
 * (`VIR_DOMAIN_LIFECYCLE_ACTION_LAST` is 6), reported with the "invalid argument" prefix.
 */
export const lifecycleActionCheck: CustomCheck = ([, type, action], _api, fail) => {
  if ((type as number) >= 3) fail.report("INVALID_ARG", `invalid lifecycle type '${type}'`);
  if ((action as number) >= 6) fail.report("INVALID_ARG", `invalid lifecycle action '${action}'`);
};

/** `virStorageVolResize`: a zero capacity only means something as a delta or a shrink. */
export const volResizeCheck: CustomCheck = ([, capacity, flags], api, fail) => {
  const deltaOrShrink = VIR.STORAGE_VOL_RESIZE_DELTA | VIR.STORAGE_VOL_RESIZE_SHRINK;
  if (capacity === 0 && !((flags as number) & deltaOrShrink)) {
    fail.invalidArg(`capacity in ${api} cannot be zero without 'delta' or 'shrink' flags set`);
  }
};

/** `virDomainBlockRebase`: a copy needs its destination; copy-only flags need a copy. */
export const blockRebaseCheck: CustomCheck = ([, , base, , flags], api, fail) => {
  const f = flags as number;
  if (f & VIR.DOMAIN_BLOCK_REBASE_COPY) {
    if (base === null) fail.invalidArg(`base in ${api} must not be NULL`);
  } else if (
    f & (VIR.DOMAIN_BLOCK_REBASE_SHALLOW | VIR.DOMAIN_BLOCK_REBASE_REUSE_EXT |
      VIR.DOMAIN_BLOCK_REBASE_COPY_RAW | VIR.DOMAIN_BLOCK_REBASE_COPY_DEV)
  ) {
    fail.invalidArg("use of flags requires a copy job");
  }
};

/**
 * `virDomainSetMaxMemory` / `virDomainSetMemoryFlags`: the KiB must fit in bytes as an off_t
 * (`virMemoryMaxValue`); a negative value is C's wrapped `unsigned long`, far beyond.
 */
export const memoryOverflowCheck: CustomCheck = ([, memory], _api, fail) => {
  const kib = memory as number;
  if (kib < 0 || kib > 2 ** 53 - 1) {
    fail.report("OVERFLOW", `input too large: ${BigInt.asUintN(64, BigInt(kib))}`);
  }
};

/** libvirt's remote protocol carries at most `REMOTE_NODE_MAX_CELLS` (1024) NUMA cells. */
const REMOTE_NODE_MAX_CELLS = 1024;

/** `remoteNodeGetCellsFreeMemory`. */
export const remoteMaxCells: CustomCheck = ([, maxCells], _api, fail) => {
  if ((maxCells as number) > REMOTE_NODE_MAX_CELLS) {
    fail.report("RPC", `too many NUMA cells: ${maxCells} > ${REMOTE_NODE_MAX_CELLS}`, "REMOTE");
  }
};

/** `remoteNodeGetFreePages`: one answer per page size and cell. */
export const remotePagesCells: CustomCheck = ([pages, , cellCount], _api, fail) => {
  const n = (pages as unknown[]).length * (cellCount as number);
  if (n > REMOTE_NODE_MAX_CELLS) {
    fail.report("RPC", `too many NUMA cells: ${n} > ${REMOTE_NODE_MAX_CELLS}`, "REMOTE");
  }
};

/**
 * `virConnectBaselineHypervisorCPU`'s `xmlCPUs` (argument 4): an empty list reaches libvirtd as
 * NULL (XDR decodes a zero-length array so), where the public API's non-NULL check refuses it.
 */
export const wireXmlCpusNonNull: CustomCheck = (args, api, fail) => {
  if ((args[4] as unknown[]).length === 0) fail.invalidArg(`xmlCPUs in ${api} must not be NULL`);
};

/** `remoteDomainGetCPUStats`: `REMOTE_DOMAIN_GET_CPU_STATS_NCPUS_MAX` (128) CPUs at most. */
export const remoteCpuStatsCount: CustomCheck = ([, , ncpus], _api, fail) => {
  if ((ncpus as number) > 128) {
    fail.report("RPC", `ncpus count exceeds maximum: ${ncpus} > 128`, "REMOTE");
  }
};

/** `remoteDomainBlockPeek` / `remoteDomainMemoryPeek`: a 4 MiB buffer at most. */
function remotePeekSize(what: "block" | "memory"): CustomCheck {
  return (args, _api, fail) => {
    const size = args[args.length - 2] as number;
    if (size > 4194304) {
      fail.report(
        "RPC",
        `${what} peek request too large for remote protocol, ${size} > 4194304`,
        "REMOTE",
      );
    }
  };
}

/** `remoteDomainBlockPeek`'s limit. */
export const remoteBlockPeekSize: CustomCheck = remotePeekSize("block");
/** `remoteDomainMemoryPeek`'s limit. */
export const remoteMemoryPeekSize: CustomCheck = remotePeekSize("memory");

/**
 * An empty typed-parameter list at argument `at` reaches libvirt as a NULL array (python-libvirt
 * and the RPC both pass none), so libvirt reports the NULL before the count.
 */
const emptyParamsCheck = (at: number): CustomCheck => (args, api, fail) => {
  const p = args[at];
  if (p !== null && typeof p === "object" && !Object.keys(p).length) {
    fail.invalidArg(`params in ${api} must not be NULL`);
  }
};

/** `virDomainSetIOThreadParams`' empty list (see {@link emptyParamsCheck}). */
export const iothreadParamsCheck: CustomCheck = emptyParamsCheck(2);
/** `virDomainSetLaunchSecurityState`'s empty list (see {@link emptyParamsCheck}). */
export const launchSecurityParamsCheck: CustomCheck = emptyParamsCheck(1);
