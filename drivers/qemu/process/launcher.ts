/**
 * Starting QEMU and attaching to a running one. The driver talks to a {@link QemuLauncher}
 * so tests can substitute a fake QEMU.
 *
 * @module
 */
import { QemuMonitor } from "../monitor/qemu_monitor.ts";
import { connectQmpUnix } from "../monitor/unix.ts";
import { VirError } from "../../../util/errors.ts";
import { LinuxVcpuCgroup } from "../hotplug/cgroup.ts";
import type { HotplugLog, VcpuCgroup } from "../hotplug/types.ts";

/** A QEMU process with its monitor. */
export interface QemuProcess {
  pid: number;
  monitor: QemuMonitor;
  /** Sends a signal to QEMU. */
  kill(signal: Deno.Signal): void;
  /** True while the process exists. */
  alive(): boolean;
}

/** How QEMU processes are started and found again. */
export interface QemuLauncher {
  /** Spawns `emulator argv…` and connects to its QMP socket. */
  launch(emulator: string, argv: string[], monitorPath: string): Promise<QemuProcess>;
  /** Reconnects to a QEMU started earlier; null when it is gone. */
  attach(pid: number, monitorPath: string): Promise<QemuProcess | null>;
  /** Where the threads of QEMU `pid` are placed and pinned. */
  cgroup(pid: number, log: HotplugLog): VcpuCgroup;
}

function processAlive(pid: number): boolean {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    // A zombie (state Z) already exited; only its parent has yet to reap it.
    return !/^\d+ \(.*\) Z/.test(stat);
  } catch {
    return false;
  }
}

/**
 * Real QEMU processes: spawned directly (no shell), detached from our stdio so they outlive
 * the driver, found again by pid and socket.
 *
 * @example
 * ```ts
 * import { SystemLauncher } from "./launcher.ts";
 * const proc = await new SystemLauncher().launch("/usr/bin/qemu-system-x86_64", ["-S"], "/tmp/q");
 * ```
 */
export class SystemLauncher implements QemuLauncher {
  async launch(emulator: string, argv: string[], monitorPath: string): Promise<QemuProcess> {
    await Deno.remove(monitorPath).catch(() => {});
    const child = new Deno.Command(emulator, {
      args: argv,
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).spawn();
    let exited = false;
    const status = child.status.then((s) => {
      exited = true;
      return s;
    });
    // QEMU's stderr is only read to explain a failed start; drain it so it never blocks.
    const stderr = new Response(child.stderr).text();
    try {
      const qmp = await connectQmpUnix(monitorPath, { waitMs: 10_000, isAlive: () => !exited });
      child.unref();
      return this.#wrap(child.pid, new QemuMonitor(qmp));
    } catch (err) {
      if (!exited) child.kill("SIGKILL");
      const s = await status;
      const text = (await stderr).trim();
      throw VirError.report(
        "QEMU",
        "INTERNAL_ERROR",
        `QEMU unexpectedly closed the monitor (exit status ${s.code}): ${text || String(err)}`,
      );
    }
  }

  async attach(pid: number, monitorPath: string): Promise<QemuProcess | null> {
    if (!processAlive(pid)) return null;
    try {
      const qmp = await connectQmpUnix(monitorPath);
      return this.#wrap(pid, new QemuMonitor(qmp));
    } catch {
      return null;
    }
  }

  cgroup(pid: number, log: HotplugLog): VcpuCgroup {
    return new LinuxVcpuCgroup(pid, log);
  }

  #wrap(pid: number, monitor: QemuMonitor): QemuProcess {
    return {
      pid,
      monitor,
      kill: (signal) => {
        try {
          Deno.kill(pid, signal);
        } catch {
          // Already gone.
        }
      },
      alive: () => processAlive(pid),
    };
  }
}
