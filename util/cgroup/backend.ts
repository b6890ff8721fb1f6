/**
 * What a cgroup backend (libvirt's `virCgroupBackend`: `vircgroupv1.c`, `vircgroupv2.c`)
 * provides, and the file access both share (`virCgroupSetValueRaw`/`GetValueRaw` with their
 * errors).
 *
 * @module
 */
import { VirError } from "../errors.ts";
import { strerror } from "../strerror.ts";
import type { CgroupController } from "./mounts.ts";

/** How a group is made (libvirt's `virCgroupMakeGroup` flags). */
export type CgroupKind = "partition" | "domain" | "thread";

/** CPU time a group used, in nanoseconds. */
export interface CpuacctTimes {
  user: number;
  system: number;
}

/** The memory limits of `<memtune>`, in KiB; {@link MEMORY_UNLIMITED} is no limit. */
export type MemoryLimit = "hard" | "soft" | "swap";

/** A per-device block I/O value, by its `<blkiotune><device>` element. */
export type BlkioDeviceValue =
  | "weight"
  | "read_iops_sec"
  | "write_iops_sec"
  | "read_bytes_sec"
  | "write_bytes_sec";

/** `VIR_DOMAIN_MEMORY_PARAM_UNLIMITED` (KiB): no limit. */
export const MEMORY_UNLIMITED = 9007199254740991;

/**
 * Whether a cgroup file or directory exists (both backends probe optional files, which the
 * kernel offers or not by version and configuration).
 *
 * @example
 * ```ts
 * import { exists } from "./backend.ts";
 * exists("/"); // true
 * ```
 */
export function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

/** One backend: the controllers it holds and its view of their files. */
export interface CgroupBackend {
  /** libvirt's `virCgroupBackendType` string ("cgroup V1", "cgroup V2"). */
  readonly type: string;
  /** The controllers this backend serves. */
  readonly controllers: ReadonlySet<CgroupController>;
  /** The same hierarchies limited to `controllers`; undefined when none is left. */
  restrict(controllers: ReadonlySet<CgroupController>): CgroupBackend | undefined;
  /** The directory of group `path` (a placement from the root) in `controller`'s hierarchy. */
  dir(controller: CgroupController, path: string): string;
  /** Creates (with `create`) or checks group `path` under `parent`. */
  makeGroup(parent: string, path: string, create: boolean, kind: CgroupKind): Promise<void>;
  /** Whether the group's directories exist. */
  exists(path: string): boolean;
  /** Removes the group with its children, waiting briefly for exiting tasks to leave it. */
  remove(path: string): Promise<void>;
  /** Moves a process (every thread) or one thread into the group. */
  addTask(path: string, pid: number, thread: boolean): Promise<void>;
  setCpuShares(path: string, shares: number): Promise<void>;
  getCpuShares(path: string): Promise<number>;
  setCfsPeriod(path: string, period: number): Promise<void>;
  getCfsPeriod(path: string): Promise<number>;
  setCfsQuota(path: string, quota: number): Promise<void>;
  getCfsQuota(path: string): Promise<number>;
  /** Whether CFS bandwidth control exists (`virCgroupSupportsCpuBW`). */
  supportsCpuBW(path: string): boolean;
  cpuacctUsage(path: string): Promise<number>;
  cpuacctStat(path: string): Promise<CpuacctTimes>;
  /** Per host CPU usage (ns), absent where the backend has none (v2). */
  cpuacctPercpuUsage?(path: string): Promise<string>;
  setCpusetCpus(path: string, cpus: string): Promise<void>;
  setCpusetMems(path: string, mems: string): Promise<void>;
  setCpusetMemoryMigrate(path: string, migrate: boolean): Promise<void>;
  getCpusetMems(path: string): Promise<string>;
  setMemoryLimit(path: string, which: MemoryLimit, kib: number): Promise<void>;
  getMemoryLimit(path: string, which: MemoryLimit): Promise<number>;
  setBlkioWeight(path: string, weight: number): Promise<void>;
  getBlkioWeight(path: string): Promise<number>;
  /** Sets a device's value; `dev` is its `major:minor ` ({@link blockDevString}). */
  setBlkioDevice(path: string, what: BlkioDeviceValue, dev: string, value: number): Promise<void>;
  /** A device's value, 0 when none is set. */
  getBlkioDevice(path: string, what: BlkioDeviceValue, dev: string): Promise<number>;
}

/**
 * `virCgroupSetValueRaw`: an EINVAL names the value and the file, anything else the path.
 *
 * @example
 * ```ts ignore
 * import { writeValue } from "./backend.ts";
 * await writeValue("/sys/fs/cgroup/cpu/machine/cpu.shares", "1024");
 * ```
 */
export async function writeValue(path: string, value: string): Promise<void> {
  try {
    await Deno.writeTextFile(path, value, { create: false });
  } catch (err) {
    if (err instanceof Error && "code" in err && err.code === "EINVAL") {
      throw VirError.report(
        "CGROUP",
        "SYSTEM_ERROR",
        `Invalid value '${value}' for '${path.slice(path.lastIndexOf("/") + 1)}': ${strerror(err)}`,
      );
    }
    throw VirError.report(
      "CGROUP",
      "SYSTEM_ERROR",
      `Unable to write to '${path}': ${strerror(err)}`,
    );
  }
}

/**
 * `virCgroupGetValueRaw`: the file's text without its final newline.
 *
 * @example
 * ```ts ignore
 * import { readValue } from "./backend.ts";
 * await readValue("/sys/fs/cgroup/cpu/cpu.shares"); // "1024"
 * ```
 */
export async function readValue(path: string): Promise<string> {
  try {
    return (await Deno.readTextFile(path)).replace(/\n$/, "");
  } catch (err) {
    throw VirError.report(
      "CGROUP",
      "SYSTEM_ERROR",
      `Unable to read from '${path}': ${strerror(err)}`,
    );
  }
}

/**
 * `virCgroupGetValueU64`/`I64`: the file's number, or libvirt's parse error.
 *
 * @example
 * ```ts ignore
 * import { readNumber } from "./backend.ts";
 * await readNumber("/sys/fs/cgroup/cpu/cpu.shares"); // 1024
 * ```
 */
export async function readNumber(path: string): Promise<number> {
  return Number(await readInteger(path));
}

/**
 * A file's integer as text, for values beyond a double's exact range (byte counts).
 *
 * @example
 * ```ts ignore
 * import { readInteger } from "./backend.ts";
 * await readInteger("/sys/fs/cgroup/memory/memory.limit_in_bytes"); // "9223372036854771712"
 * ```
 */
export async function readInteger(path: string): Promise<string> {
  const text = (await readValue(path)).trim();
  if (!/^-?\d+$/.test(text)) {
    throw VirError.report("CGROUP", "INTERNAL_ERROR", `Unable to parse '${text}' as an integer`);
  }
  return text;
}

/**
 * `rmdir` of a group's directory after its children's, as `virCgroupRemoveRecursively`; a
 * group whose tasks are still exiting (EBUSY) is retried for up to 5 s, as a QEMU that was
 * just killed leaves its cgroups only once the kernel has reaped every thread.
 *
 * @example
 * ```ts ignore
 * import { removeTree } from "./backend.ts";
 * await removeTree("/sys/fs/cgroup/cpu/machine/qemu-1-vm.libvirt-qemu");
 * ```
 */
export async function removeTree(dir: string): Promise<void> {
  let entries: Deno.DirEntry[];
  try {
    entries = [...Deno.readDirSync(dir)];
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return;
    throw err;
  }
  for (const e of entries) if (e.isDirectory) await removeTree(`${dir}/${e.name}`);
  const deadline = Date.now() + 5000;
  for (;;) {
    try {
      await Deno.remove(dir);
      return;
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) return;
      // rmdir takes a cgroup's kernel files along; a plain directory (a fake tree) keeps
      // its files, which go with it.
      if (err instanceof Error && "code" in err && err.code === "ENOTEMPTY") {
        await Deno.remove(dir, { recursive: true });
        return;
      }
      const busy = err instanceof Deno.errors.Busy ||
        err instanceof Error && "code" in err && err.code === "EBUSY";
      if (!busy || Date.now() > deadline) {
        throw VirError.report(
          "CGROUP",
          "SYSTEM_ERROR",
          `Unable to remove ${dir}: ${strerror(err)}`,
        );
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

/**
 * `virCgroupGetBlockDevString`: the `major:minor ` (with its space) of block device `path`.
 *
 * @example
 * ```ts ignore
 * import { blockDevString } from "./backend.ts";
 * blockDevString("/dev/loop0"); // "7:0 "
 * ```
 */
export function blockDevString(path: string): string {
  let info: Deno.FileInfo;
  try {
    info = Deno.statSync(path);
  } catch (err) {
    throw VirError.report(
      "CGROUP",
      "SYSTEM_ERROR",
      `Path '${path}' is not accessible: ${strerror(err)}`,
    );
  }
  if (!info.isBlockDevice || info.rdev === null) {
    throw VirError.report(
      "CGROUP",
      "SYSTEM_ERROR",
      `Path '${path}' must be a block device: Invalid argument`,
    );
  }
  // glibc's major()/minor() of a Linux dev_t.
  const rdev = BigInt(info.rdev);
  const major = ((rdev >> 8n) & 0xfffn) | ((rdev >> 32n) & ~0xfffn);
  const minor = (rdev & 0xffn) | ((rdev >> 12n) & ~0xffn);
  return `${major}:${minor} `;
}

/**
 * `virCgroupGetValueForBlkDev`: the rest of the line of a per-device file that starts with
 * `dev`, undefined when the device has none.
 *
 * @example
 * ```ts
 * import { valueForBlkDev } from "./backend.ts";
 * valueForBlkDev("7:0 100\n8:0 5", "8:0 "); // "5"
 * ```
 */
export function valueForBlkDev(text: string, dev: string): string | undefined {
  return text.split("\n").find((l) => l.startsWith(dev))?.slice(dev.length);
}

/**
 * A per-device integer of {@link valueForBlkDev}: 0 when unset, libvirt's parse error else.
 *
 * @example
 * ```ts
 * import { blkDevNumber } from "./backend.ts";
 * blkDevNumber("8:0 5", "8:0 "); // 5
 * ```
 */
export function blkDevNumber(text: string, dev: string): number {
  const value = valueForBlkDev(text, dev);
  if (value === undefined) return 0;
  if (!/^\d+/.test(value)) {
    throw VirError.report("CGROUP", "INTERNAL_ERROR", `Unable to parse '${value}' as an integer`);
  }
  return parseInt(value, 10);
}
