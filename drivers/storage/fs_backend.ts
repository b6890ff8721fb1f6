/**
 * libvirt's file-system pool backend (`virStorageBackendFileSystem` of storage_backend_fs.c):
 * a block device with a file system mounted on the pool's target directory. Build makes the
 * directory and, with `OVERWRITE` / `NO_OVERWRITE`, the file system (`mkfs -t FORMAT`); start
 * mounts (`mount -o nodev,nosuid,noexec -t FORMAT DEVICE TARGET`), stop unmounts; the pool
 * runs while `/proc/mounts` has the device on the target. Volumes are files as in a `dir` pool.
 *
 * @module
 */
import { VIR } from "../../util/constants.ts";
import { VirError } from "../../util/errors.ts";
import type { StoragePoolDef } from "../../conf/storage_pool/mod.ts";
import { runCommand } from "./host_fs.ts";

const F = "STORAGE";
/** libvirt's `default_mount_opts` on Linux. */
const MOUNT_OPTS = "nodev,nosuid,noexec";

/**
 * `virStorageBackendFileSystemIsValid`: exactly one source device.
 *
 * @example
 * ```ts
 * import { sourceDevice } from "./fs_backend.ts";
 * declare const def: import("../../conf/storage_pool/mod.ts").StoragePoolDef;
 * sourceDevice(def);
 * ```
 */
export function sourceDevice(def: StoragePoolDef): string {
  const devices = def.source.devices;
  if (devices.length === 0) throw VirError.report(F, "INTERNAL_ERROR", "missing source device");
  if (devices.length > 1) {
    throw VirError.report(
      F,
      "CONFIG_UNSUPPORTED",
      "expected exactly 1 device for the storage pool",
    );
  }
  return devices[0].path;
}

/** The file system type of the pool (`<format type>`, libvirt's default `auto`). */
function fsType(def: StoragePoolDef): string {
  return def.source.format ?? "auto";
}

/**
 * `virStorageBackendFileSystemIsMounted`: the device is mounted on the target (both compared
 * after resolving links).
 *
 * @example
 * ```ts
 * import { isMounted } from "./fs_backend.ts";
 * declare const def: import("../../conf/storage_pool/mod.ts").StoragePoolDef;
 * await isMounted(def);
 * ```
 */
export async function isMounted(def: StoragePoolDef): Promise<boolean> {
  const device = await real(sourceDevice(def));
  const target = await real(def.target.path ?? "");
  let mounts: string;
  try {
    mounts = await Deno.readTextFile("/proc/mounts");
  } catch (e) {
    throw VirError.bare(
      F,
      "SYSTEM_ERROR",
      `cannot read mount list '/proc/mounts': ${(e as Error).message}`,
    );
  }
  for (const line of mounts.split("\n")) {
    const [fsname, dir] = line.split(" ").map(unescapeMount);
    if (dir === undefined) continue;
    if (await real(dir) === target && await real(fsname) === device) return true;
  }
  return false;
}

/**
 * `virStorageBackendFileSystemMount`: mounts the device unless it is already mounted there.
 *
 * @example
 * ```ts
 * import { mountPool } from "./fs_backend.ts";
 * declare const def: import("../../conf/storage_pool/mod.ts").StoragePoolDef;
 * await mountPool(def);
 * ```
 */
export async function mountPool(def: StoragePoolDef): Promise<void> {
  const device = sourceDevice(def);
  if (await isMounted(def)) return;
  await runCommand("mount", ["-o", MOUNT_OPTS, "-t", fsType(def), device, def.target.path ?? ""]);
}

/**
 * `virStorageBackendFileSystemStop`: unmounts the target when the device is mounted there.
 *
 * @example
 * ```ts
 * import { unmountPool } from "./fs_backend.ts";
 * declare const def: import("../../conf/storage_pool/mod.ts").StoragePoolDef;
 * await unmountPool(def);
 * ```
 */
export async function unmountPool(def: StoragePoolDef): Promise<void> {
  sourceDevice(def);
  if (!await isMounted(def)) return;
  await runCommand("umount", [def.target.path ?? ""]);
}

/**
 * `virStorageBackendMakeFileSystem`: with `OVERWRITE`, `mkfs -t FORMAT`; with `NO_OVERWRITE`,
 * only on a device where `blkid` finds no file system.
 *
 * @example
 * ```ts
 * import { makeFileSystem } from "./fs_backend.ts";
 * declare const def: import("../../conf/storage_pool/mod.ts").StoragePoolDef;
 * await makeFileSystem(def, 8);
 * ```
 */
export async function makeFileSystem(def: StoragePoolDef, flags: number): Promise<void> {
  const device = def.source.devices[0]?.path;
  if (device === undefined) {
    throw VirError.report(
      F,
      "OPERATION_INVALID",
      `No source device specified when formatting pool '${def.name}'`,
    );
  }
  try {
    await Deno.stat(device);
  } catch {
    throw VirError.report(
      F,
      "OPERATION_INVALID",
      `Source device does not exist when formatting pool '${def.name}'`,
    );
  }
  const format = fsType(def);
  if (!(flags & VIR.STORAGE_POOL_BUILD_OVERWRITE)) {
    const found = await blkidType(device);
    if (found) {
      throw VirError.report(
        F,
        "STORAGE_POOL_BUILT",
        `Device '${device}' already formatted using '${found}'`,
      );
    }
  }
  const force = format === "xfs" ? ["-f"] : /^ext[234]$/.test(format) ? ["-F"] : format ===
      "vfat"
    ? ["-I"]
    : [];
  await runCommand("mkfs", ["-t", format, ...force, device]);
}

/** The file system `blkid` finds on a device, or "" for none. */
async function blkidType(device: string): Promise<string> {
  const out = await new Deno.Command("blkid", {
    args: ["-p", "-o", "value", "-s", "TYPE", device],
    stdout: "piped",
    stderr: "null",
  }).output();
  return new TextDecoder().decode(out.stdout).trim();
}

/** `/proc/mounts` escapes spaces, tabs, newlines and backslashes as octal. */
function unescapeMount(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, o) => String.fromCharCode(parseInt(o, 8)));
}

async function real(path: string): Promise<string> {
  try {
    return await Deno.realPath(path);
  } catch {
    return path;
  }
}
