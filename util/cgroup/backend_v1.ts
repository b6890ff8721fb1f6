/**
 * The cgroup v1 backend (libvirt's `vircgroupv1.c`): one hierarchy per controller (or per set
 * of co-mounted controllers), a group being the same placement in each.
 *
 * @module
 */
import { VirError } from "../errors.ts";
import { strerror } from "../strerror.ts";
import {
  blkDevNumber,
  type BlkioDeviceValue,
  type CgroupBackend,
  type CgroupKind,
  type CpuacctTimes,
  exists,
  MEMORY_UNLIMITED,
  type MemoryLimit,
  readInteger,
  readNumber,
  readValue,
  removeTree,
  writeValue,
} from "./backend.ts";
import type { CgroupController } from "./mounts.ts";
import { checkCfsPeriod, checkCfsQuota, checkMemory, checkShares } from "./limits.ts";

/** The v1 file of each memory limit. */
const MEMORY_FILES: Record<MemoryLimit, string> = {
  hard: "memory.limit_in_bytes",
  soft: "memory.soft_limit_in_bytes",
  swap: "memory.memsw.limit_in_bytes",
};

/** The v1 file of each per-device value. */
const BLKIO_DEVICE_FILES: Record<BlkioDeviceValue, string> = {
  weight: "blkio.weight_device",
  read_iops_sec: "blkio.throttle.read_iops_device",
  write_iops_sec: "blkio.throttle.write_iops_device",
  read_bytes_sec: "blkio.throttle.read_bps_device",
  write_bytes_sec: "blkio.throttle.write_bps_device",
};

/** `sysconf(_SC_CLK_TCK)`: the unit of `cpuacct.stat`, 100 on every Linux ABI. */
const USER_HZ = 100;

/**
 * v1 hierarchies under `mounts` (controller → mount point) with groups placed below `root`.
 *
 * @example
 * ```ts
 * import { CgroupV1Backend } from "./backend_v1.ts";
 * const v1 = new CgroupV1Backend({ cpu: "/sys/fs/cgroup/cpu" }, "/");
 * v1.dir("cpu", "/machine"); // "/sys/fs/cgroup/cpu/machine"
 * ```
 */
export class CgroupV1Backend implements CgroupBackend {
  readonly type = "cgroup V1";
  readonly controllers: ReadonlySet<CgroupController>;
  #mounts: Partial<Record<CgroupController, string>>;
  #root: string;

  constructor(mounts: Partial<Record<CgroupController, string>>, root: string) {
    this.#mounts = mounts;
    this.#root = root.replace(/\/+$/, "");
    this.controllers = new Set(Object.keys(mounts) as CgroupController[]);
  }

  restrict(controllers: ReadonlySet<CgroupController>): CgroupV1Backend | undefined {
    const kept = Object.entries(this.#mounts).filter(([c]) =>
      controllers.has(c as CgroupController)
    );
    return kept.length ? new CgroupV1Backend(Object.fromEntries(kept), this.#root) : undefined;
  }

  dir(controller: CgroupController, path: string): string {
    return `${this.#mounts[controller]}${this.#root}${path}`.replace(/\/+$/, "");
  }

  /** The group's directories, one per hierarchy (co-mounted controllers share theirs). */
  #dirs(path: string): string[] {
    return [...new Set([...this.controllers].map((c) => this.dir(c, path)))];
  }

  async makeGroup(parent: string, path: string, create: boolean, kind: CgroupKind): Promise<void> {
    for (const c of this.controllers) {
      const dir = this.dir(c, path);
      if (exists(dir)) continue;
      try {
        if (!create) throw new Deno.errors.NotFound();
        await Deno.mkdir(dir, { mode: 0o755 });
      } catch (err) {
        if (err instanceof Deno.errors.AlreadyExists) continue;
        throw VirError.report(
          "CGROUP",
          "SYSTEM_ERROR",
          `Failed to create v1 controller ${c} for group: ${strerror(err)}`,
        );
      }
      // A cpuset group starts empty: it must take its parent's CPUs and nodes before a task
      // may join (virCgroupV1CpuSetInherit).
      if (c === "cpuset") {
        for (const file of ["cpuset.cpus", "cpuset.mems", "cpuset.memory_migrate"]) {
          await writeValue(`${dir}/${file}`, await readValue(`${this.dir(c, parent)}/${file}`));
        }
      }
      if (c === "memory" && kind === "domain") {
        const file = `${dir}/memory.use_hierarchy`;
        // Setting it again fails once the group has children: only a 0 is changed.
        if (await readNumber(file) !== 1) await writeValue(file, "1");
      }
    }
  }

  exists(path: string): boolean {
    return this.#dirs(path).every(exists);
  }

  async remove(path: string): Promise<void> {
    for (const dir of this.#dirs(path)) await removeTree(dir);
  }

  async addTask(path: string, pid: number, thread: boolean): Promise<void> {
    for (const dir of this.#dirs(path)) {
      await writeValue(`${dir}/${thread ? "tasks" : "cgroup.procs"}`, String(pid));
    }
  }

  async setCpuShares(path: string, shares: number): Promise<void> {
    checkShares(shares);
    await writeValue(`${this.dir("cpu", path)}/cpu.shares`, String(shares));
  }

  getCpuShares(path: string): Promise<number> {
    return readNumber(`${this.dir("cpu", path)}/cpu.shares`);
  }

  async setCfsPeriod(path: string, period: number): Promise<void> {
    checkCfsPeriod(period);
    await writeValue(`${this.dir("cpu", path)}/cpu.cfs_period_us`, String(period));
  }

  getCfsPeriod(path: string): Promise<number> {
    return readNumber(`${this.dir("cpu", path)}/cpu.cfs_period_us`);
  }

  async setCfsQuota(path: string, quota: number): Promise<void> {
    checkCfsQuota(quota);
    await writeValue(`${this.dir("cpu", path)}/cpu.cfs_quota_us`, String(quota));
  }

  getCfsQuota(path: string): Promise<number> {
    return readNumber(`${this.dir("cpu", path)}/cpu.cfs_quota_us`);
  }

  supportsCpuBW(path: string): boolean {
    return this.controllers.has("cpu") && exists(`${this.dir("cpu", path)}/cpu.cfs_period_us`);
  }

  cpuacctUsage(path: string): Promise<number> {
    return readNumber(`${this.dir("cpuacct", path)}/cpuacct.usage`);
  }

  async cpuacctStat(path: string): Promise<CpuacctTimes> {
    const text = await readValue(`${this.dir("cpuacct", path)}/cpuacct.stat`);
    const user = text.match(/^user (\d+)/);
    if (!user) {
      throw VirError.report(
        "CGROUP",
        "INTERNAL_ERROR",
        `Cannot parse user stat '${text.replace(/^user /, "")}'`,
      );
    }
    const rest = text.slice(user[0].length);
    const system = rest.match(/^\nsystem (\d+)/);
    if (!system) {
      throw VirError.report("CGROUP", "INTERNAL_ERROR", `Cannot parse sys stat '${rest}'`);
    }
    const scale = 1e9 / USER_HZ;
    return { user: Number(user[1]) * scale, system: Number(system[1]) * scale };
  }

  cpuacctPercpuUsage(path: string): Promise<string> {
    return readValue(`${this.dir("cpuacct", path)}/cpuacct.usage_percpu`);
  }

  async setCpusetCpus(path: string, cpus: string): Promise<void> {
    await writeValue(`${this.dir("cpuset", path)}/cpuset.cpus`, cpus);
  }

  async setCpusetMems(path: string, mems: string): Promise<void> {
    await writeValue(`${this.dir("cpuset", path)}/cpuset.mems`, mems);
  }

  getCpusetMems(path: string): Promise<string> {
    return readValue(`${this.dir("cpuset", path)}/cpuset.mems`);
  }

  async setCpusetMemoryMigrate(path: string, migrate: boolean): Promise<void> {
    await writeValue(`${this.dir("cpuset", path)}/cpuset.memory_migrate`, migrate ? "1" : "0");
  }

  async setMemoryLimit(path: string, which: MemoryLimit, kib: number): Promise<void> {
    checkMemory(kib);
    const bytes = kib === MEMORY_UNLIMITED ? "-1" : String(BigInt(kib) << 10n);
    await writeValue(`${this.dir("memory", path)}/${MEMORY_FILES[which]}`, bytes);
  }

  /** libvirt reports any value at or above the root's limit (the kernel's "none") as unlimited. */
  async getMemoryLimit(path: string, which: MemoryLimit): Promise<number> {
    const file = `${this.dir("memory", path)}/${MEMORY_FILES[which]}`;
    // Without swap accounting there is no swap limit, which libvirt reports as none.
    if (which === "swap" && !exists(file)) return MEMORY_UNLIMITED;
    const bytes = BigInt(await readInteger(file));
    const kib = bytes >> 10n;
    const root = `${this.#mounts.memory}/memory.limit_in_bytes`;
    const unlimited = exists(root)
      ? BigInt(await readInteger(root)) >> 10n
      : BigInt(MEMORY_UNLIMITED);
    return kib >= unlimited ? MEMORY_UNLIMITED : Number(kib);
  }

  async setBlkioWeight(path: string, weight: number): Promise<void> {
    await writeValue(this.#blkioWeightFile(path), String(weight));
  }

  getBlkioWeight(path: string): Promise<number> {
    return readNumber(this.#blkioWeightFile(path));
  }

  async setBlkioDevice(
    path: string,
    what: BlkioDeviceValue,
    dev: string,
    value: number,
  ): Promise<void> {
    await writeValue(this.#blkioDeviceFile(path, what), `${dev}${value}`);
  }

  async getBlkioDevice(path: string, what: BlkioDeviceValue, dev: string): Promise<number> {
    return blkDevNumber(await readValue(this.#blkioDeviceFile(path, what)), dev);
  }

  /** A per-device file; the weight one exists only under CFQ. */
  #blkioDeviceFile(path: string, what: BlkioDeviceValue): string {
    const file = `${this.dir("blkio", path)}/${BLKIO_DEVICE_FILES[what]}`;
    if (what === "weight" && !exists(file)) {
      throw VirError.report(
        "CGROUP",
        "OPERATION_INVALID",
        "blkio device weight is valid only for cfq scheduler",
      );
    }
    return file;
  }

  /** BFQ's weight file, else CFQ's; neither under another I/O scheduler. */
  #blkioWeightFile(path: string): string {
    const dir = this.dir("blkio", path);
    const file = [`${dir}/blkio.bfq.weight`, `${dir}/blkio.weight`].find(exists);
    if (!file) {
      throw VirError.report(
        "CGROUP",
        "OPERATION_INVALID",
        "blkio device weight is valid only for bfq or cfq scheduler",
      );
    }
    return file;
  }
}
