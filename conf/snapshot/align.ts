/**
 * virDomainSnapshotAlignDisks: a snapshot's disk list made to match its domain's disks, one
 * entry per domain disk in domain order, with default locations filled in and external file
 * names generated.
 *
 * @module
 */
import { VirError } from "../../util/errors.ts";
import { domainDisks, matchMomentDisk } from "../common/moment.ts";
import type { DomainDef } from "../domain/def.ts";
import type { SnapshotDef, SnapshotDiskDef } from "./def.ts";

const F = "DOMAIN_SNAPSHOT";
const unsupported = (msg: string) => VirError.report(F, "CONFIG_UNSUPPORTED", msg);

/**
 * virDomainSnapshotDefAssignExternalNames: an external disk without a file gets its domain
 * disk's path with the snapshot name as suffix. libvirt only does that for a regular file on
 * the host, which `isRegularFile` decides.
 */
function assignExternalNames(
  def: SnapshotDef,
  dom: DomainDef,
  isRegularFile: (path: string) => boolean,
): void {
  const domDisks = domainDisks(dom);
  def.disks.forEach((disk, i) => {
    if (disk.snapshot !== "external" || disk.source?.attributes.file !== undefined) return;
    if (disk.type !== "file") {
      throw unsupported(
        `cannot generate external snapshot name for disk '${disk.name}' on a '${disk.type}' device`,
      );
    }
    const orig = domDisks[i].path;
    if (orig === undefined) {
      throw unsupported(
        `cannot generate external snapshot name for disk '${disk.name}' without source`,
      );
    }
    if (!isRegularFile(orig)) {
      throw unsupported(
        `source for disk '${disk.name}' is not a regular file; refusing to generate external snapshot name`,
      );
    }
    const dot = orig.lastIndexOf(".");
    const stem = dot >= 0 && !orig.slice(dot).includes("/") ? orig.slice(0, dot) : orig;
    const file = `${stem}.${def.name}`;
    const clash = def.disks.slice(0, i).find((d) => d.source?.attributes.file === file);
    if (clash) {
      throw unsupported(
        `cannot generate external snapshot name for disk '${disk.name}': collision with disk '${clash.name}'`,
      );
    }
    disk.source = { type: "element", name: "source", attributes: { file }, children: [] };
  });
}

/**
 * Aligns `def.disks` with `dom` (the snapshot's own domain unless given). `location` is the
 * default for disks without one; `requireMatch` makes every disk use it (internal snapshots of
 * hypervisors that snapshot all disks at once).
 *
 * @example
 * ```ts
 * import { alignSnapshotDisks } from "./align.ts";
 * declare const def: import("./def.ts").SnapshotDef;
 * alignSnapshotDisks(def, "internal", true);
 * ```
 */
export function alignSnapshotDisks(
  def: SnapshotDef,
  location: string,
  requireMatch: boolean,
  options: { dom?: DomainDef; isRegularFile?: (path: string) => boolean } = {},
): void {
  const dom = def.dom ?? options.dom;
  if (!dom) throw VirError.report(F, "INTERNAL_ERROR", "missing domain in snapshot");
  const domDisks = domainDisks(dom);
  if (def.disks.length > domDisks.length) {
    throw unsupported("too many disk snapshot requests for domain");
  }
  if (!domDisks.length) return;
  const byDst = new Map<string, SnapshotDiskDef>();
  for (const disk of def.disks) {
    const domDisk = matchMomentDisk(domDisks, byDst, disk.name, disk, unsupported);
    if (!disk.snapshot) {
      disk.snapshot = domDisk.snapshot && (!requireMatch || domDisk.snapshot === "no")
        ? domDisk.snapshot
        : location;
    } else if (
      requireMatch && disk.snapshot !== location &&
      !(disk.snapshot === "no" && domDisk.snapshot === "no")
    ) {
      throw unsupported(`disk '${disk.name}' must use snapshot mode '${location}'`);
    }
    const path = disk.source?.attributes.file ?? disk.source?.attributes.dev;
    if (path !== undefined && disk.snapshot !== "external") {
      throw unsupported(
        `file '${path}' for disk '${disk.name}' requires use of external snapshot mode`,
      );
    }
    disk.name = domDisk.dst;
  }
  def.disks = domDisks.map((d) =>
    byDst.get(d.dst) ?? {
      name: d.dst,
      type: "file",
      snapshot: d.empty ? "no" : (d.snapshot ?? location),
    }
  );
  assignExternalNames(def, dom, options.isRegularFile ?? (() => false));
}
