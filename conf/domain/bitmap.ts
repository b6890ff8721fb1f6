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

/** libvirt's VIR_DOMAIN_CPUMASK_LEN: the size of a domain's CPU and node bitmaps. */
const CPUMASK_LEN = 16384;

/**
 * The sorted members of a list like `1-4,^2,8`, read as libvirt's virBitmapParse reads it
 * (blanks around numbers and commas, `^N` removes one member, members below
 * VIR_DOMAIN_CPUMASK_LEN); anything else is its "Failed to parse bitmap" (util/, no domain).
 */
export function parseBitmap(text: string): number[] {
  const bad = () => VirError.report("NONE", "INVALID_ARG", `Failed to parse bitmap '${text}'`);
  const set = new Set<number>();
  // virStrToLong_i's number (blanks and a sign allowed), then virSkipSpaces.
  const num = /^[ \t\n\v\f\r]*([+-]?[0-9]+)[ \t\n\v\f\r]*/;
  let cur = text.replace(/^[ \t\n\v\f\r]+/, "");
  if (cur === "") throw bad();
  while (cur !== "") {
    const neg = cur.startsWith("^");
    if (neg) cur = cur.slice(1);
    if (!/^[0-9]/.test(cur)) throw bad();
    let m = num.exec(cur);
    if (!m) throw bad();
    const start = Number(m[1]);
    if (start > 0x7fffffff || start >= CPUMASK_LEN) throw bad();
    cur = cur.slice(m[0].length);
    if (cur === "" || cur.startsWith(",")) {
      if (neg) set.delete(start);
      else set.add(start);
    } else if (cur.startsWith("-")) {
      if (neg) throw bad();
      m = num.exec(cur.slice(1));
      if (!m) throw bad();
      const last = Number(m[1]);
      if (last < start || last > 0x7fffffff || last >= CPUMASK_LEN) throw bad();
      for (let i = start; i <= last; i++) set.add(i);
      cur = cur.slice(1 + m[0].length);
    }
    if (cur.startsWith(",")) cur = cur.slice(1).replace(/^[ \t\n\v\f\r]+/, "");
    else if (cur !== "") throw bad();
  }
  return [...set].sort((a, b) => a - b);
}

/**
 * A `cpuset` list (`<vcpu>`, `<vcpupin>`, `<emulatorpin>`, `<iothreadpin>`): a bitmap that must
 * not be empty, as libvirt checks with virBitmapIsAllClear.
 */
export function parseCpuset(text: string): number[] {
  const members = parseBitmap(text);
  if (!members.length) {
    throw VirError.report("DOMAIN", "CONFIG_UNSUPPORTED", `Invalid value of 'cpuset': ${text}`);
  }
  return members;
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
