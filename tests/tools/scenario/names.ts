/**
 * Names scenario.py derives from python-libvirt's module constants, derived here the same way
 * from `VIR` (which holds every `VIR_*` integer constant of python3-libvirt): flag names, error
 * code/domain names, domain state, state reason and lifecycle event names.
 * @module
 */
import { VIR } from "../../../mod.ts";

const TABLE = VIR as Record<string, number>;
/** `dir(libvirt)`'s `VIR_*` names in its (sorted) order, for first-match lookups. */
const SORTED = Object.keys(TABLE).sort().map((k) => "VIR_" + k);
const value = (cName: string): number | undefined => TABLE[cName.slice(4)];

/** Python dict comprehension over dir(): for equal values the last name in sorted order wins. */
function lastByValue(prefix: string, exclude: string[] = []): Map<number, string> {
  const m = new Map<number, string>();
  for (const n of SORTED) if (n.startsWith(prefix) && !exclude.includes(n)) m.set(value(n)!, n);
  return m;
}

const ERR_NAMES = lastByValue("VIR_ERR_", ["VIR_ERR_NONE", "VIR_ERR_WARNING", "VIR_ERR_ERROR"]);
const FROM_NAMES = lastByValue("VIR_FROM_");
const STATES = [
  "NOSTATE",
  "RUNNING",
  "BLOCKED",
  "PAUSED",
  "SHUTDOWN",
  "SHUTOFF",
  "CRASHED",
  "PMSUSPENDED",
];
const STATE_NAMES = new Map(STATES.map((s) => [TABLE["DOMAIN_" + s], s]));
const EV_TYPES = [
  "DEFINED",
  "UNDEFINED",
  "STARTED",
  "SUSPENDED",
  "RESUMED",
  "STOPPED",
  "SHUTDOWN",
  "PMSUSPENDED",
  "CRASHED",
];

/** scenario.py's error code name (`VIR_ERR_…`) or null. */
export function errCodeName(code: number): string | null {
  return ERR_NAMES.get(code) ?? null;
}

/** scenario.py's error domain name (`VIR_FROM_…`) or null. */
export function errDomainName(domain: number): string | null {
  return FROM_NAMES.get(domain) ?? null;
}

/** scenario.py's STATE_NAMES.get(st, st). */
export function stateName(state: number): string | number {
  return STATE_NAMES.get(state) ?? state;
}

/** First name in dir() order with the prefix and the value, not ending in _LAST. */
function firstSuffix(prefix: string, v: number): string | undefined {
  const n = SORTED.find((n) => n.startsWith(prefix) && value(n) === v && !n.endsWith("_LAST"));
  return n?.slice(prefix.length);
}

/** scenario.py's reason_name: the state reason without prefix, or null. */
export function reasonName(state: number, reason: number): string | null {
  return firstSuffix(`VIR_DOMAIN_${STATE_NAMES.get(state) ?? "?"}_`, reason) ?? null;
}

/** scenario.py's event_names: `[EVENT, DETAIL]` of a lifecycle event. */
export function eventNames(event: number, detail: number): [string, string] {
  const t = event >= 0 && event < EV_TYPES.length ? EV_TYPES[event] : String(event);
  return [t, firstSuffix(`VIR_DOMAIN_EVENT_${t}_`, detail) ?? String(detail)];
}

/** A constant of the python module by full name (`hasattr(libvirt, name)`), or undefined. */
function moduleConstant(name: string): number | undefined {
  return name.startsWith("VIR_") ? value(name) : undefined;
}

/**
 * scenario.py's resolve_flags: an int, a name or a list of both, OR-ed; a name is tried as
 * given, then with VIR_, VIR_DOMAIN_, VIR_CONNECT_, VIR_NETWORK_. Throws the harness message.
 *
 * @example
 * ```ts
 * import { resolveFlags } from "./names.ts";
 * console.log(resolveFlags(["AFFECT_LIVE", "VCPU_MAXIMUM"])); // 5
 * ```
 */
export function resolveFlags(v: unknown): number {
  if (v === null || v === undefined) return 0;
  if (typeof v === "number" || typeof v === "boolean") return Number(v);
  const list = typeof v === "string" ? [v] : v as unknown[];
  let total = 0;
  for (const n of list) {
    if (typeof n === "number" || typeof n === "boolean") {
      total |= Number(n);
      continue;
    }
    const name = String(n);
    const hit = ["", "VIR_", "VIR_DOMAIN_", "VIR_CONNECT_", "VIR_NETWORK_"]
      .map((prefix) => moduleConstant(prefix + name))
      .find((x) => x !== undefined);
    if (hit === undefined) throw new FlagError(`unknown flag constant ${pyRepr(name)}`);
    total |= hit;
  }
  // JavaScript's | works on signed 32 bits; libvirt flags are unsigned
  return total >>> 0;
}

/** A scenario error raised while building a call (scenario.py's ValueError). */
export class FlagError extends Error {}

/** Python's repr() of a str, as f-strings with !r print it. */
export function pyRepr(s: string): string {
  const q = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = q;
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === q || ch === "\\") out += "\\" + ch;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (cp < 0x20 || cp === 0x7f) out += "\\x" + cp.toString(16).padStart(2, "0");
    else out += ch;
  }
  return out + q;
}
