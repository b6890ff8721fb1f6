/**
 * The QEMU driver on QEMU 7.2's recorded answers to the capability probe
 * (fixtures/cpu_hyp/qmp.json, tests/tools/record_cpu_hyp.py), so that the hypervisor CPU calls
 * and domain capabilities replay libvirt's recordings without running the host's QEMU: a fake
 * binary stands for /usr/bin/qemu-system-x86_64, found on a PATH of its own.
 *
 * @module
 */
import type { QmpProbeCommand, QmpProbeReply } from "../../../drivers/qemu/process/mod.ts";
import { FakeLauncher } from "../../../drivers/qemu/testing/mod.ts";
import type { DriverConnection } from "../../../util/driver.ts";
import { withQemuConn } from "./with_conn.ts";

/** The recordings' folder. */
export const FIXTURES = new URL("fixtures/cpu_hyp/", import.meta.url);
/** A recording, parsed. */
export const fixture = <T>(name: string): T =>
  JSON.parse(Deno.readTextFileSync(new URL(name, FIXTURES)));

/** The binary libvirt ran, named in its answers. */
export const RECORDED_QEMU = "/usr/bin/qemu-system-x86_64";

/** QEMU 7.2's recorded replies, by command; anything else is a command QEMU lacks. */
class ReplayLauncher extends FakeLauncher {
  #replies = new Map(
    fixture<{ command: QmpProbeCommand; reply: QmpProbeReply }[]>("qmp.json")
      .map((r) => [JSON.stringify(r.command), r.reply]),
  );

  override probe(emulator: string, commands: QmpProbeCommand[]): Promise<QmpProbeReply[]> {
    this.capabilityProbes.push(emulator);
    return Promise.resolve(commands.map((c) =>
      this.#replies.get(JSON.stringify(c)) ?? {
        error: { class: "CommandNotFound", desc: `The command ${c.execute} has not been found` },
      }
    ));
  }
}

/**
 * Runs `fn` with a connection on the recorded answers, the fake binary (`qemu`) the only
 * `qemu-system-x86_64` on the PATH; the launcher starts fake QEMUs and keeps their argv.
 *
 * @example
 * ```ts ignore
 * await withReplay(async (conn) => await conn.connectGetDomainCapabilities!(null, null, null, null, 0));
 * ```
 */
export function withReplay(
  fn: (conn: DriverConnection, qemu: string, launcher: FakeLauncher) => Promise<void>,
) {
  const launcher = new ReplayLauncher();
  return withQemuConn({ launcher }, async (conn, dir) => {
    const qemu = `${dir}/bin/qemu-system-x86_64`;
    await Deno.mkdir(`${dir}/bin`);
    await Deno.writeTextFile(qemu, "");
    const path = Deno.env.get("PATH");
    Deno.env.set("PATH", `${dir}/bin`);
    try {
      await fn(conn, qemu, launcher);
    } finally {
      if (path === undefined) Deno.env.delete("PATH");
      else Deno.env.set("PATH", path);
    }
  });
}
