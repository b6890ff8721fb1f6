/**
 * `<memtune>`: the memory limits (virDomainParseMemoryLimit / virDomainParseMemory in
 * virDomainDefTunablesParse, and virDomainMemtuneFormat), always written in KiB.
 *
 * @example
 * ```ts
 * import { parseMemtune } from "./memtune.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * parseMemtune(parse("<memtune><hard_limit unit='M'>1</hard_limit></memtune>"));
 * // <memtune><hard_limit unit='KiB'>1024</hard_limit></memtune>
 * ```
 * @module
 */
import { VirError } from "../../util/errors.ts";
import type { XmlElement } from "../../util/xml/mod.ts";
import { children, element } from "../../util/xml/mod.ts";
import { LLONG_MAX } from "../common/mod.ts";
import { scaledValue } from "./scaled.ts";

/** VIR_DOMAIN_MEMORY_PARAM_UNLIMITED: a limit at or above it means no limit. */
const UNLIMITED = (1n << 53n) - 1n;
const LIMITS = ["hard_limit", "soft_limit", "min_guarantee", "swap_hard_limit"];

/** One limit in KiB, or undefined when it is unset (unlimited, or a zero guarantee). */
function limit(el: XmlElement | undefined, name: string): bigint | undefined {
  const xpath = `./memtune/${name}[1]`;
  if (name === "min_guarantee") {
    const bytes = scaledValue(el, xpath, 1024n, LLONG_MAX) ?? 0n;
    const kib = (bytes + 1023n) / 1024n;
    if (kib >= (LLONG_MAX + 1023n) / 1024n) {
      throw VirError.report("DOMAIN", "OVERFLOW", "size value too large");
    }
    return kib || undefined;
  }
  const bytes = scaledValue(el, xpath, 1024n, UNLIMITED << 10n);
  if (bytes === undefined) return undefined;
  const kib = (bytes + 1023n) / 1024n;
  return kib < UNLIMITED ? kib : undefined;
}

/** The `<memtune>` libvirt writes back, or undefined when no limit is set. */
export function parseMemtune(el: XmlElement): XmlElement | undefined {
  const kids = LIMITS.flatMap((name) => {
    const kib = limit(children(el, name)[0], name);
    return kib === undefined ? [] : [element(name, { unit: "KiB" }, [String(kib)])];
  });
  return kids.length ? element("memtune", {}, kids) : undefined;
}
