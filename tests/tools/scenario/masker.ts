/**
 * scenario.py's Masker: generated UUIDs and MACs become `uuid#N` / `mac#N` so that output is
 * stable run to run; values that occur in the scenario text (case-insensitively) stay.
 * @module
 */

const UUID_RE = /\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b/g;
const MAC_RE = /\b(?:[0-9a-fA-F]{2}:){5}[0-9a-fA-F]{2}\b/g;

/**
 * A line masker for one scenario run: aliases are numbered per kind in order of first
 * appearance over all lines it masks.
 *
 * @example
 * ```ts
 * import { createMasker } from "./masker.ts";
 * const mask = createMasker("[]");
 * console.log(mask('"52:54:00:aa:bb:cc"')); // "mac#1"
 * ```
 */
export function createMasker(scenarioText: string): (line: string) => string {
  const known = scenarioText.toLowerCase();
  const alias = new Map<string, string>();
  const count = { uuid: 0, mac: 0 };
  const sub = (kind: "uuid" | "mac") => (m: string) => {
    const v = m.toLowerCase();
    if (known.includes(v)) return m;
    if (!alias.has(v)) alias.set(v, `${kind}#${++count[kind]}`);
    return alias.get(v)!;
  };
  return (line) => line.replace(UUID_RE, sub("uuid")).replace(MAC_RE, sub("mac"));
}
