/**
 * evsh's checkpoint commands on the QEMU driver over a fake QEMU (the block harness's domain,
 * vda qcow2) print what virsh 9.0 printed on libvirt's QEMU driver for the same domain
 * (`checkpoint-create-as`, `-list` in its table, tree and filter forms, `-dumpxml`, `-parent`,
 * `-info`, `-delete`, the refusals on a shut-off domain and undefine): the `virsh` part of
 * tests/fixtures/oracle/checkpoints.json, recorded by tests/tools/checkpoints/record.sh, with
 * creation times masked on both sides.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { Connection } from "../../client/connection.ts";
import { Shell } from "../../tools/evsh/mod.ts";
import { FIXTURES } from "../paths.ts";
import { setup, XML } from "../drivers/qemu/fake_qmp/block_harness.ts";

interface Recorded {
  line: string;
  stdout: string;
  stderr: string;
  status: number;
}

const recorded: Recorded[] = JSON.parse(
  Deno.readTextFileSync(join(FIXTURES, "oracle", "checkpoints.json")),
).virsh;
const QCOW2 = XML.replace("<driver name='qemu' type='raw'/>", "<driver name='qemu' type='qcow2'/>");

/** The recorder's masks: table times and XML creation times. */
const mask = (text: string) =>
  text.replace(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4}/g, "@TIME@")
    .replace(/<creationTime>\d+<\/creationTime>/g, "<creationTime>@T@</creationTime>");

Deno.test("evsh checkpoint commands on qemu:///session print what virsh printed", async () => {
  assert.ok(recorded.length > 30);
  const t = await setup({ xml: QCOW2 });
  const conn = new Connection(t.conn, "qemu:///session");
  try {
    for (const want of recorded) {
      let stdout = "";
      let stderr = "";
      const shell = new Shell(conn, {
        stdout: (s) => (stdout += s),
        stderr: (s) => (stderr += s),
        readFile: (p) => Deno.readTextFile(p),
      });
      const ok = await shell.runLine(want.line);
      assert.deepEqual(
        { stdout: mask(stdout), stderr, status: ok ? 0 : 1 },
        { stdout: want.stdout, stderr: want.stderr, status: want.status },
        want.line,
      );
    }
  } finally {
    await t.close();
  }
});
