/**
 * The cgroup v2 backend (libvirt's `vircgroupv2.c`): one unified hierarchy whose groups enable
 * controllers for their children, thread groups being `threaded` children.
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
  valueForBlkDev,
  writeValue,
} from "./backend.ts";
import { type CgroupController, v2ControllerName } from "./mounts.ts";
import { checkCfsQuota, checkMemory, checkShares, CPU_LIMITS } from "./limits.ts";

/** The v2 file of each memory limit. */
const MEMORY_FILES: Record<MemoryLimit, string> = {
  hard: "memory.max",
  soft: "memory.high",
  swap: "memory.swap.max",
};

/** The `io.max` key of each per-device limit. */
const IO_MAX_KEYS: Record<Exclude<BlkioDeviceValue, "weight">, string> = {
  read_iops_sec: "riops",
  write_iops_sec: "wiops",
  read_bytes_sec: "rbps",
  write_bytes_sec: "wbps",
};

/**
 * The unified hierarchy at `mount`, serving `controllers` (those its root offers that no v1
 * hierarchy holds), with groups placed below `root`.
 *
 * @example
 * ```ts
 * import { CgroupV2Backend } from "./backend_v2.ts";
 * const v2 = new CgroupV2Backend("/sys/fs/cgroup", "/", ["cpu", "cpuacct"]);
 * v2.dir("cpu", "/machine"); // "/sys/fs/cgroup/machine"
 * ```
 */
export class CgroupV2Backend implements CgroupBackend {
  readonly type = "cgroup V2";
  readonly controllers: ReadonlySet<CgroupController>;
  #mount: string;
  #root: string;

  constructor(mount: string, root: string, controllers: Iterable<CgroupController>) {
    this.#mount = mount;
    this.#root = root.replace(/\/+$/, "");
    this.controllers = new Set(controllers);
  }

  restrict(controllers: ReadonlySet<CgroupController>): CgroupV2Backend | undefined {
    const kept = [...this.controllers].filter((c) => controllers.has(c));
    return kept.length ? new CgroupV2Backend(this.#mount, this.#root, kept) : undefined;
  }

  dir(_controller: CgroupController, path: string): string {
    return `${this.#mount}${this.#root}${path}`.replace(/\/+$/, "");
  }

  #dir(path: string): string {
    return this.dir("cpu", path);
  }

  async makeGroup(parent: string, path: string, create: boolean, kind: CgroupKind): Promise<void> {
    const dir = this.#dir(path);
    if (!exists(dir)) {
      try {
        if (!create) throw new Deno.errors.NotFound();
        await Deno.mkdir(dir, { mode: 0o755 });
      } catch (err) {
        if (!(err instanceof Deno.errors.AlreadyExists)) {
          throw VirError.report(
            "CGROUP",
            "SYSTEM_ERROR",
            `Failed to create v2 cgroup '${dir}': ${strerror(err)}`,
          );
        }
      }
    }
    if (!create) return;
    const control = `${this.#dir(parent)}/cgroup.subtree_control`;
    if (kind === "thread") {
      await writeValue(`${dir}/cgroup.type`, "threaded");
      for (const c of ["cpu", "cpuset"] as const) {
        if (!this.controllers.has(c)) continue;
        await writeValue(control, `+${c}`).catch((err: VirError) => {
          throw VirError.report(
            "CGROUP",
            "SYSTEM_ERROR",
            `Failed to enable controller '+${c}' for '${control}': ${
              err.message.replace(/^.*: /, "")
            }`,
          );
        });
      }
      return;
    }
    // cpuacct and devices come with cpu and BPF; a controller the parent cannot hand down is
    // skipped, as libvirt skips it.
    for (const c of this.controllers) {
      if (c === "cpuacct" || c === "devices") continue;
      await writeValue(control, `+${v2ControllerName(c)}`).catch(() => {});
    }
  }

  exists(path: string): boolean {
    return exists(this.#dir(path));
  }

  async remove(path: string): Promise<void> {
    await removeTree(this.#dir(path));
  }

  async addTask(path: string, pid: number, thread: boolean): Promise<void> {
    await writeValue(`${this.#dir(path)}/${thread ? "cgroup.threads" : "cgroup.procs"}`, `${pid}`);
  }

  async setCpuShares(path: string, shares: number): Promise<void> {
    checkShares(shares);
    await writeValue(`${this.#dir(path)}/cpu.weight`, String(shares));
  }

  getCpuShares(path: string): Promise<number> {
    return readNumber(`${this.#dir(path)}/cpu.weight`);
  }

  async #cpuMax(path: string): Promise<[string, string]> {
    const text = await readValue(`${this.#dir(path)}/cpu.max`);
    const space = text.indexOf(" ");
    if (space < 0) throw VirError.report("CGROUP", "INTERNAL_ERROR", "Invalid 'cpu.max' data.");
    return [text.slice(0, space), text.slice(space + 1)];
  }

  async setCfsPeriod(path: string, period: number): Promise<void> {
    const { periodMin: min, periodMax: max } = CPU_LIMITS;
    if (period < min || period > max) {
      // libvirt 9.0's v2 backend prints its arguments in this order.
      throw VirError.report(
        "CGROUP",
        "INVALID_ARG",
        `cfs_period '${min}' must be in range (${max}, ${period})`,
      );
    }
    const [quota] = await this.#cpuMax(path);
    await writeValue(`${this.#dir(path)}/cpu.max`, `${quota} ${period}`);
  }

  async getCfsPeriod(path: string): Promise<number> {
    const [, period] = await this.#cpuMax(path);
    return Number(period);
  }

  async setCfsQuota(path: string, quota: number): Promise<void> {
    checkCfsQuota(quota);
    const value = quota < 0 || quota === CPU_LIMITS.quotaMax ? "max" : String(quota);
    await writeValue(`${this.#dir(path)}/cpu.max`, value);
  }

  async getCfsQuota(path: string): Promise<number> {
    const [quota] = await this.#cpuMax(path);
    return quota === "max" ? CPU_LIMITS.quotaMax : Number(quota);
  }

  supportsCpuBW(path: string): boolean {
    return this.controllers.has("cpu") && exists(`${this.#dir(path)}/cpu.max`);
  }

  async #cpuStat(path: string, key: string, what: string): Promise<number> {
    const text = await readValue(`${this.#dir(path)}/cpu.stat`);
    const m = text.match(new RegExp(`(?:^|\\n)${key} (\\d+)`));
    if (!m) throw VirError.report("CGROUP", "INTERNAL_ERROR", `cannot parse ${what} '${text}'`);
    return Number(m[1]) * 1000;
  }

  cpuacctUsage(path: string): Promise<number> {
    return this.#cpuStat(path, "usage_usec", "cpu usage stat");
  }

  async cpuacctStat(path: string): Promise<CpuacctTimes> {
    return {
      user: await this.#cpuStat(path, "user_usec", "cpu user stat"),
      system: await this.#cpuStat(path, "system_usec", "cpu sys stat"),
    };
  }

  async setCpusetCpus(path: string, cpus: string): Promise<void> {
    await writeValue(`${this.#dir(path)}/cpuset.cpus`, cpus);
  }

  async setCpusetMems(path: string, mems: string): Promise<void> {
    await writeValue(`${this.#dir(path)}/cpuset.mems`, mems);
  }

  getCpusetMems(path: string): Promise<string> {
    return readValue(`${this.#dir(path)}/cpuset.mems`);
  }

  /** v2 has no such switch: pages always follow (`virCgroupV2SetCpusetMemoryMigrate`). */
  setCpusetMemoryMigrate(): Promise<void> {
    return Promise.resolve();
  }

  async setMemoryLimit(path: string, which: MemoryLimit, kib: number): Promise<void> {
    checkMemory(kib);
    const value = kib === MEMORY_UNLIMITED ? "max" : String(BigInt(kib) << 10n);
    await writeValue(`${this.#dir(path)}/${MEMORY_FILES[which]}`, value);
  }

  async getMemoryLimit(path: string, which: MemoryLimit): Promise<number> {
    const file = `${this.#dir(path)}/${MEMORY_FILES[which]}`;
    // Without swap accounting there is no swap limit, which libvirt reports as none.
    if (which === "swap" && !exists(file)) return MEMORY_UNLIMITED;
    if ((await readValue(file)).trim() === "max") return MEMORY_UNLIMITED;
    const kib = BigInt(await readInteger(file)) >> 10n;
    return kib >= BigInt(MEMORY_UNLIMITED) ? MEMORY_UNLIMITED : Number(kib);
  }

  async setBlkioWeight(path: string, weight: number): Promise<void> {
    const [file, bfq] = this.#ioWeightFile(path);
    await writeValue(file, bfq ? String(weight) : `default ${weight}`);
  }

  async getBlkioWeight(path: string): Promise<number> {
    const text = await readValue(this.#ioWeightFile(path)[0]);
    const n = text.match(/default (\d+)/)?.[1] ?? text.match(/^\d+/)?.[0];
    if (n === undefined) {
      throw VirError.report("CGROUP", "INTERNAL_ERROR", `Unable to parse '${text}' as an integer`);
    }
    return Number(n);
  }

  async setBlkioDevice(
    path: string,
    what: BlkioDeviceValue,
    dev: string,
    value: number,
  ): Promise<void> {
    if (what === "weight") {
      await writeValue(this.#ioDeviceWeightFile(path), `${dev}${value}`);
      return;
    }
    // A zero lifts the limit.
    const limit = `${IO_MAX_KEYS[what]}=${value || "max"}`;
    await writeValue(`${this.#dir(path)}/io.max`, `${dev}${limit}`);
  }

  async getBlkioDevice(path: string, what: BlkioDeviceValue, dev: string): Promise<number> {
    if (what === "weight") {
      return blkDevNumber(await readValue(this.#ioDeviceWeightFile(path)), dev);
    }
    const line = valueForBlkDev(await readValue(`${this.#dir(path)}/io.max`), dev);
    if (line === undefined) return 0;
    const key = `${IO_MAX_KEYS[what]}=`;
    const at = line.indexOf(key);
    if (at < 0) {
      throw VirError.report(
        "CGROUP",
        "INTERNAL_ERROR",
        `Unable to find '${key}' limit for block device '${dev.trim()}'`,
      );
    }
    const value = line.slice(at + key.length);
    if (value.startsWith("max")) return 0;
    const n = value.match(/^\d+/)?.[0];
    if (n === undefined) {
      throw VirError.report("CGROUP", "INTERNAL_ERROR", `Unable to parse '${line}' as an integer`);
    }
    return Number(n);
  }

  /** `io.weight`, which takes per-device weights under CFQ only. */
  #ioDeviceWeightFile(path: string): string {
    const file = `${this.#dir(path)}/io.weight`;
    if (!exists(file)) {
      throw VirError.report(
        "CGROUP",
        "OPERATION_INVALID",
        "blkio device weight is valid only for cfq scheduler",
      );
    }
    return file;
  }

  /** BFQ's weight file, else the io controller's (`default N`). */
  #ioWeightFile(path: string): [string, boolean] {
    const dir = this.#dir(path);
    if (exists(`${dir}/io.bfq.weight`)) return [`${dir}/io.bfq.weight`, true];
    if (exists(`${dir}/io.weight`)) return [`${dir}/io.weight`, false];
    throw VirError.report(
      "CGROUP",
      "OPERATION_INVALID",
      "blkio weight is valid only for bfq or cfq scheduler",
    );
  }
}
