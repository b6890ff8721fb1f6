/**
 * `<blkiotune>`: the block I/O weights and per-device limits (virDomainDefTunablesParse's blkio
 * part and virDomainDefFormatBlkiotune).
 *
 * @example
 * ```ts
 * import { parseBlkiotune } from "./blkiotune.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * parseBlkiotune([parse(
 *   "<blkiotune><device><path>/dev/sda</path><read_bytes_sec>8</read_bytes_sec></device></blkiotune>",
 * )]);
 * ```
 * @module
 */
import { VirError } from "../../util/errors.ts";
import type { XmlElement } from "../../util/xml/mod.ts";
import { children, childText, element } from "../../util/xml/mod.ts";
import { parseUInt, parseULongLong } from "../common/mod.ts";

/** Per-device limits: element, message noun, 64-bit; in output order. */
const LIMITS: [string, string, boolean][] = [
  ["weight", "weight", false],
  ["read_iops_sec", "read iops sec", false],
  ["write_iops_sec", "write iops sec", false],
  ["read_bytes_sec", "read bytes sec", true],
  ["write_bytes_sec", "write bytes sec", true],
];
/** The order libvirt reads (and so reports errors for) the limits. */
const READ_ORDER = [
  "weight",
  "read_bytes_sec",
  "write_bytes_sec",
  "read_iops_sec",
  "write_iops_sec",
];

function parseDevice(dev: XmlElement): XmlElement | undefined {
  const path = childText(dev, "path");
  if (!path) throw VirError.report("DOMAIN", "CONFIG_UNSUPPORTED", "missing per-device path");
  const values = new Map<string, string>();
  for (const name of READ_ORDER) {
    const text = childText(dev, name);
    if (!text) continue;
    const [, noun, wide] = LIMITS.find((l) => l[0] === name)!;
    const v = wide ? parseULongLong(text) : parseUInt(text);
    if (v === undefined) {
      throw VirError.report("DOMAIN", "CONFIG_UNSUPPORTED", `could not parse ${noun} ${text}`);
    }
    if (String(v) !== "0") values.set(name, String(v));
  }
  // A device without any limit is not written.
  if (!values.size) return undefined;
  return element("device", {}, [
    element("path", {}, [path]),
    ...LIMITS.flatMap(([name]) => values.has(name) ? [element(name, {}, [values.get(name)!])] : []),
  ]);
}

/** The `<blkiotune>` libvirt writes back for the document's ones, or undefined for none. */
export function parseBlkiotune(els: XmlElement[]): XmlElement | undefined {
  // virXPathUInt over the first weight: anything unreadable counts as no weight.
  const weight = parseUInt(childText(els[0], "weight") ?? "") || undefined;
  const devices = els.flatMap((b) => children(b, "device")).flatMap((d) => parseDevice(d) ?? []);
  if (!weight && !devices.length) return undefined;
  return element("blkiotune", {}, [
    weight !== undefined && element("weight", {}, [String(weight)]),
    ...devices,
  ]);
}
