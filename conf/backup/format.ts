/**
 * Formatting backup definitions like libvirt 9.0's virDomainBackupDefFormat (the public
 * document, not the status XML).
 *
 * @module
 */
import { element, stringify, type XmlElement } from "../../util/xml/mod.ts";
import type { BackupDef, BackupDiskDef } from "./def.ts";

/**
 * The backup document as virDomainBackupGetXMLDesc returns it.
 *
 * @example
 * ```ts
 * import { formatBackupXML } from "./format.ts";
 * formatBackupXML({ mode: "push", disks: [{ name: "vda", backup: false }] });
 * // "<domainbackup mode='push'>\n  <disks>\n    <disk name='vda' backup='no'/>\n  </disks>\n</domainbackup>\n"
 * ```
 */
export function formatBackupXML(def: BackupDef): string {
  const s = def.server;
  const server = s && element("server", {
    transport: s.transport,
    tls: s.tls === undefined ? undefined : s.tls ? "yes" : "no",
    name: s.name,
    port: s.port || undefined,
    socket: s.socket,
  });
  const push = def.mode === "push";
  return stringify(element("domainbackup", { mode: def.mode }, [
    def.incremental !== undefined && element("incremental", {}, [def.incremental]),
    server,
    def.disks.length > 0 && element("disks", {}, def.disks.map((d) => formatDisk(d, push))),
  ]));
}

/** virDomainBackupDiskDefFormat: a disk backed up has its store's type, format and source. */
function formatDisk(disk: BackupDiskDef, push: boolean): XmlElement {
  const store = disk.backup ? disk.store : undefined;
  if (!store) return element("disk", { name: disk.name, backup: "no" });
  const source = store.path === undefined && !store.children.length
    ? undefined
    : element(push ? "target" : "scratch", {
      [store.type === "block" ? "dev" : "file"]: store.path,
    }, store.children);
  return element("disk", {
    name: disk.name,
    backup: "yes",
    type: store.type,
    backupmode: disk.backupmode,
    incremental: disk.incremental,
    exportname: disk.exportname,
    exportbitmap: disk.exportbitmap,
    index: store.index || undefined,
  }, [store.format !== undefined && element("driver", { type: store.format }), source]);
}
