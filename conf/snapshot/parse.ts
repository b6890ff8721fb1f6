/**
 * Parsing `<domainsnapshot>` documents like libvirt 9.0's virDomainSnapshotDefParseString.
 *
 * @module
 */
import { VirError } from "../../util/errors.ts";
import { checkDiskSource } from "../common/disk_source.ts";
import { child, children, parse, type XmlElement } from "../../util/xml/mod.ts";
import { type MomentParseOptions, parseMomentCommon, parseMomentDomain } from "../common/moment.ts";
import { xpathString } from "../common/values.ts";
import { validateSnapshotSchema } from "./rng_schema.ts";
import {
  SNAPSHOT_LOCATIONS,
  SNAPSHOT_STATES,
  type SnapshotDef,
  type SnapshotDiskDef,
} from "./def.ts";

const F = "DOMAIN_SNAPSHOT";

/**
 * virXMLPropEnumDefault with VIR_XML_PROP_NONZERO over the location names (virxml.c reports
 * from VIR_FROM_XML).
 */
function location(el: XmlElement, attr: string): string | undefined {
  const v = el.attributes[attr];
  if (v === undefined) return undefined;
  const i = (SNAPSHOT_LOCATIONS as readonly string[]).indexOf(v);
  if (i < 0) {
    throw VirError.report(
      "XML",
      "XML_ERROR",
      `Invalid value for attribute '${attr}' in element '${el.name}': '${v}'.`,
    );
  }
  if (i === 0) {
    throw VirError.report(
      "XML",
      "XML_ERROR",
      `Invalid value for attribute '${attr}' in element '${el.name}': Zero is not permitted`,
    );
  }
  return v;
}

function parseDisk(el: XmlElement): SnapshotDiskDef {
  const name = el.attributes.name;
  if (name === undefined) {
    throw VirError.report(F, "INTERNAL_ERROR", "missing name from disk snapshot element");
  }
  const disk: SnapshotDiskDef = { name, type: el.attributes.type ?? "file" };
  const snapshot = location(el, "snapshot");
  if (snapshot) disk.snapshot = snapshot;
  if (disk.type === "volume" || disk.type === "dir") {
    throw VirError.report(F, "XML_ERROR", `unsupported disk snapshot type '${disk.type}'`);
  }
  const source = child(el, "source");
  if (source) disk.source = source;
  if (source) checkDiskSource(disk.type, source);
  const driverType = child(el, "driver")?.attributes.type;
  if (driverType) disk.driverType = driverType;
  const path = source?.attributes.file ?? source?.attributes.dev;
  if (path !== undefined && !path.startsWith("/")) {
    throw VirError.report(F, "XML_ERROR", `disk snapshot image path '${path}' must be absolute`);
  }
  if (!disk.snapshot && (path !== undefined || disk.driverType)) disk.snapshot = "external";
  return disk;
}

/** What only a snapshot's parse takes. */
export interface SnapshotParseOptions {
  /** VIR_DOMAIN_SNAPSHOT_CREATE_VALIDATE: the document is checked against domainsnapshot.rng. */
  validate?: boolean;
}

/**
 * Parses a snapshot document. Without `redefine`, the creation time is now and an unnamed
 * snapshot is named after it; with it, name, creation time, state and the captured domain come
 * from the document.
 *
 * @example
 * ```ts
 * import { parseSnapshotXML } from "./parse.ts";
 * parseSnapshotXML("<domainsnapshot><name>s1</name></domainsnapshot>", { redefine: false }).name;
 * ```
 */
export function parseSnapshotXML(
  xml: string,
  options: MomentParseOptions & SnapshotParseOptions,
): SnapshotDef {
  const root = parse(xml, {
    context: "(domain_snapshot)",
    errorDomain: F,
    expectRoot: "domainsnapshot",
  });
  if (options.validate) validateSnapshotSchema(root);
  const def: SnapshotDef = { ...parseMomentCommon(root, "snapshot", F, options), disks: [] };
  let offline = false;
  if (options.redefine) {
    const state = xpathString(root, "state");
    if (state === undefined) {
      throw VirError.report(F, "XML_ERROR", "missing state from existing snapshot");
    }
    if ((SNAPSHOT_STATES as readonly string[]).indexOf(state) <= 0) {
      throw VirError.report(
        F,
        "CONFIG_UNSUPPORTED",
        `Invalid state '${state}' in domain snapshot XML`,
      );
    }
    def.state = state;
    offline = state === "shutoff" || state === "disk-snapshot";
    const dom = child(root, "domain");
    if (dom?.attributes.type !== undefined) def.dom = parseMomentDomain(dom, options);
  }
  const memory = child(root, "memory");
  if (memory) {
    if (memory.attributes.file !== undefined) def.memoryFile = memory.attributes.file;
    def.memory = location(memory, "snapshot");
    if (def.memory === "manual") {
      throw VirError.report(F, "XML_ERROR", "'manual' memory snapshot mode not supported");
    }
  }
  if (!def.memory) {
    if (def.memoryFile !== undefined) def.memory = "external";
    else if (options.redefine) def.memory = offline ? "no" : "internal";
  }
  if (def.memoryFile !== undefined && def.memory !== "external") {
    throw VirError.report(
      F,
      "XML_ERROR",
      `memory filename '${def.memoryFile}' requires external snapshot`,
    );
  }
  if (def.memoryFile === undefined && def.memory === "external") {
    throw VirError.report(F, "XML_ERROR", "external memory snapshots require a filename");
  }
  if (offline && def.memory && def.memory !== "no") {
    throw VirError.report(
      F,
      "XML_ERROR",
      "memory state cannot be saved with offline or disk-only snapshot",
    );
  }
  if (def.memoryFile !== undefined && !def.memoryFile.startsWith("/")) {
    throw VirError.report(
      F,
      "XML_ERROR",
      `memory snapshot file path (${def.memoryFile}) must be absolute`,
    );
  }
  def.disks = children(child(root, "disks")).map(parseDisk);
  return def;
}
