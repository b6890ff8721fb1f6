/**
 * `qemuMigrationSrcIsSafe` of libvirt 9.0: a writable file disk on a local filesystem stays
 * behind on the source, so its migration needs VIR_MIGRATE_UNSAFE (edgevirt copies no storage).
 * The filesystem is found as `virFileIsSharedFS` finds it on Linux, from the mount table.
 *
 * @module
 */
import type { DomainDef } from "../../../conf/domain/def.ts";
import { VIR } from "../../../util/constants.ts";
import { VirError } from "../../../util/errors.ts";
import { child } from "../../../util/xml/mod.ts";

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
 * VIR_MIGRATE_UNSAFE, VIR_MIGRATE_OFFLINE or a storage copy flag says so.
 *
 * @example
 * ```ts ignore
 * checkMigrationSafe(def, VIR.MIGRATE_LIVE); // throws for a local writable file disk
 * ```
 */
export function checkMigrationSafe(def: DomainDef, flags: number): void {
  // With storage migration asked for, every disk would be copied (libvirt: safe), though this
  // driver refuses that afterwards.
  const copied = VIR.MIGRATE_NON_SHARED_DISK | VIR.MIGRATE_NON_SHARED_INC;
  if (flags & (VIR.MIGRATE_UNSAFE | VIR.MIGRATE_OFFLINE | copied)) return;
  for (const disk of def.devices.other) {
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
