/**
 * Asking a QEMU binary about itself over QMP, as libvirt's capability probe does: QEMU runs with
 * no machine and no guest, its monitor on stdio, answers and quits.
 *
 * @module
 */
import { VirError } from "../../../util/errors.ts";

/** Seconds a probe may live: far beyond a probe's second, short of a leak. */
const PROBE_LIMIT_S = 120;

/** QMP's `VersionTriple`. */
export interface QemuVersion {
  major: number;
  minor: number;
  micro: number;
}

/** One command of a probe, and QEMU's answer to it. */
export interface QmpProbeCommand {
  execute: string;
  arguments?: Record<string, unknown>;
}

/** A probe command's reply: its `return`, or QMP's error. */
export type QmpProbeReply = { return: unknown } | { error: { class: string; desc: string } };

/**
 * Runs `emulator` with no machine under `accel` (default: KVM if it works, else TCG) and its QMP
 * monitor on stdio, sends `commands` after `qmp_capabilities`, then quits: the replies, in order.
 *
 * @example
 * ```ts ignore
 * import { probeQmp } from "./probe.ts";
 * const [machines] = await probeQmp("/usr/bin/qemu-system-x86_64", [{ execute: "query-machines" }]);
 * ```
 */
export async function probeQmp(
  emulator: string,
  commands: QmpProbeCommand[],
  accel = "kvm:tcg",
): Promise<QmpProbeReply[]> {
  const args = ["-S", "-no-user-config", "-nodefaults", "-display", "none", "-machine"];
  const missing = () =>
    VirError.report(
      "QEMU",
      "SYSTEM_ERROR",
      `Cannot check QEMU binary ${emulator}: No such file or directory`,
    );
  if (!(await Deno.stat(emulator).then((s) => s.isFile, () => false))) throw missing();
  let child: Deno.ChildProcess;
  try {
    // QEMU keeps running when its monitor's stdin closes: should this process die before the
    // final `quit` is written, coreutils' timeout still ends the probe.
    child = new Deno.Command("timeout", {
      args: ["-s", "KILL", String(PROBE_LIMIT_S), emulator, ...args, `none,accel=${accel}`]
        .concat("-qmp", "stdio"),
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
  } catch {
    throw missing();
  }
  const all = [{ execute: "qmp_capabilities" }, ...commands, { execute: "quit" }];
  const writer = child.stdin.getWriter();
  // A binary that is no QEMU may exit before it reads: its output says why.
  await writer.write(new TextEncoder().encode(all.map((c) => JSON.stringify(c) + "\n").join("")))
    .catch(() => {});
  await writer.close().catch(() => {});
  const out = await child.output();
  const replies = new TextDecoder().decode(out.stdout).split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l))
    .filter((m) => "return" in m || "error" in m);
  // The greeting is no reply; qmp_capabilities' is the first, quit's the last.
  if (replies.length < commands.length + 1) {
    throw VirError.report(
      "QEMU",
      "INTERNAL_ERROR",
      `Failed to probe capabilities for ${emulator}: ${
        new TextDecoder().decode(out.stderr).trim()
      }`,
    );
  }
  return replies.slice(1, commands.length + 1);
}

/**
 * The `query-version` of `emulator`.
 *
 * @example
 * ```ts ignore
 * import { probeQemuVersion } from "./probe.ts";
 * await probeQemuVersion("/usr/bin/qemu-system-x86_64"); // { major: 7, minor: 2, micro: 22 }
 * ```
 */
export async function probeQemuVersion(emulator: string): Promise<QemuVersion> {
  const [reply] = await probeQmp(emulator, [{ execute: "query-version" }]);
  const version = "return" in reply && (reply.return as { qemu?: QemuVersion }).qemu;
  if (version) return version;
  throw VirError.report(
    "QEMU",
    "INTERNAL_ERROR",
    `Failed to probe capabilities for ${emulator}: ${JSON.stringify(reply)}`,
  );
}
