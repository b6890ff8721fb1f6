/**
 * The `<memoryBacking>` part of virDomainDefParseMemory, which libvirt reads right after the
 * memory sizes (before the tunables, the vCPUs' pins and the CPU): its source, access and
 * allocation modes, the allocation threads, and each hugepage (with its node set).
 *
 * @example
 * ```ts
 * import { checkMemoryBacking } from "./memory_backing.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * checkMemoryBacking(parse("<domain><memoryBacking><access mode='shared'/></memoryBacking></domain>"));
 * ```
 * @module
 */
import { VirError } from "../../util/errors.ts";
import { child, children, element, type XmlElement } from "../../util/xml/mod.ts";
import { parseUInt } from "../common/values.ts";
import { parseHugepage } from "./hugepages.ts";

/** Each mode's attribute and its enum values (index 0, the unset value, is refused too). */
const MODES: [string, string, string[]][] = [
  ["source", "type", ["none", "file", "anonymous", "memfd"]],
  ["access", "mode", ["default", "shared", "private"]],
  ["allocation", "mode", ["none", "immediate", "ondemand"]],
];

/** Throws libvirt's error for the first of these checks the domain `root` fails. */
export function checkMemoryBacking(root: XmlElement): void {
  const backing = child(root, "memoryBacking");
  for (const [name, attr, values] of MODES) {
    // virXPathString: an empty value is no value.
    const v = child(backing, name)?.attributes[attr];
    if (v && values.indexOf(v) <= 0) {
      throw VirError.report(
        "DOMAIN",
        "CONFIG_UNSUPPORTED",
        `unknown memoryBacking/${name}/${attr} '${v}'`,
      );
    }
  }
  const threads = child(backing, "allocation")?.attributes.threads;
  if (threads && parseUInt(threads) === undefined) {
    throw VirError.report("DOMAIN", "XML_ERROR", "Failed to parse memory allocation threads");
  }
  for (const page of children(child(backing, "hugepages"), "page")) parseHugepage(page);
}

/**
 * The `<allocation>` libvirt writes back (virDomainMemoryBackingFormat): its mode, and its
 * threads as the number parsed, when there are any; none when both are unset.
 */
export function allocationElement(el: XmlElement): XmlElement | undefined {
  const threads = parseUInt(el.attributes.threads || undefined) || undefined;
  // virXPathString: an empty mode is no mode.
  const mode = el.attributes.mode || undefined;
  const out = element("allocation", { mode, threads: threads?.toString() });
  return Object.keys(out.attributes).length ? out : undefined;
}
