/**
 * Starting QEMU and attaching to a running one. The driver talks to a {@link QemuLauncher}
 * so tests can substitute a fake QEMU.
 *
 * @module
 */
import { QemuMonitor } from "../monitor/qemu_monitor.ts";
import { connectQmpUnix } from "../monitor/unix.ts";
import { VirError } from "../../../util/errors.ts";
import { reachedFile } from "../../../util/reached_file.ts";
import { StderrTail } from "./stderr_tail.ts";
import { LinuxVcpuCgroup } from "../hotplug/cgroup.ts";
import type { HotplugLog, VcpuCgroup } from "../hotplug/types.ts";
import {
  probeQemuVersion,
  probeQmp,
  type QemuVersion,
  type QmpProbeCommand,
  type QmpProbeReply,
} from "./probe.ts";

/** A QEMU process with its monitor. */
export interface QemuProcess {
  pid: number;
  monitor: QemuMonitor;
  /** The end of QEMU's stderr, for a QEMU this driver started (not one found again). */
  stderr?: StderrTail;
  /** Sends a signal to QEMU. */
  kill(signal: Deno.Signal): void;
  /** True while the process exists. */
  alive(): boolean;
}

/**
 * QEMU's last words about a file its command line names that it could not open, ended by the
 * errno's text: "could not open kernel file '/k': No such file or directory", "Could not open
 * '/a.img': Permission denied".
 */
const FILE_FAILURE = /'\/[^']*': [A-Z][^':\n]*$/;

/**
 * libvirt's error for a QEMU that exited before its monitor answered, with its stderr; one about
 * a file QEMU could not open is marked as a file the definition named (`reachedFile`).
 */
export class QemuExitedError extends VirError {
  /** What QEMU (and the helpers it ran) wrote on stderr. */
  readonly stderr: string;

  /** `detail` follows libvirt's "internal error: " prefix. */
  constructor(detail: string, stderr: string) {
    const err = VirError.report("QEMU", "INTERNAL_ERROR", detail);
    super(err.code, err.domain, err.message);
    this.stderr = stderr;
    if (FILE_FAILURE.test(this.message)) reachedFile(this);
  }
}

/** How QEMU processes are started and found again. */
export interface QemuLauncher {
  /**
   * Spawns `emulator argv…` and connects to its QMP socket; `fds` are device paths QEMU gets
   * open for reading and writing on descriptors 3, 4, … (a macvtap's `/dev/tapN`); `env` are
   * variables QEMU gets on top of the driver's environment (`<qemu:env>`).
   */
  launch(
    emulator: string,
    argv: string[],
    monitorPath: string,
    fds?: readonly string[],
    env?: Readonly<Record<string, string>>,
  ): Promise<QemuProcess>;
  /**
   * Reconnects to a QEMU started earlier; null when it is gone, or when `pid` is no longer
   * the QEMU of `monitorPath` (a reused pid).
   */
  attach(pid: number, monitorPath: string): Promise<QemuProcess | null>;
  /**
   * Every QEMU alive whose QMP socket lies in `runDir`, by socket path, whoever started it:
   * what a driver killed before it could record a pid left behind.
   */
  find(runDir: string): Map<string, number[]>;
  /** SIGKILLs QEMU `pid` and resolves once it is gone. */
  reap(pid: number): Promise<void>;
  /** Where the threads of QEMU `pid` are placed and pinned. */
  cgroup(pid: number, log: HotplugLog): VcpuCgroup;
  /** The QMP `query-version` of the QEMU binary `emulator`. */
  queryVersion(emulator: string): Promise<QemuVersion>;
  /** Replies of the QEMU binary `emulator` to `commands`, run with no machine under `accel`. */
  probe(emulator: string, commands: QmpProbeCommand[], accel?: string): Promise<QmpProbeReply[]>;
}

/**
 * Whether process `pid` runs (a zombie does not).
 *
 * @example
 * ```ts
 * import { processAlive } from "./launcher.ts";
 * processAlive(Deno.pid); // true
 * ```
 */
export function processAlive(pid: number): boolean {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    // A zombie (state Z) already exited; only its parent has yet to reap it.
    return !/^\d+ \(.*\) Z/.test(stat);
  } catch {
    return false;
  }
}

/** The QMP socket path of a QEMU command line (`-qmp unix:PATH,server=on,…`). */
function qmpSocketOf(cmdline: string): string | undefined {
  const args = cmdline.split("\0");
  const i = args.indexOf("-qmp");
  const value = i >= 0 ? args[i + 1] : undefined;
  // QEMU's option syntax doubles a comma inside a value.
  const m = value?.match(/^unix:((?:[^,]|,,)*),/);
  return m?.[1].replaceAll(",,", ",");
}

function qmpSocketOfPid(pid: number): string | undefined {
  try {
    return qmpSocketOf(Deno.readTextFileSync(`/proc/${pid}/cmdline`));
  } catch {
    return undefined;
  }
}

/**
 * The shell script opening its first `n` arguments on descriptors 3… and exec-ing the rest
 * (Deno hands a child no descriptors of its own): `/bin/sh -c SCRIPT sh FILE… PROGRAM ARG…`.
 *
 * @example
 * ```ts
 * import { openFdsAndExec } from "./launcher.ts";
 * openFdsAndExec(2); // 'exec 3<>"$1" 4<>"$2" && shift 2 && exec "$@"'
 * ```
 */
export function openFdsAndExec(n: number): string {
  const opens = Array.from({ length: n }, (_, i) => `${3 + i}<>"$${i + 1}"`).join(" ");
  return `exec ${opens} && shift ${n} && exec "$@"`;
}

/**
 * Real QEMU processes: spawned directly (no shell) in a session of their own, detached from our
 * stdio so they outlive the driver, found again by pid and socket.
 *
 * @example
 * ```ts
 * import { SystemLauncher } from "./launcher.ts";
 * const proc = await new SystemLauncher().launch("/usr/bin/qemu-system-x86_64", ["-S"], "/tmp/q");
 * ```
 */
export class SystemLauncher implements QemuLauncher {
  async launch(
    emulator: string,
    argv: string[],
    monitorPath: string,
    fds: readonly string[] = [],
    env: Readonly<Record<string, string>> = {},
  ): Promise<QemuProcess> {
    await Deno.remove(monitorPath).catch(() => {});
    // Deno hands a child no descriptors of its own: a shell opens the devices on 3, 4, … and
    // execs QEMU, which keeps them (the pid is QEMU's).
    const [program, args] = fds.length
      ? ["/bin/sh", ["-c", openFdsAndExec(fds.length), "sh", ...fds, emulator, ...argv]]
      : [emulator, argv];
    const child = new Deno.Command(program, {
      args,
      env: { ...env },
      stdin: "null",
      stdout: "null",
      stderr: "piped",
      // A session of its own (setsid): the terminal's Ctrl-C and the driver's process group
      // never reach QEMU, so VMs outlive the gateway as libvirt's outlive the daemon.
      detached: true,
    }).spawn();
    let exited = false;
    const status = child.status.then((s) => {
      exited = true;
      return s;
    });
    // Drained so that it never blocks; its end explains a failed start or netdev_add.
    const stderr = new StderrTail(child.stderr);
    try {
      const qmp = await connectQmpUnix(monitorPath, { waitMs: 10_000, isAlive: () => !exited });
      child.unref();
      return { ...this.#wrap(child.pid, new QemuMonitor(qmp)), stderr };
    } catch (err) {
      if (!exited) child.kill("SIGKILL");
      const s = await status;
      await stderr.done;
      const text = stderr.since(0).trim();
      throw new QemuExitedError(
        `QEMU unexpectedly closed the monitor (exit status ${s.code}): ${text || String(err)}`,
        stderr.since(0),
      );
    }
  }

  async attach(pid: number, monitorPath: string): Promise<QemuProcess | null> {
    if (!processAlive(pid) || qmpSocketOfPid(pid) !== monitorPath) return null;
    try {
      const qmp = await connectQmpUnix(monitorPath);
      return this.#wrap(pid, new QemuMonitor(qmp));
    } catch {
      return null;
    }
  }

  find(runDir: string): Map<string, number[]> {
    const found = new Map<string, number[]>();
    for (const e of Deno.readDirSync("/proc")) {
      const pid = Number(e.name);
      if (!Number.isInteger(pid) || pid === Deno.pid) continue;
      const socket = qmpSocketOfPid(pid);
      if (!socket?.startsWith(`${runDir}/`) || !processAlive(pid)) continue;
      found.set(socket, [...found.get(socket) ?? [], pid]);
    }
    return found;
  }

  async reap(pid: number): Promise<void> {
    try {
      Deno.kill(pid, "SIGKILL");
    } catch {
      return;
    }
    // SIGKILL cannot be caught; only a task stuck in the kernel outlives these 5 s.
    for (let i = 0; i < 1000 && processAlive(pid); i++) await new Promise((r) => setTimeout(r, 5));
  }

  cgroup(pid: number, log: HotplugLog): VcpuCgroup {
    return new LinuxVcpuCgroup(pid, log);
  }

  queryVersion(emulator: string): Promise<QemuVersion> {
    return probeQemuVersion(emulator);
  }

  probe(emulator: string, commands: QmpProbeCommand[], accel?: string): Promise<QmpProbeReply[]> {
    return probeQmp(emulator, commands, accel);
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
