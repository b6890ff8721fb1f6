/**
 * Parsing `<domainbackup>` documents like libvirt 9.0's virDomainBackupDefParseString. The
 * schema check runs first, so the values libvirt's parser would refuse on its own (a mode
 * other than push/pull, a `<server>` in push mode, a relative path, an unknown storage type)
 * never reach it.
 *
 * @module
 */
import { child, children, parse, type XmlElement } from "../../util/xml/mod.ts";
import { xpathString } from "../common/values.ts";
import type { BackupDef, BackupDiskDef, BackupServer } from "./def.ts";
import { validateBackupSchema } from "./rng_schema.ts";

/**
 * Parses a backup document (virDomainBackupDefParseString without the status-XML flag).
 *
 * @example
 * ```ts
 * import { parseBackupXML } from "./parse.ts";
 * parseBackupXML("<domainbackup><disks><disk name='vda' type='file'/></disks></domainbackup>")
 *   .disks[0].store?.type; // "file"
 * ```
 */
export function parseBackupXML(xml: string): BackupDef {
  const root = parse(xml, {
    context: "(domain_backup)",
    errorDomain: "DOMAIN",
    expectRoot: "domainbackup",
  });
  validateBackupSchema(root);
  const mode = root.attributes.mode === "pull" ? "pull" : "push";
  const def: BackupDef = { mode, disks: [] };
  const incremental = xpathString(root, "incremental");
  if (incremental !== undefined) def.incremental = incremental;
  const server = child(root, "server");
  if (server) def.server = parseServer(server);
  def.disks = children(child(root, "disks")).map((el) => parseDisk(el, mode === "push"));
  return def;
}

/** virDomainStorageNetworkParseHost and the `tls` of `<server>`. */
function parseServer(el: XmlElement): BackupServer {
  const a = el.attributes;
  const server: BackupServer = a.transport === "unix"
    ? { transport: "unix", socket: a.socket }
    : { transport: "tcp", name: a.name };
  if (a.port !== undefined) server.port = Number(a.port);
  if (a.tls !== undefined) server.tls = a.tls === "yes";
  return server;
}

/** virDomainBackupDiskDefParseXML: nothing but the name is read for a disk not backed up. */
function parseDisk(el: XmlElement, push: boolean): BackupDiskDef {
  const a = el.attributes;
  const disk: BackupDiskDef = { name: a.name, backup: a.backup !== "no" };
  if (!disk.backup) return disk;
  if (!push) {
    if (a.exportname !== undefined) disk.exportname = a.exportname;
    if (a.exportbitmap !== undefined) disk.exportbitmap = a.exportbitmap;
  }
  if (a.backupmode === "full" || a.backupmode === "incremental") disk.backupmode = a.backupmode;
  if (a.incremental !== undefined) disk.incremental = a.incremental;
  // libvirt makes a store for every disk backed up, with or without a path.
  const type = a.type === "block" ? "block" : "file";
  const format = child(el, "driver")?.attributes.type;
  disk.store = { type, index: 0, children: [] };
  if (format) disk.store.format = format;
  const src = child(el, push ? "target" : "scratch");
  if (src) {
    disk.store.path = src.attributes[type === "block" ? "dev" : "file"];
    disk.store.children = children(src);
  }
  return disk;
}
