/**
 * evsh `migrate --copy-storage-all --migrate-disks vda --xml FILE --disks-uri unix://SOCKET`
 * between two embedded QEMU drivers of this process (`qemu:///embed`, TCG, no guest) as virsh
 * runs it: the qcow2 disk is copied, over the destination's NBD server on a UNIX socket, into an
 * image the destination's storage driver makes in its pool (the destination XML points the disk
 * there), the destination's image reads as the source's, the domain runs on the destination
 * only. Without QEMU this test is ignored on a developer machine but FAILS in CI.
 */
import assert from "node:assert/strict";
import { connect } from "../../host.ts";
import { VIR } from "../../util/constants.ts";
import { realQemuTest } from "../drivers/qemu/real_qemu.ts";
import { withMigrationShell } from "./migrate_shell.ts";

/** Runs a QEMU tool; its output, or the test fails with its error. */
async function tool(cmd: string, ...args: string[]): Promise<string> {
  const out = await new Deno.Command(cmd, { args }).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  assert.ok(out.success, `${cmd} ${args.join(" ")}: ${text}`);
  return text;
}

const domainXML = (disk: string) =>
  `<domain type='qemu'><name>stor</name><uuid>5a7e0000-0000-4000-8000-0000000e75c0</uuid>
<memory unit='MiB'>32</memory><os><type arch='x86_64' machine='pc'>hvm</type></os><devices>
<disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='${disk}'/>
<target dev='vda' bus='virtio'/></disk><memballoon model='none'/></devices></domain>`;

realQemuTest({
  name: "real QEMU: evsh migrate --copy-storage-all copies the disk into the destination's pool",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: () =>
    withMigrationShell("evsh-stmig", async ({ a, b, src, shell, out, opened }) => {
      const disk = `${a}/vda.qcow2`;
      await tool("qemu-img", "create", "-q", "-f", "qcow2", disk, "4M");
      await tool("qemu-io", "-c", "write -P 0x7e 512k 1M", disk);
      await Deno.writeTextFile(`${a}/stor.xml`, domainXML(disk));
      // The destination's image goes into its `dir` pool, which does not hold it yet.
      const destImage = `${b}/images/vda.qcow2`;
      await Deno.writeTextFile(`${b}/stor.xml`, domainXML(destImage));
      await Deno.mkdir(`${b}/images`);
      const dst = await connect(`qemu:///embed?root=${b}`);
      opened.push(dst);
      const pool = await dst.defineStoragePoolXML(
        `<pool type='dir'><name>images</name><target><path>${b}/images</path></target></pool>`,
      );
      await pool.create(0);
      assert.equal(await shell.runLine(`define ${a}/stor.xml; start stor`), true);
      out.stdout = "";
      assert.equal(
        await shell.runLine(
          // Its own loopback address: test files running beside it migrate on the same port range.
          `migrate stor 'qemu:///embed?root=${b}' --live --copy-storage-all --migrate-disks vda ` +
            `--xml ${b}/stor.xml --verbose --migrateuri tcp:127.0.0.7 --listen-address 127.0.0.7 ` +
            `--disks-uri unix://${b}/nbd.sock`,
        ),
        true,
        out.stderr,
      );
      // Nothing but the blank line virsh prints after every command.
      assert.equal(out.stdout, "\n");
      assert.match(out.stderr, /^(\rMigration: \[ {0,2}\d{1,2} %\])*(\rMigration: \[100 %\])+$/);
      const left = await src.lookupDomainByName("stor");
      assert.deepEqual(await left.getState(), [VIR.DOMAIN_SHUTOFF, VIR.DOMAIN_SHUTOFF_MIGRATED]);
      const moved = await dst.lookupDomainByName("stor");
      assert.deepEqual(await moved.getState(), [VIR.DOMAIN_RUNNING, VIR.DOMAIN_RUNNING_MIGRATED]);
      assert.equal(
        (await pool.listAllVolumes(0)).map((v) => v.name).join(),
        "vda.qcow2",
        "the destination's pool made the image",
      );
      await moved.destroy();
      const read = await tool("qemu-io", "-r", "-c", "read -P 0x7e 512k 1M", destImage);
      assert.ok(!read.includes("Pattern verification failed"), read);
      await tool("qemu-img", "compare", "-q", disk, destImage);
    }),
});
