import { VirError } from "../../util/errors.ts";

/** libvirt's ULLONG_MAX, the default limit of a scaled value. */
export const ULLONG_MAX = (1n << 64n) - 1n;
/** libvirt's LLONG_MAX: storage sizes are off_t, so they stay below 2^63. */
export const LLONG_MAX = (1n << 63n) - 1n;

const POWERS: Record<string, number> = { k: 1, m: 2, g: 3, t: 4, p: 5, e: 6 };

/**
 * libvirt's virScaleInteger: multiplies `value` by the factor that `unit` names (`b`/`bytes`,
 * `KiB`/`k` = 1024, `KB` = 1000, … up to exabytes; case-insensitive), or by `scale` when `unit`
 * is empty. Errors are reported from libvirt's util code, so they carry error domain NONE.
 *
 * @example
 * ```ts
 * import { scaleInteger } from "./units.ts";
 * scaleInteger(10n, "GB", 1n, 1n << 63n); // 10000000000n
 * ```
 */
export function scaleInteger(
  value: bigint,
  unit: string | undefined,
  scale: bigint,
  limit: bigint,
): bigint {
  const suffix = unit ?? "";
  let factor = scale;
  if (suffix !== "") {
    const lower = suffix.toLowerCase();
    if (lower === "b" || lower === "byte" || lower === "bytes") {
      factor = 1n;
    } else {
      let base: bigint;
      if (suffix.length === 1 || lower.slice(1) === "ib") base = 1024n;
      else if (lower[1] === "b" && suffix.length === 2) base = 1000n;
      else throw VirError.report("NONE", "INVALID_ARG", `unknown suffix '${suffix}'`);
      const power = POWERS[lower[0]];
      if (power === undefined) {
        throw VirError.report("NONE", "INVALID_ARG", `unknown suffix '${suffix}'`);
      }
      factor = base ** BigInt(power);
    }
  }
  // libvirt tests value > limit / factor; for whole numbers that is product > limit, which
  // spares a BigInt division on every memory and capacity element.
  const product = value * factor;
  if (product > limit) {
    throw VirError.report("NONE", "OVERFLOW", `value too large: ${value}${suffix}`);
  }
  return product;
}

/**
 * libvirt's virStrToLong_ullp: a whole decimal string (leading blanks allowed, no sign), or
 * undefined when it is not one or does not fit in 64 bits.
 *
 * @example
 * ```ts
 * import { parseULongLong } from "./units.ts";
 * parseULongLong(" 42"); // 42n
 * parseULongLong("-1"); // undefined
 * ```
 */
export function parseULongLong(text: string): bigint | undefined {
  const m = /^[ \t\n\v\f\r]*\+?([0-9]+)$/.exec(text);
  if (!m) return undefined;
  const v = BigInt(m[1]);
  return v > ULLONG_MAX ? undefined : v;
}

/**
 * A storage size (`<capacity unit='GiB'>10</capacity>`) in bytes, the way libvirt's
 * virStorageSize reads it: `malformed <what> element` when the number is bad, unit errors as
 * in {@link scaleInteger}, limited to 2^63 - 1.
 *
 * @example
 * ```ts
 * import { parseStorageSize } from "./units.ts";
 * parseStorageSize("10", "GB", "STORAGE"); // 10000000000
 * ```
 */
export function parseStorageSize(
  text: string,
  unit: string | undefined,
  errorDomain: string,
  what = "capacity",
): number {
  const v = parseULongLong(text);
  if (v === undefined) {
    throw VirError.report(errorDomain, "XML_ERROR", `malformed ${what} element`);
  }
  return Number(scaleInteger(v, unit, 1n, LLONG_MAX));
}
