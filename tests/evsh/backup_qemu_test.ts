/**
 * evsh's backup-begin, backup-dumpxml and domjobabort on the QEMU driver over a fake QEMU (its
 * backup held running until aborted) print what virsh 9.0 printed on libvirt's QEMU driver
 * for the same domain and documents: the `virsh` part of
 * tests/drivers/qemu/fixtures/backup_push_qmp.json (tests/tools/record_qemu_backup.sh), which
 * ran `virsh -q`.
 */
import assert from "node:assert/strict";
import { Connection } from "../../client/connection.ts";
import { setup } from "../drivers/qemu/fake_qmp/block_harness.ts";
import { VDA } from "../drivers/qemu/fake_qmp/block_harness.ts";
import { waitFor } from "../wait.ts";
import { shellOn } from "./fake_qemu_shell.ts";
import { readTextFileForEvsh } from "../../tools/evsh/main.ts";

interface Recorded {
  line: string;
  stdout: string;
  stderr: string;
  status: number;
}

const FIXTURE = JSON.parse(
  Deno.readTextFileSync(
    new URL("../drivers/qemu/fixtures/backup_push_qmp.json", import.meta.url),
  ),
);
const XML = (FIXTURE.domain as string).replace("$GUEST/vda.qcow2", VDA)
  .replace(/<qemu:commandline>[\s\S]*<\/qemu:commandline>/, "")
  .replace(" xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'", "");

Deno.test("evsh backup commands on qemu:///session print what virsh printed", async () => {
  const recorded: Recorded[] = FIXTURE.virsh;
  assert.ok(recorded.length >= 5);
  const t = await setup({
    xml: XML,
    disks: [{ id: "virtio-disk0", driver: "virtio-blk-pci" }],
    holdJobs: true,
  });
  const local = (text: string) => text.replaceAll("$GUEST", t.dir);
  await Deno.writeTextFile(`${t.dir}/b.xml`, local(FIXTURE.backup));
  await Deno.writeTextFile(
    `${t.dir}/bad.xml`,
    "<domainbackup><disks><disk name='vdz' type='file'/></disks></domainbackup>",
  );
  const run = shellOn(new Connection(t.conn, "qemu:///session"), readTextFileForEvsh, {
    quiet: true,
  });
  try {
    for (const want of recorded) {
      const [stdout, stderr, ok] = await run(local(want.line));
      assert.deepEqual(
        { stdout, stderr, status: ok ? 0 : 1 },
        { stdout: local(want.stdout), stderr: local(want.stderr), status: want.status },
        want.line,
      );
      // virsh's next line came once the aborted backup had ended.
      if (want.line.startsWith("domjobabort")) {
        await waitFor(async () => (await run("backup-dumpxml bkp"))[2] === false, 5000, 5, "end");
      }
    }
  } finally {
    await t.close();
  }
});
