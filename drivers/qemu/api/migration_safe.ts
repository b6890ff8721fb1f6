/**
 * `qemuMigrationSrcIsSafe` of libvirt 9.0: a writable file disk on a local filesystem that a
 * storage migration does not copy stays behind on the source, so its migration needs
 * VIR_MIGRATE_UNSAFE.
 * The filesystem is found as `virFileIsSharedFS` finds it on Linux, from the mount table.
 *
 * @module
 */
import type { DomainDef } from "../../../conf/domain/def.ts";
import { VIR } from "../../../util/constants.ts";
import { VirError } from "../../../util/errors.ts";
import { child } from "../../../util/xml/mod.ts";
import type { TypedParams } from "../../../util/contract/types.ts";
import { copiedDisks } from "./migration_disks.ts";

/** The filesystem types `virFileIsSharedFS` counts as shared (NFS, GFS2, OCFS2, AFS, SMB, …). */
const SHARED_FS = new Set([
  "nfs",
  "nfs4",
  "gfs2",
  "ocfs2",
  "afs",
  "smb3",
  "smbfs",
  "cifs",
  "ceph",
  "gpfs",
  "fuse.quobyte",
  "acfs",
  "fuse.glusterfs",
]);

/** Mount points and filesystem types from `/proc/self/mountinfo`, longest mount point first. */
function mounts(): { point: string; type: string }[] {
  const text = Deno.readTextFileSync("/proc/self/mountinfo");
  const unescape = (s: string) =>
    s.replace(/\\(\d{3})/g, (_, o) => String.fromCharCode(parseInt(o, 8)));
  return text.split("\n").filter(Boolean).map((line) => {
    const [left, right] = line.split(" - ");
    return { point: unescape(left.split(" ")[4]), type: right.split(" ")[0] };
  }).sort((a, b) => b.point.length - a.point.length);
}

/** The filesystem type holding `path` (its nearest existing ancestor, as libvirt looks). */
function fsType(path: string): string | undefined {
  let real = path;
  for (;;) {
    try {
      real = Deno.realPathSync(real);
      break;
    } catch {
      const up = real.slice(0, real.lastIndexOf("/")) || "/";
      if (up === real) break;
      real = up;
    }
  }
  return mounts().find((m) =>
    real === m.point || real.startsWith(m.point === "/" ? "/" : `${m.point}/`)
  )?.type;
}

/**
 * Refuses a migration that would leave a writable local disk behind, unless
 * VIR_MIGRATE_UNSAFE or VIR_MIGRATE_OFFLINE says so; the disks a storage migration copies
 * (`params`' `migrate_disks`, else every writable one) do not stay behind.
 *
 * @example
 * ```ts ignore
 * checkMigrationSafe(def, {}, VIR.MIGRATE_LIVE); // throws for a local writable file disk
 * ```
 */
export function checkMigrationSafe(def: DomainDef, params: TypedParams, flags: number): void {
  if (flags & (VIR.MIGRATE_UNSAFE | VIR.MIGRATE_OFFLINE)) return;
  const copied = new Set(copiedDisks(def, params, flags));
  for (const disk of def.devices.other) {
    if (copied.has(disk)) continue;
    // A CD-ROM is read-only whether it says so or not (libvirt's parser makes it so).
    const readonly = disk.attributes.device === "cdrom" || child(disk, "readonly");
    if (disk.name !== "disk" || disk.attributes.type !== "file" || readonly) continue;
    const file = child(disk, "source")?.attributes.file;
    if (!file) continue;
    const type = fsType(file);
    if (type === undefined || !SHARED_FS.has(type)) {
      throw VirError.report("QEMU", "MIGRATE_UNSAFE", "Migration without shared storage is unsafe");
    }
  }
}
