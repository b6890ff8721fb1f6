/**
 * A disk's `<iotune>` as the block I/O tune calls read and write it
 * (`virDomainGetBlockIoTune` / `virDomainSetBlockIoTune`): libvirt's parameter names, in its
 * order (also the order of `<iotune>`'s children).
 *
 * @module
 */
import type { XmlElementJSON } from "./def.ts";
import { VirError } from "../../util/errors.ts";
import { childText, element, type XmlElement } from "../../util/xml/mod.ts";
import { parseULongLong } from "../common/units.ts";
import { kidOrder, setChild } from "./tune_xml.ts";
import type { TypedParamType } from "../../util/typed_params.ts";

const RATES = ["total_bytes_sec", "read_bytes_sec", "write_bytes_sec"];
const IOPS = ["total_iops_sec", "read_iops_sec", "write_iops_sec"];

/** The block I/O tune parameters in libvirt's order. */
export const IOTUNE_PARAMS: readonly string[] = [
  ...RATES,
  ...IOPS,
  ...[...RATES, ...IOPS].map((n) => `${n}_max`),
  "size_iops_sec",
  "group_name",
  ...[...RATES, ...IOPS].map((n) => `${n}_max_length`),
];

/** Each parameter's typed-parameter type, for `validateTypedParams`. */
export const IOTUNE_TYPES: Record<string, TypedParamType> = Object.fromEntries(
  IOTUNE_PARAMS.map((n) => [n, n === "group_name" ? "string" : "ullong"]),
);

/** One disk's values: numbers, and the group name ("" for none). */
export type IotuneInfo = Record<string, number | string>;

function kid(el: XmlElementJSON | undefined, name: string): XmlElementJSON | undefined {
  return el?.children.find((c): c is XmlElementJSON => c.type === "element" && c.name === name);
}

/**
 * Every parameter of the disk's `<iotune>` (0 or "" when absent).
 *
 * @example
 * ```ts
 * import { iotuneOf } from "./iotune.ts";
 * import type { XmlElementJSON } from "./def.ts";
import { VirError } from "../../util/errors.ts";
import { childText, element, type XmlElement } from "../../util/xml/mod.ts";
import { parseULongLong } from "../common/units.ts";
 * declare const disk: XmlElementJSON;
 * iotuneOf(disk).total_bytes_sec; // 0
 * ```
 */
export function iotuneOf(disk: XmlElementJSON): IotuneInfo {
  const iotune = kid(disk, "iotune");
  return Object.fromEntries(IOTUNE_PARAMS.map((n) => {
    const t = kid(iotune, n)?.children[0];
    const v = t && t.type === "text" ? t.text : undefined;
    return [n, n === "group_name" ? v ?? "" : Number(v ?? 0)];
  }));
}

/**
 * Writes `info` as the disk's `<iotune>` (the non-zero values; none at all removes it).
 *
 * @example
 * ```ts
 * import { iotuneOf, setIotune } from "./iotune.ts";
 * import type { XmlElementJSON } from "./def.ts";
import { VirError } from "../../util/errors.ts";
import { childText, element, type XmlElement } from "../../util/xml/mod.ts";
import { parseULongLong } from "../common/units.ts";
 * declare const disk: XmlElementJSON;
 * setIotune(disk, { ...iotuneOf(disk), total_bytes_sec: 1000 });
 * ```
 */
export function setIotune(disk: XmlElementJSON, info: IotuneInfo): void {
  const kids = IOTUNE_PARAMS.filter((n) => info[n]).map((n): XmlElementJSON => ({
    type: "element",
    name: n,
    attributes: {},
    children: [{ type: "text", text: String(info[n]) }],
  }));
  const iotune: XmlElementJSON | undefined = kids.length
    ? { type: "element", name: "iotune", attributes: {}, children: kids }
    : undefined;
  setChild(disk, "iotune", iotune, kidOrder("disk", "devices"));
}

/**
 * virDomainDiskDefIotuneParse and virDomainDiskDefFormatIotune: a disk's `<iotune>` as libvirt
 * writes it back (its non-zero limits and its group, in libvirt's order; nothing for none).
 * Throws libvirt's error for a limit that is not a number.
 *
 * @example
 * ```ts
 * import { parseIotune } from "./iotune.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * parseIotune(parse("<iotune><total_iops_sec>0</total_iops_sec></iotune>")); // undefined
 * ```
 */
export function parseIotune(iotune: XmlElement | undefined): XmlElement | undefined {
  if (!iotune) return undefined;
  const kids = IOTUNE_PARAMS.flatMap((n) => {
    // virXPathString / virXPathULongLong: the first such child's text, empty meaning none.
    const text = childText(iotune, n);
    if (n === "group_name") return text ? [element(n, {}, [text])] : [];
    if (!text) return [];
    const v = parseULongLong(text);
    if (v === undefined) {
      throw VirError.report("DOMAIN", "XML_ERROR", `disk iotune field '${n}' must be an integer`);
    }
    return v ? [element(n, {}, [String(v)])] : [];
  });
  return kids.length ? element("iotune", {}, kids) : undefined;
}

/**
 * Whether a disk's `<iotune>` sets anything QEMU throttles (virDomainBlockIoTuneInfoHasAny):
 * any limit, the group name aside.
 *
 * @example
 * ```ts
 * import { iotuneHasAny } from "./iotune.ts";
 * import type { XmlElementJSON } from "./def.ts";
import { VirError } from "../../util/errors.ts";
import { childText, element, type XmlElement } from "../../util/xml/mod.ts";
import { parseULongLong } from "../common/units.ts";
 * declare const disk: XmlElementJSON;
 * iotuneHasAny(disk); // false without <iotune>
 * ```
 */
export function iotuneHasAny(disk: XmlElementJSON): boolean {
  const info = iotuneOf(disk);
  return IOTUNE_PARAMS.some((n) => n !== "group_name" && info[n]);
}
