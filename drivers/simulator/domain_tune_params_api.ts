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
import { dropIfEmpty, kidOrder, section, setChild } from "./tune_xml.ts";
import { MEMTUNE_LIMITS, memtuneLimit, setMemtuneLimit } from "../../conf/domain/memtune_limits.ts";

const F = "TEST";
const AFFECT = VIR.DOMAIN_AFFECT_LIVE | VIR.DOMAIN_AFFECT_CONFIG;
const GET_FLAGS = AFFECT | VIR.TYPED_PARAM_STRING_OKAY;
/** `virDomainNumatuneMemMode` names, by value. */
const NUMA_MODES = ["strict", "preferred", "interleave", "restrictive"];
/** Blkio per-device parameters and the `<device>` child each one sets. */
const BLKIO_DEVICE = {
  device_weight: "weight",
  device_read_iops_sec: "read_iops_sec",
  device_write_iops_sec: "write_iops_sec",
  device_read_bytes_sec: "read_bytes_sec",
  device_write_bytes_sec: "write_bytes_sec",
} as const;
const BLKIO_DEVICE_KIDS = ["path", ...Object.values(BLKIO_DEVICE)];
/** `virPerfEvent` names in enum order. */
const PERF_EVENTS = (
  "cmt mbmt mbml cpu_cycles instructions cache_references cache_misses branch_instructions " +
  "branch_misses bus_cycles stalled_cycles_frontend stalled_cycles_backend ref_cpu_cycles " +
  "cpu_clock task_clock page_faults context_switches cpu_migrations page_faults_min " +
  "page_faults_maj alignment_faults emulation_faults"
).split(" ");

function kid(el: XmlElementJSON | undefined, name: string): XmlElementJSON | undefined {
  return el?.children.find((c): c is XmlElementJSON => c.type === "element" && c.name === name);
}

function text(el: XmlElementJSON | undefined): string | undefined {
  const t = el?.children.find((c) => c.type === "text");
  return t && t.type === "text" ? t.text : undefined;
}

function textEl(name: string, value: string | number, attrs: Record<string, string> = {}) {
  return {
    type: "element" as const,
    name,
    attributes: attrs,
    children: [{ type: "text" as const, text: String(value) }],
  };
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

/** virDomainDriverParseBlkioDeviceStr: `path,value,path,value…`. */
function parseBlkioDevices(param: string, value: string): [string, number][] {
  if (value === "") return [];
  const parts = value.split(",");
  if (parts.length % 2) {
    throw VirError.report(
      "DOMAIN",
      "INVALID_ARG",
      `unable to parse blkio device '${param}' '${value}'`,
    );
  }
  const out: [string, number][] = [];
  for (let i = 0; i < parts.length; i += 2) {
    const n = parts[i + 1];
    if (!/^\d+$/.test(n)) {
      throw VirError.report(
        "DOMAIN",
        "INVALID_ARG",
        `invalid value '${n}' for parameter '${param}' of device '${parts[i]}'`,
      );
    }
    out.push([parts[i], Number(n)]);
  }
  return out;
}

/**
 * virDomainDriverSetupPersistentDefBlkioParams: the weight, and per-device values merged into
 * the `<device>` list (a zero clears the value; a device left without values goes). A value
 * that does not parse is skipped and the others still apply; the last such error is the
 * call's.
 */
function setBlkioParameters(def: DomainDef, p: TypedParams): void {
  const blkio = section(def, "blkiotune", true);
  let failure: VirError | undefined;
  for (const [name, value] of Object.entries(p)) {
    if (name === "weight") {
      const el = Number(value) ? textEl("weight", Number(value)) : undefined;
      setChild(blkio, "weight", el, kidOrder("blkiotune"));
      continue;
    }
    const field = BLKIO_DEVICE[name as keyof typeof BLKIO_DEVICE];
    let devices: [string, number][];
    try {
      devices = parseBlkioDevices(name, String(value));
    } catch (e) {
      if (!(e instanceof VirError)) throw e;
      failure = e;
      continue;
    }
    for (const [path, n] of devices) {
      let dev = blkio.children.find((c): c is XmlElementJSON =>
        c.type === "element" && c.name === "device" && text(kid(c, "path")) === path
      );
      if (!dev) {
        if (!n) continue;
        dev = { type: "element", name: "device", attributes: {}, children: [textEl("path", path)] };
        blkio.children.push(dev);
      }
      setChild(dev, field, n ? textEl(field, n) : undefined, BLKIO_DEVICE_KIDS);
    }
    blkio.children = blkio.children.filter((c) =>
      c.type !== "element" || c.name !== "device" || c.children.length > 1
    );
  }
  dropIfEmpty(def, "blkiotune");
  if (failure) throw failure;
}

/** `virDomainGetBlkioParametersAssignFromDef`: one `path,value,…` string per device field. */
function blkioParameters(def: DomainDef): TypedParams {
  const blkio = section(def, "blkiotune");
  const devices = (blkio?.children ?? []).filter((c): c is XmlElementJSON =>
    c.type === "element" && c.name === "device"
  );
  const out: TypedParams = { weight: Number(text(kid(blkio, "weight")) ?? 0) };
  for (const [param, field] of Object.entries(BLKIO_DEVICE)) {
    out[param] = devices.flatMap((d) => {
      const v = text(kid(d, field));
      return v === undefined ? [] : [text(kid(d, "path")) ?? "", v];
    }).join(",");
  }
  return out;
}

function setPerfEvents(def: DomainDef, p: TypedParams): void {
  const perf = section(def, "perf", true);
  for (const [name, on] of Object.entries(p)) {
    const kids = perf.children.filter((c) => c.type !== "element" || c.attributes.name !== name);
    kids.push({
      type: "element",
      name: "event",
      attributes: { name, enabled: on ? "yes" : "no" },
      children: [],
    });
    const rank = (c: (typeof kids)[number]) =>
      c.type === "element" ? PERF_EVENTS.indexOf(c.attributes.name) : 0;
    perf.children = kids.sort((a, b) => rank(a) - rank(b));
  }
  dropIfEmpty(def, "perf");
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
      const perf = section(oneDef(ref, flags).def, "perf");
      const on = (name: string) =>
        perf?.children.some((c) =>
          c.type === "element" && c.attributes.name === name && c.attributes.enabled === "yes"
        ) ?? false;
      return Object.fromEntries(PERF_EVENTS.map((n) => [n, on(n)]));
    },
    domainSetPerfEvents: (ref, params, flags) => {
      checkFlags(flags, AFFECT, "testDomainSetPerfEvents", F);
      validateTypedParams(
        params,
        Object.fromEntries(PERF_EVENTS.map((n) => [n, "boolean" as const])),
      );
      setPerfEvents(oneDef(ref, flags).def, params);
    },
  });
}
