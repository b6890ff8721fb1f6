/**
 * What snapshots and checkpoints share (libvirt's moment_conf.c): name, description, parent,
 * creation time and the domain definition they captured, how a new one gets its defaults and
 * how a redefinition is read back.
 *
 * @module
 */
import type { DomainDef } from "../domain/def.ts";
import { formatDomainXML, parseDomainXML } from "../domain/mod.ts";
import { VIR } from "../../util/constants.ts";
import { VirError } from "../../util/errors.ts";
import { child, childText, escapeXml, stringify, type XmlElement } from "../../util/xml/mod.ts";
import { xpathString } from "./values.ts";

/** The fields of libvirt's `virDomainMomentDef`. */
export interface MomentDef {
  /** Name; a new moment without one is named after its creation time. */
  name: string;
  description?: string;
  /** Name of the parent moment. */
  parent?: string;
  /** Seconds since the epoch. */
  creationTime: number;
  /** The domain definition the moment captured. */
  dom?: DomainDef;
}

/** How a moment document is read: the error domain and the caller's domain parser. */
export interface MomentParseOptions {
  /** Redefinition of an existing moment (`*_CREATE_REDEFINE`). */
  redefine: boolean;
  /**
   * Parses an embedded `<domain>` (libvirt's xmlopt post-parse callbacks belong to the driver).
   * Default: {@link parseDomainXML}.
   */
  parseDomain?: (xml: string) => DomainDef;
}

/**
 * The common part of virDomainSnapshotDefParse / virDomainCheckpointDefParse: name,
 * description and, for a redefinition, creation time, parent and domain. `kind` words the
 * messages ("snapshot", "checkpoint"); `from` is the error domain.
 *
 * @example
 * ```ts
 * import { parseMomentCommon } from "./moment.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * parseMomentCommon(parse("<domaincheckpoint><name>c</name></domaincheckpoint>"),
 *   "checkpoint", "DOMAIN_CHECKPOINT", { redefine: false }).name; // "c"
 * ```
 */
export function parseMomentCommon(
  root: XmlElement,
  kind: "snapshot" | "checkpoint",
  from: string,
  options: MomentParseOptions,
): MomentDef {
  const name = xpathString(root, "name");
  if (name === undefined && options.redefine) {
    throw VirError.report(from, "XML_ERROR", `a redefined ${kind} must have a name`);
  }
  const def: MomentDef = { name: name ?? "", creationTime: 0 };
  const description = xpathString(root, "description");
  if (description !== undefined) def.description = description;
  if (!options.redefine) {
    momentPostParse(def);
    return def;
  }
  const time = childText(root, "creationTime");
  if (time === undefined || !/^\s*[+-]?[0-9]+$/.test(time)) {
    throw VirError.report(from, "INTERNAL_ERROR", `missing creationTime from existing ${kind}`);
  }
  def.creationTime = Number(time);
  const parent = xpathString(child(root, "parent"), "name");
  if (parent !== undefined) def.parent = parent;
  return def;
}

/**
 * Parses the embedded `<domain>` of a redefinition, as an inactive definition.
 *
 * @example
 * ```ts
 * import { parseMomentDomain } from "./moment.ts";
 * declare const el: import("../../util/xml/mod.ts").XmlElement;
 * const dom = parseMomentDomain(el, {});
 * ```
 */
export function parseMomentDomain(
  el: XmlElement,
  options: Pick<MomentParseOptions, "parseDomain">,
): DomainDef {
  return (options.parseDomain ?? parseDomainXML)(stringify(el));
}

/**
 * virDomainMomentDefPostParse: the creation time is now, and it names an unnamed moment.
 *
 * @example
 * ```ts
 * import { momentPostParse } from "./moment.ts";
 * const def = { name: "", creationTime: 0 };
 * momentPostParse(def);
 * def.name === String(def.creationTime); // true
 * ```
 */
export function momentPostParse(def: MomentDef): void {
  def.creationTime = Math.floor(Date.now() / 1000);
  if (!def.name) def.name = String(def.creationTime);
}

/**
 * `<parent><name>…</name></parent>` and `<creationTime>` as libvirt writes them, indented one
 * level.
 *
 * @example
 * ```ts
 * import { formatMomentParentAndTime } from "./moment.ts";
 * formatMomentParentAndTime({ name: "b", parent: "a", creationTime: 5 });
 * ```
 */
export function formatMomentParentAndTime(def: MomentDef): string {
  let out = "";
  if (def.parent !== undefined) {
    out += `  <parent>\n    <name>${escapeXml(def.parent)}</name>\n  </parent>\n`;
  }
  if (def.creationTime) out += `  <creationTime>${def.creationTime}</creationTime>\n`;
  return out;
}

/**
 * The captured domain, inactive, nested one level (`secure` keeps passwords).
 *
 * @example
 * ```ts
 * import { formatMomentDomain } from "./moment.ts";
 * declare const dom: import("../domain/def.ts").DomainDef;
 * formatMomentDomain(dom, false);
 * ```
 */
export function formatMomentDomain(dom: DomainDef, secure: boolean): string {
  const flags = VIR.DOMAIN_XML_INACTIVE | (secure ? VIR.DOMAIN_XML_SECURE : 0);
  return formatDomainXML(dom, flags).replace(/^(?=.)/gm, "  ");
}

/** What aligning a moment's disk list needs to know of one domain disk. */
export interface MomentDomainDisk {
  /** Target device name (`vda`). */
  dst: string;
  /** Source file, device or directory. */
  path?: string;
  /** Whether the disk has no source (a network disk never counts as empty). */
  empty: boolean;
  /** Whether the disk is `<readonly/>`. */
  readonly: boolean;
  /** The disk's `snapshot` attribute. */
  snapshot?: string;
  /** The disk's storage type (`file`, `block`, `network`, …). */
  type: string;
}

/**
 * Target names, source paths and emptiness of a domain's disks, for aligning a moment's disk
 * list (virDomainDiskByName matches either).
 *
 * @example
 * ```ts
 * import { domainDisks } from "./moment.ts";
 * declare const dom: import("../domain/def.ts").DomainDef;
 * domainDisks(dom).map((d) => d.dst);
 * ```
 */
export function domainDisks(dom: DomainDef): MomentDomainDisk[] {
  return dom.devices.other.filter((d) => d.name === "disk").map((d) => {
    const source = child(d, "source");
    const src = source?.attributes;
    const empty = !src || !(src.file ?? src.dev ?? src.dir ?? src.name ?? src.volume);
    return {
      dst: child(d, "target")?.attributes.dev ?? "",
      path: src?.file ?? src?.dev ?? src?.dir,
      empty: empty && d.attributes.type !== "network",
      readonly: child(d, "readonly") !== undefined,
      snapshot: d.attributes.snapshot,
      type: d.attributes.type ?? "file",
    };
  });
}

/**
 * The domain disk a moment's disk entry `name` stands for (virDomainDiskByName: target name
 * first, then source path), recorded in `byDst` with `disk`; `unsupported` makes the error of
 * an unknown disk or one named twice.
 *
 * @example
 * ```ts
 * import { domainDisks, matchMomentDisk } from "./moment.ts";
 * import { VirError } from "../../util/errors.ts";
 * declare const dom: import("../domain/def.ts").DomainDef;
 * const err = (msg: string) => VirError.report("DOMAIN_SNAPSHOT", "CONFIG_UNSUPPORTED", msg);
 * matchMomentDisk(domainDisks(dom), new Map(), "vda", { name: "vda" }, err).dst;
 * ```
 */
export function matchMomentDisk<D>(
  domDisks: MomentDomainDisk[],
  byDst: Map<string, D>,
  name: string,
  disk: D,
  unsupported: (msg: string) => VirError,
): MomentDomainDisk {
  const domDisk = domDisks.find((d) => d.dst === name) ?? domDisks.find((d) => d.path === name);
  if (!domDisk) throw unsupported(`no disk named '${name}'`);
  if (byDst.has(domDisk.dst)) throw unsupported(`disk '${name}' specified twice`);
  byDst.set(domDisk.dst, disk);
  return domDisk;
}
