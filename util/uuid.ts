/**
 * libvirt's virUUIDParse: leading blanks skipped, then 16 pairs of hex digits with `-` or space
 * allowed between pairs (never inside one), then only blanks. Returns the canonical lower-case
 * 8-4-4-4-12 form, or undefined when malformed.
 *
 * @example
 * ```ts
 * import { parseUUID } from "./uuid.ts";
 * parseUUID(" 81FF0D90C91E674264DA4A736EDB9A8C"); // "81ff0d90-c91e-6742-64da-4a736edb9a8c"
 * parseUUID("81ff0d90-c-91e-6742-64da-4a736edb9a8c"); // undefined: a dash inside a pair
 * ```
 */
export function parseUUID(text: string): string | undefined {
  if (typeof text !== "string") return undefined;
  // Character codes rather than a regex per character: every parsed document has a UUID.
  let i = 0;
  while (isBlank(text.charCodeAt(i))) i++;
  let hex = "";
  while (hex.length < 32) {
    const c = text.charCodeAt(i);
    if (c === 0x2d || c === 0x20) {
      i++;
      continue;
    }
    if (!isHex(c) || !isHex(text.charCodeAt(i + 1))) return undefined;
    hex += text[i] + text[i + 1];
    i += 2;
  }
  while (isBlank(text.charCodeAt(i))) i++;
  if (i < text.length) return undefined;
  hex = hex.toLowerCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${
    hex.slice(20)
  }`;
}

/** C's isspace: space, \t, \n, \v, \f, \r (NaN past the end is not). */
function isBlank(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

/**
 * A fresh random (version 4) UUID in canonical form, like libvirt's virUUIDGenerate.
 *
 * @example
 * ```ts
 * import { generateUUID } from "./uuid.ts";
 * generateUUID().length; // 36
 * ```
 */
export function generateUUID(): string {
  return crypto.randomUUID();
}
