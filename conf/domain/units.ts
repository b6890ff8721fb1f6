/**
 * libvirt's scaled integers (`virScaleInteger`, `virDomainParseMemory`): a value with a `unit`
 * suffix such as `KiB`, `MB` or `G`, normalised to KiB the way the domain parser stores memory.
 *
 * @example
 * ```ts
 * import { scaleToKiB } from "./units.ts";
 * scaleToKiB("10", "MB"); // 9766 (10 000 000 bytes, rounded up to whole KiB)
 * ```
 * @module
 */
import { VirError } from "../../util/errors.ts";

const POWERS: Record<string, number> = { k: 1, m: 2, g: 3, t: 4, p: 5, e: 6 };

/**
 * The byte multiplier of a unit suffix (`b`, `bytes`, `KB` = 1000, `K`/`KiB` = 1024, …), or
 * undefined when libvirt does not know the suffix.
 */
export function unitScale(unit: string): number | undefined {
  if (unit === "" || unit === "b" || unit === "B" || unit === "byte" || unit === "bytes") {
    return 1;
  }
  const power = POWERS[unit[0].toLowerCase()];
  if (power === undefined) return undefined;
  const rest = unit.slice(1);
  if (rest === "" || rest === "iB") return 1024 ** power;
  if (rest === "B") return 1000 ** power;
  return undefined;
}

/**
 * Converts `value` in `unit` (default KiB) to KiB, rounding up like libvirt. Throws libvirt's
 * "unknown suffix" (VIR_ERR_INVALID_ARG, no error domain) for a bad unit.
 */
export function scaleToKiB(value: string, unit: string | undefined): number {
  const scale = unitScale(unit ?? "KiB");
  if (scale === undefined) {
    throw VirError.report("NONE", "INVALID_ARG", `unknown suffix '${unit}'`);
  }
  const n = Number(value.trim());
  return Math.ceil((n * scale) / 1024);
}
