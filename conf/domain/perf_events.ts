/**
 * `<perf>` of a domain definition: libvirt's perf event names (`virPerfEvent`) and the events'
 * `enabled` marks as the perf calls read and write them (`virDomainGetPerfEvents` /
 * `virDomainSetPerfEvents`).
 *
 * @module
 */
import type { DomainDef } from "./def.ts";
import { dropIfEmpty, section } from "./tune_xml.ts";
import type { TypedParams } from "../../util/contract/types.ts";
import { validateTypedParams } from "../../util/typed_params.ts";

/** `virPerfEvent` names in enum order. */
export const PERF_EVENTS: readonly string[] = (
  "cmt mbmt mbml cpu_cycles instructions cache_references cache_misses branch_instructions " +
  "branch_misses bus_cycles stalled_cycles_frontend stalled_cycles_backend ref_cpu_cycles " +
  "cpu_clock task_clock page_faults context_switches cpu_migrations page_faults_min " +
  "page_faults_maj alignment_faults emulation_faults"
).split(" ");

/**
 * Every perf event with whether `def` enables it.
 *
 * @example
 * ```ts
 * import { perfEvents } from "./perf_events.ts";
 * import type { DomainDef } from "./def.ts";
 * declare const def: DomainDef;
 * perfEvents(def).cpu_cycles; // false
 * ```
 */
export function perfEvents(def: DomainDef): TypedParams {
  const perf = section(def, "perf");
  const on = (name: string) =>
    perf?.children.some((c) =>
      c.type === "element" && c.attributes.name === name && c.attributes.enabled === "yes"
    ) ?? false;
  return Object.fromEntries(PERF_EVENTS.map((n) => [n, on(n)]));
}

/**
 * `virTypedParamsValidate` of the perf calls: known event names, booleans.
 *
 * @example
 * ```ts
 * import { validatePerfParams } from "./perf_events.ts";
 * validatePerfParams({ cpu_cycles: true });
 * ```
 */
export function validatePerfParams(p: TypedParams): void {
  validateTypedParams(p, Object.fromEntries(PERF_EVENTS.map((n) => [n, "boolean" as const])));
}

/**
 * Marks each event of `p` enabled or not in `def`'s `<perf>`, in libvirt's event order.
 *
 * @example
 * ```ts
 * import { setPerfEvents } from "./perf_events.ts";
 * import type { DomainDef } from "./def.ts";
 * declare const def: DomainDef;
 * setPerfEvents(def, { cpu_cycles: true }); // <perf><event name='cpu_cycles' enabled='yes'/>
 * ```
 */
export function setPerfEvents(def: DomainDef, p: TypedParams): void {
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
