/**
 * evsh's persistent attach and detach of `<filesystem>` shares (9p and virtiofs) on the QEMU
 * session driver print what virsh 9.0 printed for the same lines on libvirt's session driver
 * (`fixtures/record_iothread_evsh.sh fs_config`): the refusals (a taken target, a virtiofs share
 * the session driver would serve itself, a boot order beside `<os><boot>`, a missing share)
 * and the definition left behind.
 */
import assert from "node:assert/strict";
import { Connection } from "../../client/connection.ts";
import { shellOn } from "./fake_qemu_shell.ts";
import { FakeLauncher } from "../../drivers/qemu/testing/mod.ts";
import { withQemuConn } from "../drivers/qemu/with_conn.ts";

const fixtures = new URL("../drivers/qemu/fixtures/", import.meta.url);

Deno.test("evsh attach-device/detach-device --config of shares print virsh 9.0's output", async () => {
  const transcript: { command: string; stdout: string; stderr: string; ok: boolean }[] = JSON
    .parse(await Deno.readTextFile(new URL("fs_config.expected.json", fixtures)));
  assert.ok(transcript.some((s) => !s.ok) && transcript.some((s) => s.ok));
  await withQemuConn({ launcher: new FakeLauncher() }, async (driver) => {
    const conn = new Connection(driver, "qemu:///session");
    const run = shellOn(conn, (p) => Deno.readTextFile(new URL(p, fixtures)));
    for (const step of transcript) {
      const [stdout, stderr, ok] = await run(step.command);
      assert.deepEqual({ command: step.command, stdout, stderr, ok }, step);
    }
  });
});
