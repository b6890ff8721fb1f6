/**
 * Memory, NUMA and block I/O tunables and perf events of libvirt's test driver, kept in the
 * definition's `<memtune>`, `<numatune>`, `<blkiotune>` and `<perf>` so they follow the
 * live/persistent split and show up in the XML as libvirt prints them.
 *
 * @module
 */
import type { DomainDef, XmlElementJSON } from "../../conf/domain/def.ts";
import { formatBitmap, parseBitmap } from "../../conf/domain/bitmap.ts";
import type { DomainRef, DriverConnection, TypedParams } from "../../util/driver.ts";
import { VIR } from "../../util/constants.ts";
import { checkFlags, VirError } from "../../util/errors.ts";
import { domainFromRef } from "./domain_access.ts";
import { getOneDef } from "../../conf/objects/domain_obj.ts";
import type { TestDomainObj, TestDriverState } from "./driver_state.ts";
import { validateTypedParams } from "./domain_tuning_api.ts";
import { methodTable } from "../../util/method_table.ts";
import { kidOrder, section, setChild } from "../../conf/domain/tune_xml.ts";
import {
  BLKIO_DEVICE,
  blkioParameters,
  setBlkioParameters,
} from "../../conf/domain/blkio_params.ts";
import { perfEvents, setPerfEvents, validatePerfParams } from "../../conf/domain/perf_events.ts";
import { MEMTUNE_LIMITS, memtuneLimit, setMemtuneLimit } from "../../conf/domain/memtune_limits.ts";

const F = "TEST";
const AFFECT = VIR.DOMAIN_AFFECT_LIVE | VIR.DOMAIN_AFFECT_CONFIG;
const GET_FLAGS = AFFECT | VIR.TYPED_PARAM_STRING_OKAY;
/** `virDomainNumatuneMemMode` names, by value. */
const NUMA_MODES = ["strict", "preferred", "interleave", "restrictive"];
function kid(el: XmlElementJSON | undefined, name: string): XmlElementJSON | undefined {
  return el?.children.find((c): c is XmlElementJSON => c.type === "element" && c.name === name);
}

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

/** `testDomainSetNumaParameters` with virDomainNumatuneSet for the `<memory>` element. */
function setNumaParameters(def: DomainDef, live: boolean, p: TypedParams): void {
  let mode = -1;
  let nodeset: string | undefined;
  for (const [name, value] of Object.entries(p)) {
    if (name === "numa_mode") {
      mode = Number(value);
      if (mode < 0 || mode >= NUMA_MODES.length) {
        throw VirError.report(F, "INVALID_ARG", `unsupported numatune mode: '${mode}'`);
      }
    } else {
      let nodes: number[];
      try {
        nodes = parseBitmap(String(value));
      } catch {
        throw VirError.report("NONE", "INVALID_ARG", `Failed to parse bitmap '${value}'`);
      }
      if (!nodes.length) {
        throw VirError.report(F, "OPERATION_INVALID", `Invalid nodeset of 'numatune': ${value}`);
      }
      nodeset = formatBitmap(nodes);
    }
  }
  const memory = kid(section(def, "numatune"), "memory");
  const current = memory ? NUMA_MODES.indexOf(memory.attributes.mode ?? "strict") : -1;
  if (live && mode !== -1 && memory && current !== mode) {
    throw VirError.report(F, "OPERATION_INVALID", "can't change numatune mode for running domain");
  }
  nodeset ??= memory?.attributes.nodeset;
  if (def.vcpu.placement === "static" && nodeset === undefined) {
    throw VirError.report(
      "DOMAIN",
      "CONFIG_UNSUPPORTED",
      "nodeset for NUMA memory tuning must be set if 'placement' is 'static'",
    );
  }
  const attrs: Record<string, string> = {
    mode: NUMA_MODES[mode !== -1 ? mode : Math.max(current, 0)],
  };
  if (nodeset !== undefined) attrs.nodeset = nodeset;
  setChild(
    section(def, "numatune", true),
    "memory",
    { type: "element", name: "memory", attributes: attrs, children: [] },
    kidOrder("numatune"),
  );
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
      const memory = kid(section(oneDef(ref, flags).def, "numatune"), "memory");
      return {
        numa_mode: NUMA_MODES.indexOf(memory?.attributes.mode ?? "strict"),
        numa_nodeset: memory?.attributes.nodeset ?? "",
      };
    },
    domainSetNumaParameters: (ref, params, flags) => {
      checkFlags(flags, AFFECT, "testDomainSetNumaParameters", F);
      validateTypedParams(params, { numa_mode: "int", numa_nodeset: "string" });
      const { def, live } = oneDef(ref, flags);
      setNumaParameters(def, live, params);
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
