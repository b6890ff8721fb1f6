/**
 * virParseScaledValue for the domain's optional sized elements (`<tseg>`, `<tb-cache>`,
 * `<memtune>` limits): a whole number scaled by its `unit`.
 *
 * @example
 * ```ts
 * import { scaledValue } from "./scaled.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * scaledValue(parse("<tseg unit='KiB'>4</tseg>"), "./tseg", 1024n); // 4096n
 * ```
 * @module
 */
import { VirError } from "../../util/errors.ts";
import type { XmlElement } from "../../util/xml/mod.ts";
import { textOf } from "../../util/xml/mod.ts";
import { LLONG_MAX, parseULongLong, scaleInteger, ULLONG_MAX } from "../common/mod.ts";

/**
 * The value of `el` in bytes (`scale` bytes per unit without a `unit`), or undefined when the
 * element is absent or empty. `xpath` names the element in the error, as libvirt's caller does.
 */
export function scaledValue(
  el: XmlElement | undefined,
  xpath: string,
  scale: bigint,
  max = ULLONG_MAX,
): bigint | undefined {
  const text = el && textOf(el);
  if (!text) return undefined;
  return scaledText(text, el.attributes.unit, xpath, scale, max);
}

/**
 * A scaled number given as text with its unit (an attribute's value), in bytes; `xpath` names
 * it in the error.
 *
 * @example
 * ```ts
 * import { scaledText } from "./scaled.ts";
 * scaledText("2", "M", "./@size", 1024n); // 2097152n
 * ```
 */
export function scaledText(
  text: string,
  unit: string | undefined,
  xpath: string,
  scale: bigint,
  max = ULLONG_MAX,
): bigint {
  const value = parseULongLong(text);
  if (value === undefined) {
    throw VirError.report(
      "XML",
      "XML_ERROR",
      `Invalid value '${text}' for element or attribute '${xpath}'`,
    );
  }
  return scaleInteger(value, unit, scale, max);
}

/**
 * virDomainParseMemory of a value given as text with its unit: scaled (KiB without a unit) up
 * to LLONG_MAX bytes and kept in KiB, rounded up; `xpath` names it in the errors.
 *
 * @example
 * ```ts
 * import { memoryKiB } from "./scaled.ts";
 * memoryKiB("2", "MiB", "./memory[1]"); // 2048n
 * ```
 */
export function memoryKiB(text: string, unit: string | undefined, xpath: string): bigint {
  const bytes = scaledText(text, unit || undefined, xpath, 1024n, LLONG_MAX);
  const kib = (bytes + 1023n) / 1024n;
  if (kib >= (LLONG_MAX + 1023n) / 1024n) {
    throw VirError.report("DOMAIN", "OVERFLOW", "size value too large");
  }
  return kib;
}
