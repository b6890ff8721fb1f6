/**
 * Asking a QEMU binary about itself over QMP, as libvirt's capability probe does: QEMU runs with
 * no machine and no guest, its monitor on stdio, answers and quits.
 *
 * @module
 */
import { VirError } from "../../../util/errors.ts";

/** QMP's `VersionTriple`. */
export interface QemuVersion {
  major: number;
  minor: number;
  micro: number;
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
  const args = ["-S", "-no-user-config", "-nodefaults", "-display", "none", "-machine"];
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(emulator, {
      args: [...args, "none,accel=tcg", "-qmp", "stdio"],
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
  } catch {
    throw VirError.report(
      "QEMU",
      "SYSTEM_ERROR",
      `Cannot check QEMU binary ${emulator}: No such file or directory`,
    );
  }
  const commands = ["qmp_capabilities", "query-version", "quit"]
    .map((c) => `{"execute":"${c}"}\n`).join("");
  const writer = child.stdin.getWriter();
  // A binary that is no QEMU may exit before it reads: its output says why.
  await writer.write(new TextEncoder().encode(commands)).catch(() => {});
  await writer.close().catch(() => {});
  const out = await child.output();
  for (const line of new TextDecoder().decode(out.stdout).split("\n")) {
    const version = line.startsWith("{") && JSON.parse(line).return?.qemu;
    if (version) return version;
  }
  throw VirError.report(
    "QEMU",
    "INTERNAL_ERROR",
    `Failed to probe capabilities for ${emulator}: ${new TextDecoder().decode(out.stderr).trim()}`,
  );
}
