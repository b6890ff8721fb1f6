/**
 * libvirt's virUUIDParse: 32 hex digits, `-` allowed between them, blanks allowed around;
 * returns the canonical lower-case 8-4-4-4-12 form, or undefined when malformed.
 *
 * @example
 * ```ts
 * import { parseUUID } from "./uuid.ts";
 * parseUUID("81FF0D90C91E674264DA4A736EDB9A8C"); // "81ff0d90-c91e-6742-64da-4a736edb9a8c"
 * parseUUID("nope"); // undefined
 * ```
 */
export function parseUUID(text: string): string | undefined {
  const s = text.replace(/^[ \t\n\v\f\r]+/, "");
  let hex = "";
  let i = 0;
  while (hex.length < 32) {
    const c = s[i];
    if (c === undefined) return undefined;
    if (c === "-") {
      i++;
      continue;
    }
    if (!/[0-9a-fA-F]/.test(c)) return undefined;
    hex += c;
    i++;
  }
  if (!/^[ \t\n\v\f\r]*$/.test(s.slice(i))) return undefined;
  hex = hex.toLowerCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${
    hex.slice(20)
  }`;
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
