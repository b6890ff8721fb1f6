/**
 * The cgroups of a `qemu:///system` domain (libvirt's `qemu_cgroup.c`, `domain_cgroup.c` and
 * `qemuProcessSetupPid`): the machine group `<partition>/qemu-ID-NAME.libvirt-qemu` holding
 * QEMU with the `<cputune>` shares and global bandwidth, the `emulator` thread group, and a
 * `vcpuN` group per online vCPU with its pin and bandwidth; each thread group's `cpuset.mems`
 * follows `<numatune>`.
 *
 * @module
 */
import { formatBitmap, parseBitmap } from "../../conf/domain/bitmap.ts";
import type { DomainDef, XmlElementJSON } from "../../conf/domain/def.ts";
import {
  type CputuneValue,
  cputuneValue,
  type ThreadSched,
} from "../../conf/domain/cputune_sched.ts";
import { emulatorPinOf } from "../../conf/domain/pins.ts";
import { threadMemMask } from "../../conf/domain/numatune_nodes.ts";
import {
  Cgroup,
  type CgroupMounts,
  MEMORY_UNLIMITED,
  partitionPath,
} from "../../util/cgroup/mod.ts";
import { MEMTUNE_LIMITS, memtuneLimit } from "../../conf/domain/memtune_limits.ts";
import {
  BLKIO_DEVICE,
  blkioParameters,
  mergeBlkioDevices,
  parseBlkioDevices,
} from "../../conf/domain/blkio_params.ts";
import { CGROUP_LIMIT } from "./api/memtune.ts";
import { VirError } from "../../util/errors.ts";
import { childText } from "../../util/xml/mod.ts";
import { hostMemoryNodes } from "../../util/numa_nodes.ts";
import { setThreadAffinity } from "./process/affinity.ts";
import { setThreadScheduler } from "./process/scheduler.ts";
import type { VcpuCgroup } from "./hotplug/types.ts";

/** The default partition (`virDomainCgroupInitCgroup`). */
const DEFAULT_PARTITION = "/machine";

const HOSTNAME_CHARS = /[A-Za-z0-9-]/;

/**
 * `virDomainDriverGenerateMachineName` of a privileged driver: `qemu-ID-NAME`, the name cut
 * to hostname characters, no run of dots or dashes, none at the end, 64 characters at most.
 *
 * @example
 * ```ts
 * import { machineName } from "./domain_cgroup.ts";
 * machineName(3, "web_1.example"); // "qemu-3-web1.example"
 * ```
 */
export function machineName(id: number, name: string): string {
  let out = `qemu-${id}-`;
  let skip = true;
  for (const ch of name) {
    if (out.length >= 64) break;
    if (ch === "." || ch === "-") {
      if (!skip) out += ch;
      skip = true;
      continue;
    }
    if (!HOSTNAME_CHARS.test(ch)) continue;
    out += ch;
    skip = false;
  }
  return out.replace(/[-.]+$/, "");
}

/**
 * The domain's `<resource><partition>`, set to `/machine` in the live definition when it has
 * none (libvirt's live XML then shows it), refused when it is not absolute.
 *
 * @example
 * ```ts
 * import { resourcePartition } from "./domain_cgroup.ts";
 * declare const def: import("../../conf/domain/def.ts").DomainDef;
 * resourcePartition(def); // "/machine"
 * ```
 */
export function resourcePartition(def: DomainDef): string {
  let resource = def.sections.find((s) => s.name === "resource");
  if (!resource) {
    resource = { type: "element", name: "resource", attributes: {}, children: [] };
    def.sections.push(resource);
  }
  let partition = childText(resource, "partition");
  if (partition === undefined) {
    partition = DEFAULT_PARTITION;
    const el: XmlElementJSON = {
      type: "element",
      name: "partition",
      attributes: {},
      children: [{ type: "text", text: partition }],
    };
    resource.children.unshift(el);
  }
  if (!partition.startsWith("/")) {
    throw VirError.report(
      "DOMAIN",
      "CONFIG_UNSUPPORTED",
      `Resource partition '${partition}' must start with '/'`,
    );
  }
  return partition;
}

/**
 * The placement of a domain's machine group.
 *
 * @example
 * ```ts
 * import { machineCgroupPath } from "./domain_cgroup.ts";
 * machineCgroupPath("/machine", 1, "vm"); // "/machine/qemu-1-vm.libvirt-qemu"
 * ```
 */
export function machineCgroupPath(partition: string, id: number, name: string): string {
  return `${partitionPath(partition)}/${machineName(id, name)}.libvirt-qemu`;
}

function cpusetOf(def: DomainDef): number[] | undefined {
  return def.vcpu.cpuset ? parseBitmap(def.vcpu.cpuset) : undefined;
}

/** The `<cputune>` period and quota each kind of thread group is limited by. */
const BANDWIDTH: Record<ThreadKind, [CputuneValue, CputuneValue]> = {
  vcpu: ["period", "quota"],
  emulator: ["emulator_period", "emulator_quota"],
  iothread: ["iothread_period", "iothread_quota"],
};

type ThreadKind = "vcpu" | "emulator" | "iothread";

/**
 * `qemuProcessSetupPid`: thread `tid` goes into its thread group, limited to `cpumask` (else
 * the `<vcpu cpuset>`), to the host nodes `<numatune>` binds it to and to its kind's period and
 * quota, and its affinity follows the mask.
 */
async function setupPid(
  cgroup: Cgroup,
  def: DomainDef,
  kind: ThreadKind,
  id: number,
  tid: number,
  cpumask: number[] | undefined,
): Promise<void> {
  const period = cputuneValue(def, BANDWIDTH[kind][0]) ?? 0;
  const quota = cputuneValue(def, BANDWIDTH[kind][1]) ?? 0;
  if ((period || quota) && !cgroup.has("cpu")) {
    throw VirError.report(
      "QEMU",
      "CONFIG_UNSUPPORTED",
      "cgroup cpu is required for scheduler tuning",
    );
  }
  const mask = cpumask ?? cpusetOf(def);
  if (cgroup.has("cpu") || cgroup.has("cpuset")) {
    const mems = threadMemMask(def, kind, id);
    const thread = await cgroup.newThread(kind, id, true);
    try {
      if (cgroup.has("cpuset")) {
        if (mask) await thread.setCpusetCpus(formatBitmap(mask));
        if (mems) await thread.setCpusetMems(mems);
      }
      await thread.setupCpuPeriodQuota(period, quota);
      await thread.addThread(tid);
    } catch (err) {
      await thread.remove().catch(() => {});
      throw err;
    }
  }
  if (mask) setThreadAffinity(tid, mask);
}

/**
 * `qemuSetupCgroup` and `qemuProcessSetupEmulator` for a QEMU just started: the machine group
 * with QEMU in it, the `<cputune>` shares, `<blkiotune>` weight and global bandwidth, and the
 * emulator thread's group. What the host's controllers cannot honour is refused with libvirt's
 * error, and the groups made so far go again.
 *
 * @example
 * ```ts ignore
 * import { setupDomainCgroup } from "./domain_cgroup.ts";
 * import { hostCgroupMounts } from "../../util/cgroup/mod.ts";
 * declare const def: import("../../conf/domain/def.ts").DomainDef;
 * const cg = await setupDomainCgroup(hostCgroupMounts()!, def, 1, 4242);
 * ```
 */
export async function setupDomainCgroup(
  mounts: CgroupMounts,
  def: DomainDef,
  id: number,
  pid: number,
): Promise<Cgroup> {
  const partition = resourcePartition(def);
  const cgroup = await Cgroup.newMachine(mounts, partition, "qemu", machineName(id, def.name), pid);
  try {
    await applyDomainTunables(cgroup, def);
    await setupPid(cgroup, def, "emulator", 0, pid, emulatorPinOf(def));
  } catch (err) {
    await cgroup.remove().catch(() => {});
    throw err;
  }
  return cgroup;
}

/**
 * `virDomainCgroupSetupBlkioCgroup`: the weight, then each device's values (what the kernel
 * kept goes to the live definition).
 */
async function applyBlkiotune(cgroup: Cgroup, def: DomainDef): Promise<void> {
  const blkio = def.sections.find((s) => s.name === "blkiotune");
  if (!blkio) return;
  if (!cgroup.has("blkio")) {
    throw VirError.report(
      "DOMAIN",
      "CONFIG_UNSUPPORTED",
      "Block I/O tuning is not available on this host",
    );
  }
  const { weight, ...devices } = blkioParameters(def);
  if (weight) await cgroup.setBlkioWeight(Number(weight));
  for (const [param, list] of Object.entries(devices)) {
    const name = param as keyof typeof BLKIO_DEVICE;
    const kept: [string, number][] = [];
    for (const [path, n] of parseBlkioDevices(name, String(list))) {
      kept.push([path, await cgroup.setupBlkioDevice(BLKIO_DEVICE[name], path, n)]);
    }
    mergeBlkioDevices(def, name, kept);
  }
}

/**
 * `virDomainCgroupSetupBlkioCgroup`, `…MemoryCgroup` (hard, soft, then swap limit), `…CpuCgroup`,
 * `…CpusetCgroup` (pages follow a later change of nodes) and `…GlobalCpuCgroup`.
 */
async function applyDomainTunables(cgroup: Cgroup, def: DomainDef): Promise<void> {
  await applyBlkiotune(cgroup, def);
  const limits = MEMTUNE_LIMITS.filter((n) => memtuneLimit(def, n) < MEMORY_UNLIMITED);
  if (limits.length && !cgroup.has("memory")) {
    throw VirError.report(
      "DOMAIN",
      "CONFIG_UNSUPPORTED",
      "Memory cgroup is not available on this host",
    );
  }
  for (const n of limits) await cgroup.setMemoryLimit(CGROUP_LIMIT[n], memtuneLimit(def, n));
  const shares = cputuneValue(def, "shares");
  if (shares !== undefined) {
    if (!cgroup.has("cpu")) {
      throw VirError.report(
        "DOMAIN",
        "CONFIG_UNSUPPORTED",
        "CPU tuning is not available on this host",
      );
    }
    await cgroup.setCpuShares(shares);
  }
  if (cgroup.has("cpuset")) await cgroup.setCpusetMemoryMigrate(true);
  const period = cputuneValue(def, "global_period") ?? 0;
  const quota = cputuneValue(def, "global_quota") ?? 0;
  if ((period || quota) && !cgroup.has("cpu")) {
    throw VirError.report(
      "DOMAIN",
      "CONFIG_UNSUPPORTED",
      "cgroup cpu is required for scheduler tuning",
    );
  }
  await cgroup.setupCpuPeriodQuota(period, quota);
}

/**
 * The vCPU and emulator thread groups of a running domain's machine group, for vCPU
 * startup, hotplug and pinning (the {@link VcpuCgroup} of a system domain).
 *
 * @example
 * ```ts ignore
 * import { DomainVcpuCgroup } from "./domain_cgroup.ts";
 * declare const cgroup: import("../../util/cgroup/mod.ts").Cgroup;
 * declare const def: import("../../conf/domain/def.ts").DomainDef;
 * await new DomainVcpuCgroup(() => cgroup, () => def, 4242).setupVcpu(0, 4250);
 * ```
 */
export class DomainVcpuCgroup implements VcpuCgroup {
  #cgroup: () => Cgroup | undefined;
  #def: () => DomainDef;
  #pid: number;

  constructor(cgroup: () => Cgroup | undefined, def: () => DomainDef, pid: number) {
    this.#cgroup = cgroup;
    this.#def = def;
    this.#pid = pid;
  }

  async setupVcpu(vcpu: number, tid: number, cpumask?: number[]): Promise<void> {
    const cgroup = this.#cgroup();
    if (!cgroup) return;
    await setupPid(cgroup, this.#def(), "vcpu", vcpu, tid, cpumask);
  }

  /** `qemuProcessSetupIOThread`: the thread's group, with the IOThread bandwidth. */
  async setupIOThread(id: number, tid: number, cpumask?: number[]): Promise<void> {
    const cgroup = this.#cgroup();
    if (!cgroup) return;
    await setupPid(cgroup, this.#def(), "iothread", id, tid, cpumask);
  }

  /** `virCgroupDelThread` after an IOThread's deletion. */
  async removeIOThread(id: number): Promise<void> {
    const cgroup = this.#cgroup();
    if (!cgroup) return;
    await (await cgroup.newThread("iothread", id, false)).remove();
  }

  /** `qemuDomainPinEmulator` live: the emulator group's cpuset, then QEMU's affinity. */
  async setupEmulator(cpumask: number[]): Promise<void> {
    const cgroup = this.#cgroup();
    if (cgroup?.has("cpuset")) {
      await (await cgroup.newThread("emulator", 0, false)).setCpusetCpus(formatBitmap(cpumask));
    }
    setThreadAffinity(this.#pid, cpumask);
  }

  /**
   * `virDomainCgroupEmulatorAllNodesAllow`: the emulator group's nodes become every host node
   * with memory until the returned function puts the old ones back (a failure to is ignored,
   * as libvirt's `…Restore` ignores it).
   */
  async allowEmulatorAllNodes(): Promise<() => Promise<void>> {
    const cgroup = this.#cgroup();
    const all = hostMemoryNodes();
    if (!cgroup?.has("cpuset") || !all) return () => Promise.resolve();
    const emulator = await cgroup.newThread("emulator", 0, false);
    const saved = await emulator.getCpusetMems();
    await emulator.setCpusetMems(all);
    return () => emulator.setCpusetMems(saved).catch(() => {});
  }

  /** The thread's scheduler, with or without a cgroup (`qemuProcessSetupPid`). */
  setScheduler(tid: number, sched: ThreadSched): Promise<void> {
    setThreadScheduler(tid, sched.scheduler, sched.priority);
    return Promise.resolve();
  }

  /** `virCgroupDelThread` after an unplug. */
  async removeVcpu(vcpu: number): Promise<void> {
    const cgroup = this.#cgroup();
    if (!cgroup) return;
    await (await cgroup.newThread("vcpu", vcpu, false)).remove();
  }
}
