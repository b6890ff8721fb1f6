/**
 * The guest's heterogeneous memory attributes (HMAT): each NUMA cell's memory-side `<cache>`s
 * (virDomainNumaDefNodeCacheParseXML) and the `<interconnects>` latencies and bandwidths
 * between cells, read, checked (virDomainNumaDefValidate) and written back as libvirt 9.0 does
 * (virNumaCacheFormat, virNumaInterconnectFormat).
 *
 * @example
 * ```ts
 * import { parseCellCaches } from "./numa_hmat.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * const cell = parse("<cell><cache level='1' associativity='direct' policy='writeback'>" +
 *   "<size value='10'/><line value='8'/></cache></cell>");
 * parseCellCaches(cell, 0)[0].attributes; // { level: "1", associativity: "direct", policy: "writeback" }
 * ```
 * @module
 */
import { VirError } from "../../util/errors.ts";
import type { XmlElement } from "../../util/xml/mod.ts";
import { children, element } from "../../util/xml/mod.ts";
import { parseUIntPositive, parseULongLong, xmlPropEnum, xmlPropUInt } from "../common/mod.ts";
import { memoryKiB, scaledText } from "./scaled.ts";
import { parseBitmap } from "./bitmap.ts";

const xmlErr = (msg: string) => VirError.report("DOMAIN", "XML_ERROR", msg);

/** A value that virParseScaledValue requires, with its error for a missing one. */
function required(el: XmlElement | undefined, xpath: string): string {
  const v = el?.attributes.value;
  if (!v) throw VirError.report("XML", "XML_ERROR", `missing element or attribute '${xpath}'`);
  return v;
}

/**
 * A cell's `<cache>` elements as libvirt writes them; `id` is the cell's, for the errors. The
 * size and line are read without their units: libvirt looks for `unit` elements, not attributes.
 */
export function parseCellCaches(cell: XmlElement, id: number): XmlElement[] {
  return children(cell, "cache").map((c) => {
    const what = `attribute in cache element for NUMA node ${id}`;
    const levelText = c.attributes.level;
    if (levelText === undefined) throw xmlErr(`Missing 'level' ${what}`);
    const level = parseUIntPositive(levelText);
    if (!level || level > 0xffffffff) throw xmlErr(`Invalid 'level' ${what}`);
    const assoc = c.attributes.associativity;
    if (assoc === undefined) throw xmlErr(`Missing 'associativity' ${what}`);
    if (!ASSOCIATIVITY.includes(assoc)) throw xmlErr(`Invalid cache associativity '${assoc}'`);
    // A missing policy is reported, then overwritten by the lookup of a NULL one.
    const policy = c.attributes.policy;
    if (!POLICY.includes(policy ?? "")) {
      throw xmlErr(`Invalid cache policy '${policy ?? "(null)"}'`);
    }
    const [size] = children(c, "size");
    const kib = memoryKiB(required(size, "./size/@value"), undefined, "./size/@value");
    const [line] = children(c, "line");
    const bytes = scaledText(required(line, "./line/@value"), undefined, "./line/@value", 1n);
    // Written with %u.
    const lineValue = Number(bytes & 0xffffffffn);
    return element("cache", {
      level,
      associativity: assoc === "none" ? undefined : assoc,
      policy: policy === "none" ? undefined : policy,
    }, [
      element("size", { value: String(kib), unit: "KiB" }),
      bytes ? element("line", { value: lineValue, unit: "B" }) : undefined,
    ]);
  });
}

/** virNumaCacheAssociativity and virNumaCachePolicy names. */
const ASSOCIATIVITY = ["none", "direct", "full"];
const POLICY = ["none", "writeback", "writethrough"];

/** One latency or bandwidth between two cells. */
export interface NumaLink {
  kind: "latency" | "bandwidth";
  initiator: number;
  target: number;
  cache: number;
  type: string;
  value: bigint;
}

/** The `<interconnects>` of `<numa>`, in document order (other children are ignored). */
export function parseInterconnects(numa: XmlElement): NumaLink[] {
  const [interconnects] = children(numa, "interconnects");
  if (!interconnects) return [];
  return children(interconnects).flatMap((el): NumaLink[] => {
    if (el.name !== "latency" && el.name !== "bandwidth") return [];
    const value = el.name === "latency"
      ? latency(el)
      : memoryKiB(required(el, "./@value"), el.attributes.unit, "./@value");
    const initiator = xmlPropUInt(el, "initiator", undefined, { required: true })!;
    const target = xmlPropUInt(el, "target", undefined, { required: true })!;
    const cache = xmlPropUInt(el, "cache") ?? 0;
    // virMemoryLatency's "none" is its zero, refused like an unknown name.
    const type = xmlPropEnum(el, "type", ["access", "read", "write"], true)!;
    return [{ kind: el.name, initiator, target, cache, type, value }];
  });
}

/** virXMLPropULongLong of a latency's required value. */
function latency(el: XmlElement): bigint {
  const v = el.attributes.value;
  const err = (msg: string) => VirError.report("XML", "XML_ERROR", msg);
  if (v === undefined) throw err("Missing required attribute 'value' in element 'latency'");
  const n = parseULongLong(v);
  if (n === undefined) {
    throw err(
      `Invalid value for attribute 'value' in element 'latency': '${v}'. ` +
        "Expected non-negative integer value",
    );
  }
  return n;
}

/** The `<interconnects>` element libvirt writes, or undefined without links. */
export function interconnectsElement(links: NumaLink[]): XmlElement | undefined {
  if (!links.length) return undefined;
  return element(
    "interconnects",
    {},
    links.map((l) =>
      element(l.kind, {
        initiator: l.initiator,
        target: l.target,
        cache: l.cache || undefined,
        type: l.type,
        value: String(l.value),
        unit: l.kind === "bandwidth" ? "KiB" : undefined,
      })
    ),
  );
}

/**
 * virDomainNumaDefValidate of a parsed `<numa>` (cells in id order, as written): cache levels
 * per cell, then each link against the cells.
 */
export function validateNumaHmat(numa: XmlElement): void {
  const cells: { hasCpus: boolean; cacheLevels: number[] }[] = [];
  children(numa, "cell").forEach((c, i) => {
    cells[Number(c.attributes.id ?? i)] = {
      hasCpus: !!c.attributes.cpus && parseBitmap(c.attributes.cpus).length > 0,
      cacheLevels: children(c, "cache").map((e) => Number(e.attributes.level)),
    };
  });
  const [interconnects] = children(numa, "interconnects");
  const links = children(interconnects).map((e) => ({
    kind: e.name,
    initiator: Number(e.attributes.initiator),
    target: Number(e.attributes.target),
    cache: Number(e.attributes.cache ?? 0),
    type: e.attributes.type,
  }));
  for (const cell of cells) {
    const seen = new Set<number>();
    for (const level of cell.cacheLevels) {
      if (level > 3) throw xmlErr("Ain't nobody heard of that much cache level");
      if (seen.has(level)) throw xmlErr(`Cache level '${level}' already defined`);
      seen.add(level);
    }
  }
  links.forEach((l, i) => {
    if (l.initiator >= cells.length) throw xmlErr("'initiator' refers to a non-existent NUMA node");
    if (l.target >= cells.length) throw xmlErr("'target' refers to a non-existent NUMA node");
    if (!cells[l.initiator].hasCpus) throw xmlErr("NUMA nodes without CPUs can't be initiator");
    if (l.cache > 0 && !cells[l.target].cacheLevels.includes(l.cache)) {
      throw xmlErr("'cache' refers to a non-existent NUMA node cache");
    }
    for (const ll of links.slice(0, i)) {
      if (
        l.kind === ll.kind && l.initiator === ll.initiator && l.target === ll.target &&
        l.cache === ll.cache && l.type === ll.type
      ) throw xmlErr("Duplicate info for NUMA latencies");
      if (l.initiator !== l.target && l.initiator === ll.target && l.target === ll.initiator) {
        throw xmlErr("Link already defined");
      }
    }
  });
}
