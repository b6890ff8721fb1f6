/**
 * libvirt's directory pool backend (`virStorageBackendDirectory` of storage_backend_fs.c with
 * the local helpers of storage_util.c): check, build, refresh and delete a pool whose target is
 * a directory, and create, clone, refresh, resize, wipe and delete the files in it. Every path
 * is the pool target joined with a volume name that has no `/` and is not `.` or `..`, so
 * nothing outside the target is touched.
 *
 * @module
 */
import { VIR } from "../../util/constants.ts";
import { VirError } from "../../util/errors.ts";
import type { PoolObj } from "../../conf/objects/storage_pool_obj.ts";
import type { StoragePoolDef } from "../../conf/storage_pool/mod.ts";
import type { StorageVolDef, VolTimestamps } from "../../conf/storage_vol/mod.ts";
import { fsStats, runCommand } from "./host_fs.ts";
import { fileTimes, probeFile } from "./probe.ts";
import { systemError } from "./sys_error.ts";

/** `VIR_STORAGE_DEFAULT_POOL_PERM_MODE`. */
const POOL_MODE = 0o711;
/** `VIR_STORAGE_DEFAULT_VOL_PERM_MODE`. */
const VOL_MODE = 0o600;
const ZERO_CHUNK = 1024 * 1024;

/**
 * `virStorageBackendFileSystemCheck` for `dir`: the pool is running when its directory exists.
 *
 * @example
 * ```ts
 * import { checkPool } from "./dir_backend.ts";
 * declare const def: import("../../conf/storage_pool/mod.ts").StoragePoolDef;
 * await checkPool(def);
 * ```
 */
export async function checkPool(def: StoragePoolDef): Promise<boolean> {
  try {
    return (await Deno.stat(targetOf(def))).isDirectory;
  } catch {
    return false;
  }
}

/**
 * `virStorageBackendBuildLocal`: the target's parents with default modes, the target with the
 * configured mode (0711 when new and unset).
 *
 * @example
 * ```ts
 * import { buildPool } from "./dir_backend.ts";
 * declare const def: import("../../conf/storage_pool/mod.ts").StoragePoolDef;
 * await buildPool(def);
 * ```
 */
export async function buildPool(def: StoragePoolDef): Promise<void> {
  const path = targetOf(def);
  const parent = path.slice(0, path.lastIndexOf("/"));
  if (parent) {
    try {
      await Deno.mkdir(parent, { recursive: true });
    } catch (e) {
      throw systemError(`cannot create path '${parent}'`, e);
    }
  }
  const existed = await checkPool(def);
  const mode = def.target.permissions.mode ?? (existed ? undefined : POOL_MODE);
  try {
    if (!existed) await Deno.mkdir(path);
    if (mode !== undefined) await Deno.chmod(path, mode);
  } catch (e) {
    throw systemError(`cannot create path '${path}'`, e);
  }
}

/**
 * `virStorageBackendDeleteLocal`: removes the (empty) target directory.
 *
 * @example
 * ```ts
 * import { deletePool } from "./dir_backend.ts";
 * declare const def: import("../../conf/storage_pool/mod.ts").StoragePoolDef;
 * await deletePool(def);
 * ```
 */
export async function deletePool(def: StoragePoolDef): Promise<void> {
  try {
    await Deno.remove(targetOf(def));
  } catch (e) {
    throw systemError(`failed to remove pool '${def.target.path}'`, e);
  }
}

/**
 * `virStorageBackendRefreshLocal`: every regular file and directory in the target becomes a
 * volume (format probed from its header; names with control characters are skipped as libvirt
 * does), and the pool's sizes come from `statvfs`.
 *
 * @example
 * ```ts
 * import { refreshPool } from "./dir_backend.ts";
 * declare const obj: import("../../conf/objects/storage_pool_obj.ts").PoolObj;
 * await refreshPool(obj);
 * ```
 */
export async function refreshPool(obj: PoolObj): Promise<void> {
  const def = obj.def;
  const dir = targetOf(def);
  const names: string[] = [];
  try {
    for await (const e of Deno.readDir(dir)) {
      // deno-lint-ignore no-control-regex
      if (!/[\x00-\x1f\x7f]/.test(e.name)) names.push(e.name);
    }
  } catch (e) {
    // virDirOpen reports from util/, so in no error domain.
    throw systemError(`cannot open directory '${dir}'`, e, "NONE");
  }
  obj.volumes.clear();
  const times = await fileTimes(names.map((n) => `${dir}/${n}`));
  for (const name of names.sort()) {
    const vol: StorageVolDef = {
      name,
      key: `${dir}/${name}`,
      type: "file",
      capacity: 0,
      allocation: 0,
      target: { path: `${dir}/${name}`, format: "raw", permissions: {} },
    };
    if (await refreshVol(vol, times)) obj.volumes.add(vol);
  }
  let st: Deno.FileInfo;
  try {
    st = await Deno.stat(dir);
  } catch (e) {
    throw systemError(`cannot stat path '${dir}'`, e);
  }
  const fs = await fsStats(dir);
  def.capacity = fs.capacity;
  def.available = fs.available;
  def.allocation = fs.capacity - fs.available;
  def.target.permissions = {
    ...def.target.permissions,
    mode: (st.mode ?? 0) & 0o777,
    owner: st.uid ?? undefined,
    group: st.gid ?? undefined,
  };
}

/**
 * `virStorageBackendVolRefreshLocal`: the volume's format, sizes, permissions and backing file
 * as probed now; false when the file is gone or not a regular file or directory.
 *
 * @example
 * ```ts
 * import { refreshVol } from "./dir_backend.ts";
 * declare const vol: import("../../conf/storage_vol/mod.ts").StorageVolDef;
 * await refreshVol(vol);
 * ```
 */
export async function refreshVol(
  vol: StorageVolDef,
  times?: Map<string, VolTimestamps>,
): Promise<boolean> {
  const probed = await probeFile(vol.target.path ?? "", times);
  if (!probed) return false;
  vol.type = probed.format === "dir" ? "dir" : "file";
  vol.capacity = probed.capacity;
  vol.allocation = probed.allocation;
  vol.physical = probed.physical;
  vol.target.format = probed.format;
  vol.target.permissions = probed.permissions;
  vol.target.timestamps = probed.timestamps;
  // What libvirt learns at creation (compat, cluster size, features) is not in a refreshed
  // volume's XML: the probe does not report it.
  delete vol.target.compat;
  delete vol.target.clusterSize;
  delete vol.target.features;
  if (probed.backing) {
    const backing = await probeFile(probed.backing.path);
    vol.backingStore = {
      path: probed.backing.path,
      format: probed.backing.format ?? backing?.format ?? "raw",
      permissions: backing?.permissions ?? {},
      timestamps: backing?.timestamps,
    };
  } else {
    delete vol.backingStore;
  }
  return true;
}

/**
 * `virStorageBackendVolCreateLocal`: the volume's path is the target joined with its name,
 * refused when the name could leave the directory or the path exists; the key is the path.
 *
 * @example
 * ```ts
 * import { createVol } from "./dir_backend.ts";
 * declare const pool: import("../../conf/storage_pool/mod.ts").StoragePoolDef;
 * declare const vol: import("../../conf/storage_vol/mod.ts").StorageVolDef;
 * await createVol(pool, vol);
 * ```
 */
export async function createVol(pool: StoragePoolDef, vol: StorageVolDef): Promise<void> {
  vol.type = vol.target.format === "dir" ? "dir" : "file";
  checkVolName(vol.name);
  const path = `${targetOf(pool)}/${vol.name}`;
  try {
    await Deno.lstat(path);
    throw VirError.report(
      "STORAGE",
      "OPERATION_INVALID",
      `volume target path '${path}' already exists`,
    );
  } catch (e) {
    if (e instanceof VirError) throw e;
  }
  vol.target.path = path;
  vol.key = path;
}

/**
 * `virStorageBackendVolBuildLocal` / `…BuildFromLocal`: a raw file (sparse up to the
 * capacity, the allocation preallocated), a directory, or any other format with
 * `qemu-img create` (a qcow2 with its `<backingStore>`); from `input`, a copy by
 * `qemu-img convert`, grown to the new capacity. A failed build leaves no file behind.
 *
 * @example
 * ```ts
 * import { buildVol } from "./dir_backend.ts";
 * declare const vol: import("../../conf/storage_vol/mod.ts").StorageVolDef;
 * await buildVol(vol);
 * ```
 */
export async function buildVol(vol: StorageVolDef, input?: StorageVolDef): Promise<void> {
  const path = vol.target.path ?? "";
  const format = vol.target.format ?? "raw";
  try {
    if (input) await cloneVol(vol, input);
    else if (format === "raw" && !vol.target.encryption) await createRaw(vol);
    else if (format === "dir") await createDir(vol);
    else await createWithQemuImg(vol);
  } catch (e) {
    // Only what this build made goes: a file that was there first is not ours to remove.
    if (!(e instanceof Deno.errors.AlreadyExists || alreadyExists(e))) {
      await Deno.remove(path, { recursive: format === "dir" }).catch(() => {});
    }
    throw e;
  }
}

function alreadyExists(e: unknown): boolean {
  return e instanceof VirError && e.message.endsWith(": File exists");
}

/** libvirt's `createFileDir`: the directory with the volume mode (0600 unless given). */
async function createDir(vol: StorageVolDef): Promise<void> {
  const path = vol.target.path ?? "";
  try {
    await Deno.mkdir(path);
    await Deno.chmod(path, vol.target.permissions.mode ?? VOL_MODE);
  } catch (e) {
    throw systemError(`cannot create path '${path}'`, e);
  }
}

async function createRaw(vol: StorageVolDef): Promise<void> {
  const path = vol.target.path ?? "";
  try {
    using f = await Deno.open(path, {
      write: true,
      createNew: true,
      mode: vol.target.permissions.mode ?? VOL_MODE,
    });
    await f.truncate(vol.capacity);
  } catch (e) {
    throw systemError(`cannot create path '${path}'`, e);
  }
  // libvirt preallocates the requested allocation (posix_fallocate) and leaves the rest sparse.
  const alloc = Math.min(vol.allocation, vol.capacity);
  if (alloc > 0) await runCommand("fallocate", ["-l", String(alloc), path]);
}

async function createWithQemuImg(vol: StorageVolDef): Promise<void> {
  const path = vol.target.path ?? "";
  const format = vol.target.format ?? "raw";
  if (vol.target.encryption) {
    throw VirError.report(
      "STORAGE",
      "CONFIG_UNSUPPORTED",
      "encrypted volumes are not supported by this storage driver",
    );
  }
  const opts: string[] = [];
  if (format === "qcow2") {
    opts.push(`compat=${vol.target.compat ?? "1.1"}`);
    if (vol.target.clusterSize) opts.push(`cluster_size=${vol.target.clusterSize}`);
    if (vol.target.features?.includes("lazy_refcounts")) opts.push("lazy_refcounts");
  }
  const backing = vol.backingStore;
  if (backing) {
    if (!await probeFile(backing.path)) {
      throw VirError.report(
        "STORAGE",
        "INTERNAL_ERROR",
        `inaccessible backing store volume ${backing.path}`,
      );
    }
    opts.push(`backing_file=${backing.path}`);
    opts.push(`backing_fmt=${backing.format ?? (await probeFile(backing.path))?.format}`);
  }
  const args = ["create", "-f", format];
  if (opts.length) args.push("-o", opts.join(","));
  // libvirt passes the size in KiB, rounded up.
  args.push(path, `${Math.ceil(vol.capacity / 1024)}K`);
  await runCommand("qemu-img", args);
  if (vol.target.permissions.mode !== undefined) {
    await Deno.chmod(path, vol.target.permissions.mode);
  } else await Deno.chmod(path, VOL_MODE);
}

async function cloneVol(vol: StorageVolDef, input: StorageVolDef): Promise<void> {
  const path = vol.target.path ?? "";
  const to = vol.target.format ?? "raw";
  // As libvirt's copy: a raw clone is allocated in full unless its allocation is below its
  // capacity (then zeroes stay holes).
  const full = to === "raw" && vol.allocation >= vol.capacity;
  await runCommand("qemu-img", [
    "convert",
    ...(full ? ["-S", "0"] : []),
    "-f",
    input.target.format ?? "raw",
    "-O",
    to,
    ...(to === "qcow2" ? ["-o", `compat=${vol.target.compat ?? "1.1"}`] : []),
    input.target.path ?? "",
    path,
  ]);
  await Deno.chmod(path, vol.target.permissions.mode ?? VOL_MODE);
  if (vol.capacity > input.capacity) await resizeVol(vol, vol.capacity);
}

/**
 * `virStorageBackendVolResizeLocal`: a raw file is truncated to the new size (and allocated
 * up to it with `allocate`), other formats go through `qemu-img resize` and cannot preallocate.
 *
 * @example
 * ```ts
 * import { resizeVol } from "./dir_backend.ts";
 * declare const vol: import("../../conf/storage_vol/mod.ts").StorageVolDef;
 * await resizeVol(vol, 1 << 30);
 * ```
 */
export async function resizeVol(
  vol: StorageVolDef,
  capacity: number,
  shrink = false,
  allocate = false,
): Promise<void> {
  const path = vol.target.path ?? "";
  if ((vol.target.format ?? "raw") === "raw") {
    try {
      await Deno.truncate(path, capacity);
    } catch (e) {
      throw systemError(`Failed to truncate volume with path '${path}' to ${capacity} bytes`, e);
    }
    if (allocate) await runCommand("fallocate", ["-l", String(capacity), path]);
    return;
  }
  if (allocate) {
    throw VirError.report(
      "STORAGE",
      "OPERATION_UNSUPPORTED",
      "preallocate is only supported for raw type volume",
    );
  }
  await runCommand("qemu-img", [
    "resize",
    ...(shrink ? ["--shrink"] : []),
    "-f",
    vol.target.format ?? "raw",
    path,
    String(capacity),
  ]);
}

/**
 * `virStorageBackendVolDeleteLocal`: unlinks the file (removes the directory); a file already
 * gone is fine.
 *
 * @example
 * ```ts
 * import { deleteVol } from "./dir_backend.ts";
 * declare const vol: import("../../conf/storage_vol/mod.ts").StorageVolDef;
 * await deleteVol(vol);
 * ```
 */
export async function deleteVol(vol: StorageVolDef): Promise<void> {
  const path = vol.target.path ?? "";
  try {
    await Deno.remove(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return;
    const what = vol.type === "dir" ? "cannot remove directory" : "cannot unlink file";
    throw systemError(`${what} '${path}'`, e);
  }
}

/**
 * `storageBackendVolWipeLocalFile` with the zero algorithm (others need `scrub`): a sparse
 * file is truncated to nothing and back to its size, else its allocation is overwritten
 * with zeros.
 *
 * @example
 * ```ts
 * import { wipeVol } from "./dir_backend.ts";
 * declare const vol: import("../../conf/storage_vol/mod.ts").StorageVolDef;
 * await wipeVol(vol, 0);
 * ```
 */
export async function wipeVol(vol: StorageVolDef, algorithm: number): Promise<void> {
  const path = vol.target.path ?? "";
  if (algorithm === VIR.STORAGE_VOL_WIPE_ALG_TRIM) {
    throw VirError.report("STORAGE", "ARGUMENT_UNSUPPORTED", "'trim' algorithm not supported");
  }
  if (algorithm !== VIR.STORAGE_VOL_WIPE_ALG_ZERO) {
    const names = ["zero", "nnsa", "dod", "bsi", "gutmann", "schneier", "pfitzner7", "pfitzner33"];
    await runCommand("scrub", ["-f", "-p", names[algorithm] ?? "random", path]);
    return;
  }
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path, { read: true, write: true });
  } catch (e) {
    throw systemError(`Failed to open storage volume with path '${path}'`, e);
  }
  using f = file;
  const st = await f.stat();
  if (st.isFile && (st.blocks ?? 0) < st.size / 512) {
    await f.truncate(0);
    await f.truncate(st.size);
    return;
  }
  const zeros = new Uint8Array(ZERO_CHUNK);
  let left = Math.min(vol.allocation, st.size);
  while (left > 0) {
    const n = await f.write(zeros.subarray(0, Math.min(left, ZERO_CHUNK)));
    left -= n;
  }
  await f.syncData();
}

/**
 * Refuses a volume name that would leave its pool's directory (CVE-2015-5313): libvirt's
 * "volume name '%s' cannot contain '/'", and `.`/`..` which name the directories themselves.
 *
 * @example
 * ```ts
 * import { checkVolName } from "./dir_backend.ts";
 * checkVolName("a.qcow2");
 * ```
 */
export function checkVolName(name: string): void {
  if (name.includes("/")) {
    throw VirError.report(
      "STORAGE",
      "OPERATION_INVALID",
      `volume name '${name}' cannot contain '/'`,
    );
  }
  if (name === "." || name === ".." || name === "") {
    throw VirError.report("STORAGE", "OPERATION_INVALID", `volume name '${name}' is invalid`);
  }
}

/** The pool's target directory, which must be an absolute path. */
function targetOf(def: StoragePoolDef): string {
  const path = def.target.path ?? "";
  if (!path.startsWith("/")) {
    throw VirError.report("STORAGE", "INVALID_ARG", `path '${path}' is not absolute`);
  }
  return path;
}
