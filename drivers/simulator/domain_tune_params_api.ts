/**
 * Memory, NUMA and block I/O tunables and perf events of libvirt's test driver, kept in the
 * definition's `<memtune>`, `<numatune>`, `<blkiotune>` and `<perf>` so they follow the
 * live/persistent split and show up in the XML as libvirt prints them.
 *
 * @module
 */
import type { DomainDef } from "../../conf/domain/def.ts";
import type { DomainRef, DriverConnection, TypedParams } from "../../util/driver.ts";
import { VIR } from "../../util/constants.ts";
import { checkFlags, VirError } from "../../util/errors.ts";
import { domainFromRef } from "./domain_access.ts";
import { getOneDef } from "../../conf/objects/domain_obj.ts";
import type { TestDomainObj, TestDriverState } from "./driver_state.ts";
import { validateTypedParams } from "./domain_tuning_api.ts";
import { methodTable } from "../../util/method_table.ts";
import {
  BLKIO_DEVICE,
  blkioParameters,
  setBlkioParameters,
} from "../../conf/domain/blkio_params.ts";
import {
  type NumaChange,
  numaParameters,
  numatuneMode,
  parseNumaParams,
  setNumatune,
} from "../../conf/domain/numatune_params.ts";
import { perfEvents, setPerfEvents, validatePerfParams } from "../../conf/domain/perf_events.ts";
import { MEMTUNE_LIMITS, memtuneLimit, setMemtuneLimit } from "../../conf/domain/memtune_limits.ts";

const F = "TEST";
const AFFECT = VIR.DOMAIN_AFFECT_LIVE | VIR.DOMAIN_AFFECT_CONFIG;
const GET_FLAGS = AFFECT | VIR.TYPED_PARAM_STRING_OKAY;
/** `testDomainSetMemoryParameters`: the hard limit is checked against the live swap limit. */
function setMemoryParameters(obj: TestDomainObj, def: DomainDef, p: TypedParams): void {
  const given = (n: string) => Object.hasOwn(p, n) ? Number(p[n]) : undefined;
  const hard = given("hard_limit");
  const swap = given("swap_hard_limit");
  if (hard !== undefined || swap !== undefined) {
    const mem = hard ?? memtuneLimit(obj.def, "hard_limit");
    const swapLimit = swap ?? memtuneLimit(obj.def, "swap_hard_limit");
    if (mem > swapLimit) {
      throw VirError.report(
        F,
        "INVALID_ARG",
        "memory hard_limit tunable value must be lower than or equal to swap_hard_limit",
      );
    }
  }
  for (const name of ["soft_limit", "hard_limit", "swap_hard_limit"] as const) {
    const v = given(name);
    if (v !== undefined) setMemtuneLimit(def, name, v);
  }
}

/** `testDomainSetNumaParameters`: a running domain keeps its mode. */
function setNumaParameters(def: DomainDef, live: boolean, change: NumaChange): void {
  const current = numatuneMode(def);
  if (live && change.mode !== -1 && current !== -1 && current !== change.mode) {
    throw VirError.report(F, "OPERATION_INVALID", "can't change numatune mode for running domain");
  }
  setNumatune(def, change);
}

/**
 * The memory, NUMA, blkio and perf part of the test driver's hypervisor table.
 *
 * @example
 * ```ts
 * import { domainTuneParamsMethods } from "./domain_tune_params_api.ts";
 * import { TestDriverState } from "./driver_state.ts";
 * const methods = domainTuneParamsMethods(new TestDriverState());
 * ```
 */
export function domainTuneParamsMethods(state: TestDriverState): Partial<DriverConnection> {
  const oneDef = (ref: DomainRef, flags: number) => getOneDef(domainFromRef(state, ref), flags);
  return methodTable({
    domainGetMemoryParameters: (ref, flags) => {
      checkFlags(flags, GET_FLAGS, "testDomainGetMemoryParameters", F);
      const { def } = oneDef(ref, flags);
      return Object.fromEntries(MEMTUNE_LIMITS.map((n) => [n, memtuneLimit(def, n)]));
    },
    domainSetMemoryParameters: (ref, params, flags) => {
      checkFlags(flags, AFFECT, "testDomainSetMemoryParameters", F);
      validateTypedParams(params, Object.fromEntries(MEMTUNE_LIMITS.map((n) => [n, "ullong"])));
      const obj = domainFromRef(state, ref);
      setMemoryParameters(obj, getOneDef(obj, flags).def, params);
    },
    domainGetNumaParameters: (ref, flags) => {
      checkFlags(flags, GET_FLAGS, "testDomainGetNumaParameters", F);
      return numaParameters(oneDef(ref, flags).def);
    },
    domainSetNumaParameters: (ref, params, flags) => {
      checkFlags(flags, AFFECT, "testDomainSetNumaParameters", F);
      const change = parseNumaParams(params, F);
      const { def, live } = oneDef(ref, flags);
      setNumaParameters(def, live, change);
    },
    domainGetBlkioParameters: (ref, flags) => {
      checkFlags(flags, GET_FLAGS, "testDomainGetBlkioParameters", F);
      return blkioParameters(oneDef(ref, flags).def);
    },
    domainSetBlkioParameters: (ref, params, flags) => {
      checkFlags(flags, AFFECT, "testDomainSetBlkioParameters", F);
      validateTypedParams(params, {
        weight: "uint",
        ...Object.fromEntries(Object.keys(BLKIO_DEVICE).map((n) => [n, "string" as const])),
      });
      setBlkioParameters(oneDef(ref, flags).def, params);
    },
    domainGetPerfEvents: (ref, flags) => {
      checkFlags(flags, GET_FLAGS, "testDomainGetPerfEvents", F);
      return perfEvents(oneDef(ref, flags).def);
    },
    domainSetPerfEvents: (ref, params, flags) => {
      checkFlags(flags, AFFECT, "testDomainSetPerfEvents", F);
      validatePerfParams(params);
      setPerfEvents(oneDef(ref, flags).def, params);
    },
  });
}
