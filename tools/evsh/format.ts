/**
 * virsh's value formatting: state and reason names, `%-15s` field labels, and the
 * human-readable sizes of `vshPrettyCapacity`.
 * @module
 */

const DOMAIN_STATES = [
  "no state",
  "running",
  "idle",
  "paused",
  "in shutdown",
  "shut off",
  "crashed",
  "pmsuspended",
];

// Reason names per state, indexed by libvirt's virDomain<State>Reason values.
const DOMAIN_REASONS: readonly (readonly string[])[] = [
  ["unknown"],
  [
    "unknown",
    "booted",
    "migrated",
    "restored",
    "from snapshot",
    "unpaused",
    "migration canceled",
    "save canceled",
    "event wakeup",
    "crashed",
    "post-copy",
    "post-copy failed",
  ],
  ["unknown"],
  [
    "unknown",
    "user",
    "migrating",
    "saving",
    "dumping",
    "I/O error",
    "watchdog",
    "from snapshot",
    "shutting down",
    "creating snapshot",
    "crashed",
    "starting up",
    "post-copy",
    "post-copy failed",
    "api error",
  ],
  ["unknown", "user"],
  [
    "unknown",
    "shutdown",
    "destroyed",
    "crashed",
    "migrated",
    "saved",
    "failed",
    "from snapshot",
    "daemon",
  ],
  ["unknown", "panicked"],
  ["unknown"],
];

/**
 * `virshDomainStateToString`.
 *
 * @example
 * ```ts
 * import { domainStateName } from "./format.ts";
 * domainStateName(5); // "shut off"
 * ```
 */
export function domainStateName(state: number): string {
  return DOMAIN_STATES[state] ?? "no state";
}

/** `virshDomainStateReasonToString`; unknown pairs read "unknown". */
export function domainReasonName(state: number, reason: number): string {
  return DOMAIN_REASONS[state]?.[reason] ?? "unknown";
}

/** `virshVcpuStateToString`. */
export function vcpuStateName(state: number): string {
  return ["offline", "running", "idle"][state] ?? "no state";
}

/**
 * One `Label: value` line with the label padded as `%-15s`.
 *
 * @example
 * ```ts
 * import { field } from "./format.ts";
 * field("Name:", "test"); // "Name:           test\n"
 * ```
 */
export function field(label: string, value: string | number, pad = 15): string {
  return `${label.padEnd(pad)} ${value}\n`;
}

/**
 * `vshPrettyCapacity` as `"%.2lf %s"` (or with `digits` decimals): bytes scaled to the largest binary unit below 1024.
 *
 * @example
 * ```ts
 * import { prettyCapacity } from "./format.ts";
 * prettyCapacity(107374182400); // "100.00 GiB"
 * ```
 */
export function prettyCapacity(bytes: number, digits = 2): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
  let i = 0;
  let v = bytes;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(digits)} ${units[i]}`;
}

/** C's `%.1lf` of nanoseconds as seconds, the CPU-time format of `dominfo`/`vcpuinfo`. */
export function cpuSeconds(ns: number): string {
  return `${(ns / 1e9).toFixed(1)}s`;
}

/**
 * `virBufferEscapeString`'s escapes for XML text and attributes.
 *
 * @example
 * ```ts
 * import { xmlEscape } from "./format.ts";
 * xmlEscape(`<a&'b">`); // "&lt;a&amp;&apos;b&quot;&gt;"
 * ```
 */
export function xmlEscape(s: string): string {
  return s.replace(
    /[<>&"']/g,
    (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;" })[c]!,
  );
}
