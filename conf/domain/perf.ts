/**
 * `<perf>`: the perf events (virDomainPerfDefParseXML), one state per event, written in
 * virPerfEvent's enum order whatever the document's order.
 *
 * @example
 * ```ts
 * import { parsePerf } from "./perf.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * parsePerf([parse("<perf><event name='cpu_clock' enabled='no'/><event name='cmt' enabled='yes'/></perf>")]);
 * // cmt first, then cpu_clock
 * ```
 * @module
 */
import { VirError } from "../../util/errors.ts";
import type { XmlElement } from "../../util/xml/mod.ts";
import { children, element } from "../../util/xml/mod.ts";
import { xmlPropEnum } from "../common/mod.ts";

/** virPerfEvent names, in enum order. */
const EVENTS = [
  "cmt",
  "mbmt",
  "mbml",
  "cpu_cycles",
  "instructions",
  "cache_references",
  "cache_misses",
  "branch_instructions",
  "branch_misses",
  "bus_cycles",
  "stalled_cycles_frontend",
  "stalled_cycles_backend",
  "ref_cpu_cycles",
  "cpu_clock",
  "task_clock",
  "page_faults",
  "context_switches",
  "cpu_migrations",
  "page_faults_min",
  "page_faults_maj",
  "alignment_faults",
  "emulation_faults",
] as const;

/** The events of every `<perf>` (libvirt reads `./perf/event`), or undefined for none. */
export function parsePerf(els: XmlElement[]): XmlElement | undefined {
  const states = new Map<string, string>();
  for (const ev of els.flatMap((p) => children(p, "event"))) {
    const name = xmlPropEnum(ev, "name", EVENTS, true)!;
    const enabled = xmlPropEnum(ev, "enabled", ["yes", "no"], true)!;
    if (states.has(name)) {
      throw VirError.report("DOMAIN", "XML_ERROR", `perf event '${name}' was already specified`);
    }
    states.set(name, enabled);
  }
  if (!states.size) return undefined;
  return element(
    "perf",
    {},
    EVENTS.filter((n) => states.has(n)).map((name) =>
      element("event", { name, enabled: states.get(name) })
    ),
  );
}
