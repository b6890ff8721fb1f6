/**
 * libvirt's UUID text handling (`virUUIDParse` / `virUUIDFormat`).
 *
 * @example
 * ```ts
 * import { normalizeUuid } from "./uuid.ts";
 * normalizeUuid("C7A5FDBD-EDAF-9455-926A-D65C16DB1809"); // "c7a5fdbd-edaf-9455-926a-d65c16db1809"
 * ```
 * @module
 */

/**
 * The canonical lowercase 8-4-4-4-12 form of a UUID, or undefined when libvirt would not parse
 * it. Like libvirt, hex pairs may be separated by dashes anywhere and surrounded by spaces.
 */
export function normalizeUuid(text: string): string | undefined {
  const s = text.trim();
  let hex = "";
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === "-") {
      if (hex.length % 2 !== 0) return undefined;
      continue;
    }
    if (!/[0-9a-fA-F]/.test(c) || hex.length === 32) return undefined;
    hex += c.toLowerCase();
  }
  if (hex.length !== 32) return undefined;
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${
    hex.slice(20)
  }`;
}

/**
 * A random (version 4) UUID, as libvirt generates for a definition without one.
 *
 * @example
 * ```ts
 * import { generateUuid } from "./uuid.ts";
 * generateUuid().length; // 36
 * ```
 */
export function generateUuid(): string {
  return crypto.randomUUID();
}
