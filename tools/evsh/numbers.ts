/**
 * libvirt's number parsers as virsh uses them (`virStrToLong_*` over C's `strtol`/`strtoul`,
 * and `virScaleInteger`): leading blanks and a sign are accepted, the whole string must be
 * digits after that, and each variant has its own range and its own view of a minus sign.
 * @module
 */
import { VirError } from "../../util/errors.ts";

/** The integer kinds of `virStrToLong_*`: size, signedness and whether `-` wraps or fails. */
export type IntKind = "i" | "ui" | "uip" | "l" | "ul" | "ulp" | "ll" | "ull" | "ullp";

const U64 = (1n << 64n) - 1n;
const LIMITS: Record<IntKind, [bigint, bigint]> = {
  i: [-(1n << 31n), (1n << 31n) - 1n],
  ui: [0n, 0xffffffffn],
  uip: [0n, 0xffffffffn],
  l: [-(1n << 63n), (1n << 63n) - 1n],
  ll: [-(1n << 63n), (1n << 63n) - 1n],
  ul: [0n, U64],
  ulp: [0n, U64],
  ull: [0n, U64],
  ullp: [0n, U64],
};

/** `strtol`'s prefix: blanks, an optional sign, decimal digits; the rest is the suffix. */
function prefix(s: string): { neg: boolean; mag: bigint; rest: string } | undefined {
  const m = /^[ \t\n\v\f\r]*([+-]?)(\d+)/.exec(s);
  if (!m) return undefined;
  return { neg: m[1] === "-", mag: BigInt(m[2]), rest: s.slice(m[0].length) };
}

/**
 * Parses `s` as `virStrToLong_<kind>` does with a NULL end pointer (nothing may follow the
 * digits); undefined where libvirt fails. With `allowSuffix`, returns the unparsed rest.
 *
 * @example
 * ```ts
 * import { strToLong } from "./numbers.ts";
 * strToLong("-1", "ui")?.value; // 4294967295n
 * strToLong("-1", "uip"); // undefined
 * ```
 */
export function strToLong(
  s: string,
  kind: IntKind,
  allowSuffix = false,
): { value: bigint; rest: string } | undefined {
  const p = prefix(s);
  if (!p || (!allowSuffix && p.rest !== "")) return undefined;
  const [min, max] = LIMITS[kind];
  if (kind === "i" || kind === "l" || kind === "ll") {
    const v = p.neg ? -p.mag : p.mag;
    return v < min || v > max ? undefined : { value: v, rest: p.rest };
  }
  // strtoul: the magnitude must fit 64 bits, then a minus negates modulo 2^64.
  if (p.mag > U64) return undefined;
  if (p.neg && kind.endsWith("p")) return undefined;
  if (kind === "ui" && p.neg) {
    // virStrToLong_ui takes "-N" as UINT_MAX+1-N when N fits 32 bits.
    return p.mag > 0xffffffffn
      ? undefined
      : { value: (0x100000000n - p.mag) & 0xffffffffn, rest: p.rest };
  }
  const v = p.neg ? (U64 + 1n - p.mag) & U64 : p.mag;
  return v > max ? undefined : { value: v, rest: p.rest };
}

/**
 * `virStrToLong_ullp` + `virScaleInteger(scale, max)`: bytes (or units of `scale`), or the
 * libvirt error `virScaleInteger` reports (undefined for a malformed number, which it never sees).
 *
 * @example
 * ```ts
 * import { scaledInteger } from "./numbers.ts";
 * scaledInteger("2M", 1024, 2n ** 64n - 1n); // 2097152n
 * ```
 */
export function scaledInteger(
  s: string,
  scale: number,
  max: bigint,
): bigint | VirError | undefined {
  const p = strToLong(s, "ullp", true);
  if (!p) return undefined;
  const suffix = p.rest;
  let factor = BigInt(scale);
  if (suffix !== "") {
    const low = suffix.toLowerCase();
    if (low === "b" || low === "byte" || low === "bytes") factor = 1n;
    else {
      let base: bigint;
      if (suffix.length === 1 || suffix.slice(1).toLowerCase() === "ib") base = 1024n;
      else if (suffix[1].toLowerCase() === "b" && suffix.length === 2) base = 1000n;
      else return VirError.report("NONE", "INVALID_ARG", `unknown suffix '${suffix}'`);
      const power = "kmgtpe".indexOf(low[0]) + 1;
      if (power === 0) return VirError.report("NONE", "INVALID_ARG", `unknown suffix '${suffix}'`);
      factor = base ** BigInt(power);
    }
  }
  if (p.value && p.value > max / factor) {
    return VirError.report("NONE", "OVERFLOW", `value too large: ${p.value}${suffix}`);
  }
  return p.value * factor;
}
