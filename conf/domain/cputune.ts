/**
 * `<cputune>`: scheduler entries expanded per vCPU / iothread, pins with canonical CPU lists,
 * and the resctrl groups (`<cachetune>`, `<memorytune>`) with libvirt's consistency checks.
 *
 * @example
 * ```ts
 * import { parseCputune } from "./cputune.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * const el = parseCputune(parse("<cputune><shares>5</shares></cputune>"), 2, {}, { has: () => false });
 * ```
 * @module
 */
import { VirError } from "../../util/errors.ts";
import type { XmlElement } from "../../util/xml/mod.ts";
import { children, childrenInOrder, element, textOf } from "../../util/xml/mod.ts";
import { formatBitmap, parseBitmap, parseCpuset } from "./bitmap.ts";
import { normalizeElement, type NormalizeOptions } from "./normalize.ts";
import { elementSpec } from "./schema.ts";
import type { IothreadIds } from "./iothreads.ts";
import { parseInt32, parseULongLong, xmlPropEnum, xmlPropUInt } from "../common/mod.ts";
import { scaledText } from "./scaled.ts";

/** Elements holding a `cpuset` CPU list. */
const PINS = new Set(["vcpupin", "emulatorpin", "iothreadpin"]);

/** Elements libvirt stores per vCPU (or iothread, schedulers only), with the attribute naming it. */
const ID_ORDERED: [string, string][] = [
  ["vcpupin", "vcpu"],
  ["vcpusched", "vcpus"],
  ["iothreadsched", "iothreads"],
];

interface Resctrl {
  vcpus: number[];
  caches: { level: string; id: string; type: string }[];
  nodes: Set<string>;
  /** The group's monitors so far, by the tune that holds them. */
  monitors: { vcpus: number[]; kind: string }[];
}

const sameSet = (a: number[], b: number[]) =>
  a.length === b.length && a.every((v, i) => v === b[i]);
const overlaps = (a: number[], b: number[]) => {
  const s = new Set(a);
  return b.some((v) => s.has(v));
};

/**
 * The normalised `<cputune>` for a domain with `maxVcpus` vCPUs, or undefined when nothing in it
 * survives (libvirt omits an empty `<cputune>`).
 */
export function parseCputune(
  el: XmlElement,
  maxVcpus: number,
  options: NormalizeOptions,
  iothreadIds: IothreadIds,
): XmlElement | undefined {
  const spec = elementSpec("domain", "cputune")!;
  const out: XmlElement[] = [];
  const resctrls: Resctrl[] = [];
  const scheduled = { vcpus: new Set<number>(), iothreads: new Set<number>() };
  const pinned = new Set<number>();
  const vcpuPinned = new Set<number>();
  const emulatorPins = children(el, "emulatorpin").length;
  for (const kid of childrenInOrder(el, spec.order)) {
    const name = kid.name;
    if (name === "vcpusched" || name === "iothreadsched") {
      const attr = name === "vcpusched" ? "vcpus" : "iothreads";
      out.push(...expandSched(kid, attr, maxVcpus, iothreadIds, scheduled[attr], options));
    } else if (name in SCALARS) {
      // libvirt reads the first of each (./cputune/NAME[1]).
      const value = kid === children(el, name)[0] && cputuneScalar(kid);
      if (value) out.push(element(name, {}, [value]));
    } else if (name === "cachetune" || name === "memorytune") {
      const r = parseResctrl(kid, maxVcpus, resctrls, options);
      if (r) out.push(r);
    } else {
      if (name === "iothreadpin") checkIothreadPin(kid, iothreadIds, pinned);
      if (name === "vcpupin" && !checkVcpuPin(kid, maxVcpus, vcpuPinned)) continue;
      if (name === "emulatorpin") checkEmulatorPin(kid, emulatorPins);
      const n = normalizeElement(kid, "cputune", options, "domain");
      // libvirt keeps pins as bitmaps and prints them back in canonical form.
      if (n && PINS.has(name) && n.attributes.cpuset !== undefined) {
        n.attributes.cpuset = formatBitmap(parseCpuset(n.attributes.cpuset));
      }
      if (n) out.push(n);
    }
  }
  if (!out.length) return undefined;
  // libvirt keeps pins and schedulers in each vCPU / iothread, so they come back in id order.
  let ordered = out;
  for (const [name, attr] of ID_ORDERED) ordered = sortWithin(ordered, name, attr);
  // An IOThread's pin is written with it, in iothreadids order.
  ordered = sortWithin(ordered, "iothreadpin", "iothread", iothreadIds.rank);
  return { type: "element", name: "cputune", attributes: {}, children: ordered };
}

/**
 * The scalar tunables, whether each is signed (virXPathLongLong) or not (virXPathULongLong),
 * and the name libvirt's parse error gives it.
 */
const SCALARS: Record<string, [signed: boolean, what: string]> = {
  shares: [false, "shares"],
  period: [false, "period"],
  quota: [true, "quota"],
  global_period: [false, "global period"],
  global_quota: [true, "global quota"],
  emulator_period: [false, "emulator period"],
  emulator_quota: [true, "emulator quota"],
  iothread_period: [false, "iothread period"],
  iothread_quota: [true, "iothread quota"],
};

/**
 * A scalar tunable as virDomainDefTunablesParse reads it and virDomainCputuneDefFormat writes
 * it: undefined when empty or (but the shares, written once given) zero.
 */
function cputuneScalar(el: XmlElement): string | undefined {
  const text = textOf(el);
  if (!text) return undefined;
  const [signed, what] = SCALARS[el.name];
  // virStrToLong_ll: blanks, a sign, digits to the end, within 64 bits.
  const m = signed ? /^[ \t\n\v\f\r]*([+-]?[0-9]+)$/.exec(text) : undefined;
  const value = signed
    ? m && BigInt(m[1]) >= -(2n ** 63n) && BigInt(m[1]) < 2n ** 63n ? BigInt(m[1]) : undefined
    : parseULongLong(text);
  if (value === undefined) {
    throw VirError.report("DOMAIN", "XML_ERROR", `can't parse cputune ${what} value`);
  }
  return value || el.name === "shares" ? String(value) : undefined;
}

function sortWithin(
  list: XmlElement[],
  name: string,
  attr: string,
  rank: (id: number) => number = (id) => id,
): XmlElement[] {
  const sorted = list.filter((e) => e.name === name).sort((a, b) =>
    rank(Number(a.attributes[attr])) - rank(Number(b.attributes[attr]))
  );
  let i = 0;
  return list.map((e) => e.name === name ? sorted[i++] : e);
}

/**
 * One `<vcpusched vcpus='0-1'>` becomes one element per vCPU, as libvirt stores them
 * (virDomainSchedulerParse and virDomainThreadSchedParseHelper). `taken` holds the ids already
 * given a scheduler; the vCPUs and IOThreads named must exist.
 */
function expandSched(
  el: XmlElement,
  attr: "vcpus" | "iothreads",
  maxVcpus: number,
  iothreadIds: IothreadIds,
  taken: Set<number>,
  options: NormalizeOptions,
): XmlElement[] {
  const text = el.attributes[attr];
  if (text === undefined) {
    throw VirError.report(
      "DOMAIN",
      "XML_ERROR",
      `Missing attribute '${attr}' in element '${el.name}'`,
    );
  }
  const ids = parseBitmap(text);
  if (!ids.length) {
    throw VirError.report(
      "DOMAIN",
      "CONFIG_UNSUPPORTED",
      `'${attr}' scheduler bitmap '${text}' is empty`,
    );
  }
  const scheduler = xmlPropEnum(el, "scheduler", ["batch", "idle", "fifo", "rr"], true);
  if (scheduler === "fifo" || scheduler === "rr") {
    const raw = el.attributes.priority;
    if (raw === undefined) {
      throw VirError.report(
        "XML",
        "XML_ERROR",
        `Missing required attribute 'priority' in element '${el.name}'`,
      );
    }
    if (parseInt32(raw) === undefined) {
      throw VirError.report(
        "XML",
        "XML_ERROR",
        `Invalid value for attribute 'priority' in element '${el.name}': '${raw}'. ` +
          "Expected integer value",
      );
    }
  }
  for (const id of ids) {
    if (attr === "vcpus" && id >= maxVcpus) {
      throw VirError.report(
        "DOMAIN",
        "CONFIG_UNSUPPORTED",
        `vCPU '${id}' is not present in domain definition`,
      );
    }
    if (attr === "iothreads" && !iothreadIds.has(id)) throw noIothread(id);
    if (taken.has(id)) {
      throw VirError.report(
        "DOMAIN",
        "XML_DETAIL",
        `'${el.name}' attributes '${attr}' must not overlap`,
      );
    }
    taken.add(id);
  }
  const base = normalizeElement(el, "cputune", options, "domain")!;
  return ids.map((id) => ({
    ...base,
    attributes: { ...base.attributes, [attr]: String(id) },
  }));
}

const noIothread = (id: number) =>
  VirError.report("DOMAIN", "CONFIG_UNSUPPORTED", `Cannot find 'iothread' : ${id}`);

/** A pin's cpuset: required (libvirt's "missing cpuset for …") and not empty. */
function pinCpuset(el: XmlElement): void {
  const cpuset = el.attributes.cpuset;
  if (cpuset === undefined) {
    throw VirError.report("DOMAIN", "INTERNAL_ERROR", `missing cpuset for ${el.name}`);
  }
  parseCpuset(cpuset);
}

/**
 * virDomainVcpuPinDefParseXML's checks; false for a pin of a vCPU the domain lacks, which
 * libvirt ignores (with a warning).
 */
function checkVcpuPin(el: XmlElement, maxVcpus: number, pinned: Set<number>): boolean {
  const id = xmlPropUInt(el, "vcpu", undefined, { required: true })!;
  if (id >= maxVcpus) return false;
  if (el.attributes.cpuset === undefined) pinCpuset(el);
  if (pinned.has(id)) {
    throw VirError.report("DOMAIN", "INTERNAL_ERROR", `duplicate vcpupin for vcpu '${id}'`);
  }
  pinned.add(id);
  pinCpuset(el);
  return true;
}

/**
 * virDomainEmulatorPinDefParseXML, after its caller's check that there is only one (of `count`
 * emulatorpin elements).
 */
function checkEmulatorPin(el: XmlElement, count: number): void {
  if (count > 1) {
    throw VirError.report("DOMAIN", "XML_ERROR", "only one emulatorpin is supported");
  }
  pinCpuset(el);
}

/** virDomainIOThreadPinDefParseXML's checks; the cpuset is read with the other pins. */
function checkIothreadPin(
  el: XmlElement,
  iothreadIds: IothreadIds,
  pinned: Set<number>,
): void {
  const id = xmlPropUInt(el, "iothread", undefined, { required: true, nonZero: true })!;
  if (!iothreadIds.has(id)) throw noIothread(id);
  pinCpuset(el);
  if (pinned.has(id)) {
    throw VirError.report(
      "DOMAIN",
      "INTERNAL_ERROR",
      `duplicate iothreadpin for same iothread '${id}'`,
    );
  }
  pinned.add(id);
}

function parseResctrl(
  el: XmlElement,
  maxVcpus: number,
  resctrls: Resctrl[],
  options: NormalizeOptions,
): XmlElement | undefined {
  const kind = el.name;
  const vcpuText = el.attributes.vcpus;
  if (vcpuText === undefined) {
    throw VirError.report("DOMAIN", "XML_ERROR", `Missing ${kind} attribute 'vcpus'`);
  }
  let all: number[];
  try {
    all = parseBitmap(vcpuText);
  } catch {
    // virDomainResctrlParseVcpus replaces the bitmap's error with its own.
    throw VirError.report(
      "DOMAIN",
      "XML_ERROR",
      `Invalid ${kind} attribute 'vcpus' value '${vcpuText}'`,
    );
  }
  const vcpus = all.filter((v) => v < maxVcpus);
  if (!vcpus.length) return undefined;
  let group = resctrls.find((r) => sameSet(r.vcpus, vcpus));
  if (group && kind === "cachetune" && group.caches.length) {
    throw VirError.report("DOMAIN", "XML_ERROR", "Identical vcpus in cachetunes found");
  }
  if (!group) {
    if (resctrls.some((r) => overlaps(r.vcpus, vcpus))) {
      throw VirError.report("DOMAIN", "XML_ERROR", "Overlapping vcpus in resctrls");
    }
    group = { vcpus, caches: [], nodes: new Set(), monitors: [] };
    resctrls.push(group);
  }
  const kids: XmlElement[] = [];
  const itemName = kind === "cachetune" ? "cache" : "node";
  for (const item of children(el, itemName)) {
    if (kind === "cachetune") kids.push(parseCache(item, group));
    else {
      checkNode(item, group);
      kids.push(normalizeElement(item, kind, options, "cputune")!);
    }
  }
  // virResctrlAllocForeachCache writes the allocations by level, type and cache id.
  const key = (c: XmlElement) => ["level", "type", "id"].map((a) => c.attributes[a]);
  const TYPES = ["both", "code", "data"];
  if (kind === "cachetune") {
    kids.sort((a, b) => {
      const [la, ta, ia] = key(a);
      const [lb, tb, ib] = key(b);
      return Number(la) - Number(lb) || TYPES.indexOf(ta) - TYPES.indexOf(tb) ||
        Number(ia) - Number(ib);
    });
  }
  for (const mon of children(el, "monitor")) kids.push(parseMonitor(mon, kind, group, maxVcpus));
  const attributes: Record<string, string> = { vcpus: formatBitmap(vcpus) };
  return { type: "element", name: kind, attributes, children: kids };
}

/**
 * virDomainCachetuneDefParseCache: an allocation's cache id, level and type, and its size in
 * bytes (scaled, KiB without a unit), written back in the largest unit that divides it
 * (virFormatIntPretty).
 */
function parseCache(item: XmlElement, group: Resctrl): XmlElement {
  const id = String(xmlPropUInt(item, "id", undefined, { required: true }));
  const level = String(xmlPropUInt(item, "level", undefined, { required: true }));
  const type = xmlPropEnum(item, "type", ["both", "code", "data"], true)!;
  const text = item.attributes.size;
  if (!text) {
    throw VirError.report("XML", "XML_ERROR", "missing element or attribute './@size'");
  }
  const [size, unit] = prettySize(scaledText(text, item.attributes.unit, "./@size", 1024n));
  checkCache({ level, id, type }, group);
  return element("cache", { id, level, type, size: String(size), unit });
}

/** virFormatIntPretty: the value in the largest unit up to PiB that divides it exactly. */
function prettySize(bytes: bigint): [bigint, string] {
  const units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
  let k = 0;
  while (k < units.length - 1 && bytes && bytes % (1024n ** BigInt(k + 1)) === 0n) k++;
  return [bytes / 1024n ** BigInt(k), units[k]];
}

function checkCache(
  { level, id, type }: { level: string; id: string; type: string },
  group: Resctrl,
): void {
  const clash = group.caches.some((c) =>
    c.level === level && c.id === id &&
    (c.type === type || c.type === "both" || type === "both")
  );
  if (clash) {
    throw VirError.report(
      "RESCTRL",
      "XML_ERROR",
      `Colliding cache allocations for cache level '${level}' id '${id}', type '${type}'`,
    );
  }
  group.caches.push({ level, id, type });
}

function checkNode(item: XmlElement, group: Resctrl): void {
  const id = item.attributes.id ?? "";
  if (group.nodes.has(id)) {
    throw VirError.report(
      "RESCTRL",
      "XML_ERROR",
      `Memory Bandwidth already defined for node ${id}`,
    );
  }
  group.nodes.add(id);
}

/** The cache level a cachetune's monitor watches (VIR_DOMAIN_RESCTRL_MONITOR_CACHELEVEL). */
const MONITOR_CACHE_LEVEL = 3;

/**
 * virDomainResctrlMonDefParse of one `<monitor>` of a cachetune or memorytune (`kind`) of
 * `group`, with virDomainResctrlValidateMonitor's checks, written back as libvirt writes it.
 */
function parseMonitor(
  mon: XmlElement,
  kind: string,
  group: Resctrl,
  maxVcpus: number,
): XmlElement {
  const invalid = (msg: string) => VirError.report("DOMAIN", "INVALID_ARG", msg);
  if (kind === "cachetune") {
    const level = xmlPropUInt(mon, "level", undefined, { required: true })!;
    if (level !== MONITOR_CACHE_LEVEL) {
      // Printed with %d.
      const shown = level > 0x7fffffff ? level - 2 ** 32 : level;
      throw VirError.report("DOMAIN", "XML_ERROR", `Invalid monitor cache level '${shown}'`);
    }
  }
  const text = mon.attributes.vcpus;
  if (text === undefined) {
    throw VirError.report("DOMAIN", "XML_ERROR", "Missing monitor attribute 'vcpus'");
  }
  let all: number[];
  try {
    all = parseBitmap(text);
  } catch {
    throw VirError.report(
      "DOMAIN",
      "XML_ERROR",
      `Invalid monitor attribute 'vcpus' value '${text}'`,
    );
  }
  const vcpus = all.filter((v) => v < maxVcpus);
  if (!vcpus.length) throw invalid("vcpus is empty");
  const inAlloc = new Set(group.vcpus);
  if (!vcpus.every((v) => inAlloc.has(v))) {
    throw invalid("Monitor vcpus conflicts with allocation");
  }
  const toGroup = sameSet(vcpus, group.vcpus);
  // A group without cache or memory bandwidth allocations is the default one.
  const defaultAlloc = !group.caches.length && !group.nodes.size;
  let overlapAny = false;
  let overlapOther = false;
  for (const m of group.monitors) {
    if (sameSet(vcpus, m.vcpus)) {
      if (m.kind !== kind) continue;
      throw invalid("Identical vcpus found in same type monitors");
    }
    const overlap = overlaps(vcpus, m.vcpus);
    overlapAny ||= overlap;
    if (!toGroup && !sameSet(m.vcpus, group.vcpus)) overlapOther ||= overlap;
  }
  if (overlapOther || (defaultAlloc && overlapAny)) {
    throw invalid("vcpus overlaps in resctrl groups");
  }
  group.monitors.push({ vcpus, kind });
  return element("monitor", {
    level: kind === "cachetune" ? String(MONITOR_CACHE_LEVEL) : undefined,
    vcpus: formatBitmap(vcpus),
  });
}
