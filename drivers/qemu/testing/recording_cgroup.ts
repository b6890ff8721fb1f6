/**
 * A {@link VcpuCgroup} double that records every call instead of touching the host.
 *
 * @module
 */
import { formatBitmap } from "../../../conf/domain/bitmap.ts";
import type { VcpuCgroup } from "../hotplug/types.ts";
import type { ThreadSched } from "../../../conf/domain/cputune_sched.ts";

/**
 * Records `setup <vcpu> <tid>[ cpus=<list>]`, `emulator cpus=<list>`, `remove <vcpu>`,
 * `iothread <id> <tid>[ cpus=<list>]`, `remove iothread <id>` and
 * `sched <tid> <scheduler>[ <priority>]`.
 *
 * @example
 * ```ts
 * import { RecordingCgroup } from "./recording_cgroup.ts";
 * const cg = new RecordingCgroup();
 * await cg.setupVcpu(1, 4242, [0]);
 * cg.calls; // ["setup 1 4242 cpus=0"]
 * ```
 */
export class RecordingCgroup implements VcpuCgroup {
  /** Every call, in order. */
  readonly calls: string[] = [];

  setupVcpu(vcpu: number, tid: number, cpumask?: number[]): Promise<void> {
    this.calls.push(`setup ${vcpu} ${tid}${cpumask ? ` cpus=${formatBitmap(cpumask)}` : ""}`);
    return Promise.resolve();
  }

  setupEmulator(cpumask: number[]): Promise<void> {
    this.calls.push(`emulator cpus=${formatBitmap(cpumask)}`);
    return Promise.resolve();
  }

  removeVcpu(vcpu: number): Promise<void> {
    this.calls.push(`remove ${vcpu}`);
    return Promise.resolve();
  }

  setupIOThread(id: number, tid: number, cpumask?: number[]): Promise<void> {
    this.calls.push(
      `iothread ${id} ${tid}${cpumask ? ` cpus=${formatBitmap(cpumask)}` : ""}`,
    );
    return Promise.resolve();
  }

  removeIOThread(id: number): Promise<void> {
    this.calls.push(`remove iothread ${id}`);
    return Promise.resolve();
  }

  setScheduler(tid: number, sched: ThreadSched): Promise<void> {
    const priority = sched.priority === undefined ? "" : ` ${sched.priority}`;
    this.calls.push(`sched ${tid} ${sched.scheduler}${priority}`);
    return Promise.resolve();
  }
}
