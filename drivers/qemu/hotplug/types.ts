/**
 * The state vCPU hotplug works on, and the interfaces it needs from the outside world (the
 * monitor and the per-vCPU cgroups), so the logic runs the same against QEMU or a fake.
 *
 * @module
 */
import type { CpuInfoFast, HotpluggableCpu } from "../monitor/qmp_types.ts";
import type { ThreadSched } from "../../../conf/domain/cputune_sched.ts";

/** The monitor commands vCPU hotplug uses (a `QemuMonitor` satisfies it). */
export interface VcpuMonitor {
  queryHotpluggableCpus(): Promise<HotpluggableCpu[]>;
  queryCpusFast(): Promise<CpuInfoFast[]>;
  deviceAdd(props: Record<string, unknown>): Promise<void>;
  /** False when QEMU has no such device (DeviceNotFound), which is no monitor error. */
  deviceDel(id: string): Promise<boolean>;
}

/** Per-vCPU cgroups (libvirt's `vcpuN` thread cgroups). */
export interface VcpuCgroup {
  /**
   * Puts the vCPU's thread into its own cgroup and, with `cpumask`, confines it to those host
   * CPUs (cgroup cpuset and thread affinity, as libvirt's `qemuProcessSetupPid`).
   */
  setupVcpu(vcpu: number, tid: number, cpumask?: number[]): Promise<void>;
  /** Confines QEMU's emulator (main) thread to the host CPUs of `cpumask`. */
  setupEmulator(cpumask: number[]): Promise<void>;
  /** Removes the vCPU's cgroup after an unplug. */
  removeVcpu(vcpu: number): Promise<void>;
  /**
   * Puts IOThread `id`'s thread into its own cgroup and, with `cpumask`, confines it to those
   * host CPUs (libvirt's `qemuProcessSetupIOThread`).
   */
  setupIOThread(id: number, tid: number, cpumask?: number[]): Promise<void>;
  /** Removes IOThread `id`'s cgroup after its deletion. */
  removeIOThread(id: number): Promise<void>;
  /** Runs thread `tid` under `sched` (libvirt's `virProcessSetScheduler`). */
  setScheduler(tid: number, sched: ThreadSched): Promise<void>;
  /**
   * Lets the emulator allocate on every host node while vCPUs are plugged, returning what puts
   * its nodes back (`virDomainCgroupEmulatorAllNodesAllow` / `…Restore`); absent without cgroups.
   */
  allowEmulatorAllNodes?(): Promise<() => Promise<void>>;
}

/** What libvirt keeps per vCPU about QEMU's view (`qemuDomainVcpuPrivate`). */
export interface VcpuPrivate {
  /** Host thread id; 0 when unknown. */
  tid: number;
  socketId: number;
  dieId: number;
  coreId: number;
  threadId: number;
  nodeId: number;
  /** vCPUs in the hotpluggable entity that starts here; 0 for the others of an entity. */
  vcpus: number;
  /** QOM type for `device_add`. */
  type?: string;
  /** `props` of `query-hotpluggable-cpus`, sent back with `device_add`. */
  props?: Record<string, number>;
  /** Device alias (`vcpuN`) of a hotplugged entity. */
  alias?: string;
  /** 1-based order in which QEMU lists the entity's vCPUs; 0 when offline. */
  enableId: number;
  /** QEMU's cpu-index. */
  qemuId: number;
}

/** One vCPU as the domain definition and the private data describe it. */
export interface VcpuState {
  online: boolean;
  hotpluggable: boolean;
  /** `order=` attribute; 0 = unset. */
  order: number;
  /** Host CPUs of its `<vcpupin>` (libvirt's `cpumask`); undefined when not pinned. */
  cpumask?: number[];
  /** Its `<vcpusched>`; undefined for the host's default scheduler. */
  sched?: ThreadSched;
  priv: VcpuPrivate;
}

/** The live vCPU state of one running domain. */
export interface LiveVcpus {
  /** QEMU's process id (tids equal to it are bogus TCG data). */
  pid: number;
  /** Indexed by vCPU id; its length is the maximum vCPU count. */
  vcpus: VcpuState[];
  /** libvirt's `individualvcpus`: format `<vcpus>` (set once a vCPU was hotplugged). */
  individual: boolean;
}

/** A log sink for conditions libvirt only logs. */
export type HotplugLog = (message: string) => void;

/** Everything a live vCPU operation needs. */
export interface HotplugContext {
  vm: LiveVcpus;
  monitor: VcpuMonitor;
  cgroup: VcpuCgroup;
  /** The domain's pending-unplug slot. */
  removal: {
    /** The alias still waited for (undefined once its event came). */
    readonly alias?: string;
    mark(alias: string): void;
    reset(): void;
    wait(timeoutMs: number): Promise<"removed" | "timeout" | "rejected">;
  };
  /** How long to wait for DEVICE_DELETED (libvirt: 5 s). */
  unplugTimeoutMs: number;
  log?: HotplugLog;
  /** Called once for each vCPU actually removed. */
  onVcpuRemoved?: (vcpu: number) => void;
}
