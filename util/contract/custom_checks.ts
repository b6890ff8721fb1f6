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
export function allCellsOrCpus(name: "cpuNum" | "cellNum"): CustomCheck {
  return ([n], api, fail) => {
    if ((n as number) < 0 && n !== -1) {
      fail.invalidArg(`${name} in ${api} only accepts -1 as a negative value`);
    }
  };
}

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
