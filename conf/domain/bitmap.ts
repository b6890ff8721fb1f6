/**
 * libvirt's CPU/node lists (`virBitmapParse` / `virBitmapFormat`): `0-3,^2,8` style sets.
 *
 * @example
 * ```ts
 * import { formatBitmap, parseBitmap } from "./bitmap.ts";
 * formatBitmap(parseBitmap("0-5,^4")); // "0-3,5"
 * ```
 * @module
 */
import { VirError } from "../../util/errors.ts";

/** The sorted members of a list like `1-4,^2,8`; throws libvirt's error on a bad list. */
export function parseBitmap(text: string): number[] {
  const set = new Set<number>();
  const bad = () => VirError.report("DOMAIN", "INVALID_ARG", `Failed to parse bitmap '${text}'`);
  for (const raw of text.split(",")) {
    const part = raw.trim();
    if (part === "") throw bad();
    const neg = part.startsWith("^");
    const body = neg ? part.slice(1) : part;
    const dash = body.indexOf("-");
    const lo = Number(dash < 0 ? body : body.slice(0, dash));
    const hi = dash < 0 ? lo : Number(body.slice(dash + 1));
    if (!Number.isInteger(lo) || !Number.isInteger(hi) || lo < 0 || hi < lo || hi > 65535) {
      throw bad();
    }
    for (let i = lo; i <= hi; i++) neg ? set.delete(i) : set.add(i);
  }
  return [...set].sort((a, b) => a - b);
}

/** Formats sorted members as libvirt does: ranges joined with commas (`0-3,5`). */
export function formatBitmap(members: readonly number[]): string {
  const out: string[] = [];
  for (let i = 0; i < members.length;) {
    let j = i;
    while (j + 1 < members.length && members[j + 1] === members[j] + 1) j++;
    out.push(i === j ? `${members[i]}` : `${members[i]}-${members[j]}`);
    i = j + 1;
  }
  return out.join(",");
}

/** Normalises a list's text (`0-5,^4` → `0-3,5`). */
export function normalizeBitmap(text: string): string {
  return formatBitmap(parseBitmap(text));
}
