/**
 * What the QEMU driver keeps per domain beside libvirt's object (`qemuDomainObjPrivate`): the
 * job, the QEMU process with its monitor and vCPU controller, the guest agent, and the
 * bookkeeping of power events in flight.
 *
 * @module
 */
import type { DomainDef } from "../../conf/domain/def.ts";
import { type DomainObj, newDomainObj } from "../../conf/objects/domain_obj.ts";
import type { VcpuController } from "./hotplug/controller.ts";
import { DomainJob } from "./process/job.ts";
import { VIR } from "../../util/constants.ts";
import type { QemuProcess } from "./process/launcher.ts";
import type { NicRuntime } from "./net/nics.ts";
import type { QemuAgent } from "./agent/qemu_agent.ts";
import type { Cgroup } from "../../util/cgroup/mod.ts";
import type { Taints } from "./taint.ts";

/** A domain, defined or transient, running or not, with the QEMU driver's private data. */
export interface QemuDomainObj extends DomainObj {
  job: DomainJob;
  proc?: QemuProcess;
  /** The live vCPU state (the live definition's `<vcpu>` is refreshed from it on output). */
  vcpus?: VcpuController;
  monitorPath?: string;
  /** Why QEMU is going away, when we asked it to. */
  stopping?: "destroy" | "shutdown";
  /** QEMU reported a shutdown (so an exit is not a crash). */
  gotShutdown?: boolean;
  /** The next guest power-off is the first half of a reboot (libvirt's `fakeReboot`). */
  fakeReboot?: boolean;
  /** QEMU paused after a shutdown that a fake reboot undoes: hide its STOP. */
  pausedShutdown?: boolean;
  /** Reason to record when the next RESUME arrives. */
  runningReason?: number;
  /** Reason to record when the next STOP arrives. */
  pausedReason?: number;
  /**
   * The host thread of each running IOThread, by id (libvirt keeps `thread_id` in the live
   * `iothreadids`): read from `query-iothreads` at start and reconnection, kept by add/del.
   */
  iothreadTids?: Map<number, number>;
  /** The machine cgroup of a system domain (`priv->cgroup`); none in session mode. */
  cgroup?: Cgroup;
  /** The taps and network ports made for the NICs, removed when QEMU goes. */
  nics?: NicRuntime[];
  /** The guest agent, while its channel is connected (`priv->agent`). */
  agent?: QemuAgent;
  /** The agent failed: no command until the channel reconnects (`priv->agentError`). */
  agentError?: boolean;
  /** Seconds an agent command waits (`priv->agentTimeout`, VIR_DOMAIN_AGENT_RESPONSE_TIMEOUT_*). */
  agentTimeout: number;
  /** One agent command at a time (libvirt's agent job, beside the domain job). */
  agentJob: DomainJob;
  /** The taints and deprecation warnings of the running QEMU (`vm->taint`, `deprecations`). */
  taints: Taints;
  /** The transient disks (by target) whose overlay this run made (`transientOverlayCreated`). */
  transientOverlays?: Set<string>;
}

/**
 * `virDomainObjNew` with the QEMU driver's private data (`qemuDomainObjPrivateAlloc`).
 *
 * @example
 * ```ts
 * import { newQemuDomainObj } from "./domain_private.ts";
 * declare const def: import("../../conf/domain/def.ts").DomainDef;
 * newQemuDomainObj(def).job;
 * ```
 */
export function newQemuDomainObj(def: DomainDef): QemuDomainObj {
  return {
    ...newDomainObj(def),
    job: new DomainJob(),
    agentJob: new DomainJob(),
    taints: { taint: 0, deprecations: [] },
    // libvirt's default: block until the agent answers.
    agentTimeout: VIR.DOMAIN_AGENT_RESPONSE_TIMEOUT_BLOCK,
  };
}
