/**
 * Per-vCPU and per-IOThread thread cgroups. Unavailable cgroups (an unprivileged session, no cgroup v2, no
 * delegation) are logged once and otherwise ignored, as libvirt does without a cgroup.
 *
 * @module
 */
import { formatBitmap } from "../../../conf/domain/bitmap.ts";
import { setThreadAffinity } from "../process/affinity.ts";
import { setThreadScheduler } from "../process/scheduler.ts";
import type { ThreadSched } from "../../../conf/domain/cputune_sched.ts";
import type { HotplugLog, VcpuCgroup } from "./types.ts";

/**
 * vCPU and IOThread cgroups as threaded children of QEMU's own cgroup v2 directory
 * (`<qemu cgroup>/vcpuN`, `iothreadN`, thread moved via `cgroup.threads`), with pins applied to the cgroup's
 * `cpuset.cpus` when it has one and always to the thread's affinity, as libvirt does both.
 *
 * @example
 * ```ts
 * import { LinuxVcpuCgroup } from "./cgroup.ts";
 * const cg = new LinuxVcpuCgroup(12345, console.warn);
 * await cg.setupVcpu(1, 12350, [0]);
 * ```
 */
export class LinuxVcpuCgroup implements VcpuCgroup {
  #pid: number;
  #log: HotplugLog;
  #dir?: string | null;
  #logged = false;

  constructor(pid: number, log: HotplugLog, root = "/sys/fs/cgroup") {
    this.#pid = pid;
    this.#log = log;
    this.#root = root;
  }

  #root: string;

  async setupVcpu(vcpu: number, tid: number, cpumask?: number[]): Promise<void> {
    await this.#place(`vcpu${vcpu}`, tid, cpumask);
    if (cpumask) setThreadAffinity(tid, cpumask);
  }

  async setupIOThread(id: number, tid: number, cpumask?: number[]): Promise<void> {
    await this.#place(`iothread${id}`, tid, cpumask);
    if (cpumask) setThreadAffinity(tid, cpumask);
  }

  async setupEmulator(cpumask: number[]): Promise<void> {
    await this.#place("emulator", this.#pid, cpumask);
    setThreadAffinity(this.#pid, cpumask);
  }

  setScheduler(tid: number, sched: ThreadSched): Promise<void> {
    setThreadScheduler(tid, sched.scheduler, sched.priority);
    return Promise.resolve();
  }

  async #place(name: string, tid: number, cpumask?: number[]): Promise<void> {
    const dir = await this.#base();
    if (!dir) return;
    try {
      const child = `${dir}/${name}`;
      await Deno.mkdir(child, { recursive: true });
      await Deno.writeTextFile(`${child}/cgroup.type`, "threaded").catch(() => {});
      await Deno.writeTextFile(`${child}/cgroup.threads`, String(tid));
      if (cpumask) await Deno.writeTextFile(`${child}/cpuset.cpus`, formatBitmap(cpumask));
    } catch (err) {
      this.#disable(err);
    }
  }

  removeVcpu(vcpu: number): Promise<void> {
    return this.#remove(`vcpu${vcpu}`);
  }

  removeIOThread(id: number): Promise<void> {
    return this.#remove(`iothread${id}`);
  }

  async #remove(name: string): Promise<void> {
    const dir = await this.#base();
    if (!dir) return;
    await Deno.remove(`${dir}/${name}`).catch(() => {});
  }

  async #base(): Promise<string | null> {
    if (this.#dir !== undefined) return this.#dir;
    try {
      const text = await Deno.readTextFile(`/proc/${this.#pid}/cgroup`);
      const line = text.split("\n").find((l) => l.startsWith("0::"));
      if (!line) throw new Error("no cgroup v2 hierarchy");
      const dir = this.#root + line.slice(3).replace(/\/$/, "");
      // On a hybrid host the v2 hierarchy is not mounted at the root (which is then a tmpfs
      // holding the v1 controllers): only a directory with cgroup.controllers is a cgroup.
      await Deno.stat(`${dir}/cgroup.controllers`);
      this.#dir = dir;
    } catch (err) {
      this.#disable(err);
    }
    return this.#dir ?? null;
  }

  #disable(err: unknown): void {
    this.#dir = null;
    if (this.#logged) return;
    this.#logged = true;
    this.#log(`vCPU cgroups unavailable, continuing without them: ${err}`);
  }
}
