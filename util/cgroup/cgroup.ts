/**
 * libvirt's cgroup layer (`vircgroup.c`) without machined: partitions, the machine group
 * `<partition>/<name>.libvirt-<driver>` and its `vcpuN`/`emulator`/`iothreadN` thread groups,
 * each controller served by the v1 or v2 backend that holds it.
 *
 * @module
 */
import { VirError } from "../errors.ts";
import {
  type BlkioDeviceValue,
  blockDevString,
  type CgroupBackend,
  type CgroupKind,
  type CpuacctTimes,
  type MemoryLimit,
} from "./backend.ts";
import { CgroupV1Backend } from "./backend_v1.ts";
import { CgroupV2Backend } from "./backend_v2.ts";
import {
  CGROUP_CONTROLLERS,
  type CgroupController,
  type CgroupMounts,
  v2ControllerName,
} from "./mounts.ts";

/** The controllers of a thread group (`virCgroupNewThread`). */
const THREAD_CONTROLLERS: ReadonlySet<CgroupController> = new Set(["cpu", "cpuacct", "cpuset"]);

/** The thread groups of a machine (`virCgroupThreadName`). */
export type CgroupThread = "vcpu" | "emulator" | "iothread";

/** A file's trimmed text, "" when it cannot be read. */
function readOr(path: string): string {
  try {
    return Deno.readTextFileSync(path).trim();
  } catch {
    return "";
  }
}

/**
 * The backends for `mounts`, chosen as `virCgroupDetectControllers` does: the v2 hierarchy,
 * when its root offers any controller, takes the controllers its group offers, `cpuacct` (its
 * `cpu.stat` always counts) and `devices` (BPF); v1 takes the others it has mounted. On a
 * hybrid host CPU time is then read from the unified hierarchy, as libvirt reads it.
 *
 * @example
 * ```ts
 * import { cgroupBackends } from "./cgroup.ts";
 * cgroupBackends({ v1: { cpu: "/sys/fs/cgroup/cpu" } }).map((b) => b.type); // ["cgroup V1"]
 * ```
 */
export function cgroupBackends(mounts: CgroupMounts): CgroupBackend[] {
  const root = mounts.root ?? "/";
  const backends: CgroupBackend[] = [];
  let v2: CgroupController[] = [];
  // virCgroupV2Available: a unified hierarchy offering nothing is systemd's tracking only.
  if (mounts.v2 && readOr(`${mounts.v2}/cgroup.controllers`)) {
    const offered = readOr(`${mounts.v2}${root.replace(/\/$/, "")}/cgroup.controllers`)
      .split(/\s+/);
    v2 = CGROUP_CONTROLLERS.filter((c) =>
      c === "cpuacct" || c === "devices" || offered.includes(v2ControllerName(c))
    );
    backends.push(new CgroupV2Backend(mounts.v2, root, v2));
  }
  const v1 = Object.entries(mounts.v1).filter(([c]) => !v2.includes(c as CgroupController));
  if (v1.length) backends.push(new CgroupV1Backend(Object.fromEntries(v1), root));
  return backends;
}

/** libvirt's names for special partition components (`virCgroupPartitionNeedsEscaping`). */
function needsEscaping(part: string): boolean {
  return part.startsWith("cgroup.") || part.startsWith("_") || part.startsWith(".") ||
    CGROUP_CONTROLLERS.some((c) => part.startsWith(`${c}.`));
}

function escape(part: string): string {
  return needsEscaping(part) ? `_${part}` : part;
}

/**
 * `virCgroupSetPartitionSuffix`: every component of a partition but the top-level `machine`,
 * `system` and `user` gets `.partition` unless it has a dot, then is escaped.
 *
 * @example
 * ```ts
 * import { partitionPath } from "./cgroup.ts";
 * partitionPath("/machine/web"); // "/machine/web.partition"
 * ```
 */
export function partitionPath(partition: string): string {
  return partition.split("/").map((part, i) => {
    if (i === 1 && ["machine", "system", "user"].includes(part)) return part;
    return escape(part && !part.includes(".") ? `${part}.partition` : part);
  }).join("/");
}

/**
 * One group in every hierarchy.
 *
 * @example
 * ```ts ignore
 * import { Cgroup } from "./cgroup.ts";
 * import { hostCgroupMounts } from "./mounts.ts";
 * const g = await Cgroup.newMachine(hostCgroupMounts()!, "/machine", "qemu", "qemu-1-vm", 4242);
 * await g.getCpuShares();
 * ```
 */
export class Cgroup {
  /** The group's placement below the root ("/machine/qemu-1-vm.libvirt-qemu"). */
  readonly path: string;
  #backends: CgroupBackend[];

  private constructor(path: string, backends: CgroupBackend[]) {
    this.path = path;
    this.#backends = backends;
  }

  /**
   * `virCgroupNewPartition`: the partition's group, created only for the default `/machine`
   * (any other partition must exist already, as libvirt requires).
   */
  static async newPartition(mounts: CgroupMounts, partition: string): Promise<Cgroup> {
    if (!partition.startsWith("/")) {
      throw VirError.report(
        "CGROUP",
        "INTERNAL_ERROR",
        `Partition path '${partition}' must start with '/'`,
      );
    }
    const path = partitionPath(partition);
    const group = new Cgroup(path, cgroupBackends(mounts));
    if (path !== "/") {
      const parent = path.slice(0, path.lastIndexOf("/")) || "/";
      await group.#make(parent, partition === "/machine", "partition");
    }
    return group;
  }

  /**
   * `virCgroupNewMachineManual`: the machine's group `<name>.libvirt-<driver>` in `partition`,
   * with process `pid` moved into it.
   */
  static async newMachine(
    mounts: CgroupMounts,
    partition: string,
    driver: string,
    name: string,
    pid: number,
  ): Promise<Cgroup> {
    const parent = await Cgroup.newPartition(mounts, partition);
    const group = parent.#child(escape(`${name}.libvirt-${driver}`));
    await group.#make(parent.path, true, "domain");
    try {
      await group.addProcess(pid);
    } catch (err) {
      await group.remove().catch(() => {});
      throw err;
    }
    return group;
  }

  /** A machine group that already exists (found again after a driver restart). */
  static existing(mounts: CgroupMounts, path: string): Cgroup | undefined {
    const group = new Cgroup(path, cgroupBackends(mounts));
    return group.#backends.length && group.#backends.every((b) => b.exists(path))
      ? group
      : undefined;
  }

  /**
   * `virCgroupNewThread`: the `vcpuN`, `emulator` or `iothreadN` child, holding only the
   * cpu, cpuacct and cpuset controllers.
   */
  async newThread(kind: CgroupThread, id: number, create: boolean): Promise<Cgroup> {
    const name = kind === "emulator" ? "emulator" : `${kind}${id}`;
    const backends = this.#backends.flatMap((b) => b.restrict(THREAD_CONTROLLERS) ?? []);
    const group = new Cgroup(`${this.path.replace(/\/$/, "")}/${name}`, backends);
    await group.#make(this.path, create, "thread");
    return group;
  }

  #child(name: string): Cgroup {
    return new Cgroup(`${this.path.replace(/\/$/, "")}/${name}`, this.#backends);
  }

  async #make(parent: string, create: boolean, kind: CgroupKind): Promise<void> {
    for (const b of this.#backends) await b.makeGroup(parent, this.path, create, kind);
  }

  /** `virCgroupHasController`. */
  has(controller: CgroupController): boolean {
    return this.#backends.some((b) => b.controllers.has(controller));
  }

  /** `virCgroupAddProcess`: every thread of `pid`. */
  async addProcess(pid: number): Promise<void> {
    for (const b of this.#backends) await b.addTask(this.path, pid, false);
  }

  /** `virCgroupAddThread`: thread `tid` alone. */
  async addThread(tid: number): Promise<void> {
    for (const b of this.#backends) await b.addTask(this.path, tid, true);
  }

  /** `virCgroupRemove`: the group and its children, in every hierarchy. */
  async remove(): Promise<void> {
    for (const b of this.#backends) await b.remove(this.path);
  }

  /**
   * `VIR_CGROUP_BACKEND_CALL`: the backend holding `controller` that implements `op`, or
   * libvirt's error.
   */
  #backend(controller: CgroupController, op?: string): CgroupBackend {
    const b = this.has(controller)
      ? this.#backends.find((x) => x.controllers.has(controller))
      : undefined;
    if (!b) {
      throw VirError.report(
        "CGROUP",
        "INTERNAL_ERROR",
        `failed to get cgroup backend for '${op ?? "pathOfController"}' controller '${
          CGROUP_CONTROLLERS.indexOf(controller)
        }'`,
      );
    }
    return b;
  }

  async setCpuShares(shares: number): Promise<void> {
    return await this.#backend("cpu", "setCpuShares").setCpuShares(this.path, shares);
  }

  async getCpuShares(): Promise<number> {
    return await this.#backend("cpu", "getCpuShares").getCpuShares(this.path);
  }

  supportsCpuBW(): boolean {
    return this.has("cpu") && this.#backend("cpu").supportsCpuBW(this.path);
  }

  /**
   * `virCgroupSetupCpuPeriodQuota`: a zero leaves that value; a new period that the quota
   * refuses is put back.
   */
  async setupCpuPeriodQuota(period: number, quota: number): Promise<void> {
    if (!period && !quota) return;
    const b = this.#backend("cpu", "setCpuCfsPeriod");
    const old = period ? await b.getCfsPeriod(this.path) : 0;
    if (period) await b.setCfsPeriod(this.path, period);
    if (!quota) return;
    try {
      await b.setCfsQuota(this.path, quota);
    } catch (err) {
      if (period) await b.setCfsPeriod(this.path, old).catch(() => {});
      throw err;
    }
  }

  /** `virCgroupGetCpuPeriodQuota`. */
  async getCpuPeriodQuota(): Promise<{ period: number; quota: number }> {
    const b = this.#backend("cpu", "getCpuCfsPeriod");
    return { period: await b.getCfsPeriod(this.path), quota: await b.getCfsQuota(this.path) };
  }

  async cpuacctUsage(): Promise<number> {
    return await this.#backend("cpuacct", "getCpuacctUsage").cpuacctUsage(this.path);
  }

  async cpuacctStat(): Promise<CpuacctTimes> {
    return await this.#backend("cpuacct", "getCpuacctStat").cpuacctStat(this.path);
  }

  /** `virCgroupGetCpuacctPercpuUsage`: the per-CPU counters, unsupported by v2. */
  async cpuacctPercpuUsage(): Promise<string> {
    const b = this.#backend("cpuacct", "getCpuacctPercpuUsage");
    if (!b.cpuacctPercpuUsage) {
      throw VirError.report(
        "CGROUP",
        "OPERATION_UNSUPPORTED",
        `operation 'getCpuacctPercpuUsage' not supported for backend '${b.type}'`,
      );
    }
    return await b.cpuacctPercpuUsage(this.path);
  }

  async setCpusetCpus(cpus: string): Promise<void> {
    return await this.#backend("cpuset", "setCpusetCpus").setCpusetCpus(this.path, cpus);
  }

  /**
   * `virCgroupSetCpusetMemoryMigrate`: whether a task's pages move with a change of the
   * group's nodes (v2 always moves them).
   */
  async setCpusetMemoryMigrate(migrate: boolean): Promise<void> {
    return await this.#backend("cpuset", "setCpusetMemoryMigrate")
      .setCpusetMemoryMigrate(this.path, migrate);
  }

  /** `virCgroupGetCpusetMems`. */
  async getCpusetMems(): Promise<string> {
    return await this.#backend("cpuset", "getCpusetMems").getCpusetMems(this.path);
  }

  /** `virCgroupSetCpusetMems`: the NUMA nodes the group's tasks allocate memory from. */
  async setCpusetMems(mems: string): Promise<void> {
    return await this.#backend("cpuset", "setCpusetMems").setCpusetMems(this.path, mems);
  }

  async setMemoryLimit(which: MemoryLimit, kib: number): Promise<void> {
    return await this.#backend("memory", "setMemory").setMemoryLimit(this.path, which, kib);
  }

  async getMemoryLimit(which: MemoryLimit): Promise<number> {
    return await this.#backend("memory", "getMemory").getMemoryLimit(this.path, which);
  }

  async getBlkioWeight(): Promise<number> {
    return await this.#backend("blkio", "getBlkioWeight").getBlkioWeight(this.path);
  }

  /**
   * `virCgroupSetupBlkioDevice*`: sets a device's value, then answers what the kernel kept.
   */
  async setupBlkioDevice(what: BlkioDeviceValue, devPath: string, value: number): Promise<number> {
    const b = this.#backend("blkio", "setBlkioDevice");
    const dev = blockDevString(devPath);
    await b.setBlkioDevice(this.path, what, dev, value);
    return await b.getBlkioDevice(this.path, what, dev);
  }

  async setBlkioWeight(weight: number): Promise<void> {
    return await this.#backend("blkio", "setBlkioWeight").setBlkioWeight(this.path, weight);
  }
}
