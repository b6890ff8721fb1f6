/**
 * evsh `migrate` between two embedded QEMU drivers of this process (`qemu:///embed`, TCG): a
 * managed migration as virsh runs it (`--verbose` progress on stderr, no output of its own), the
 * domain running and persistent on the destination only; then `--p2p` to a gateway serving the
 * destination on the loopback, which the source's driver opens itself (to a URI of this host,
 * libvirt's refusal). Without QEMU this test is ignored on a developer machine but FAILS in CI.
 */
import assert from "node:assert/strict";
import { connect, createGateway } from "../../host.ts";
import { VIR } from "../../util/constants.ts";
import { realQemuTest } from "../drivers/qemu/real_qemu.ts";
import { withMigrationShell } from "./migrate_shell.ts";
import { echoGuestDisk } from "../drivers/qemu/echo_guest.ts";

realQemuTest({
  name: "real QEMU: evsh migrate moves a running domain as virsh does, managed and --p2p",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: () =>
    withMigrationShell("evsh-mig", async ({ a, b, src, shell, out, opened }) => {
      await Deno.writeFile(`${a}/boot.img`, echoGuestDisk());
      await Deno.writeTextFile(
        `${a}/mig.xml`,
        `<domain type='qemu'><name>mig</name><memory unit='MiB'>32</memory>
<os><type arch='x86_64' machine='pc'>hvm</type><boot dev='hd'/></os><devices>
<disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='${a}/boot.img'/>
<target dev='hda' bus='ide'/></disk><memballoon model='none'/></devices></domain>`,
      );
      assert.equal(await shell.runLine(`define ${a}/mig.xml; start mig`), true);
      out.stdout = "";
      const dest = `'qemu:///embed?root=${b}'`;
      assert.equal(
        await shell.runLine(
          // Its own loopback address: test files running beside it migrate on the same port range.
          `migrate mig ${dest} --live --persistent --undefinesource --unsafe --verbose ` +
            "--migrateuri tcp:127.0.0.4 --listen-address 127.0.0.4",
        ),
        true,
      );
      // Nothing but the blank line virsh prints after every command.
      assert.equal(out.stdout, "\n");
      // A poll that finds nothing left (QEMU's last pass done, the job not yet over) prints
      // [100 %] before the closing one, as virshPrintJobProgress does for remaining == 0.
      assert.match(out.stderr, /^(\rMigration: \[ {0,2}\d{1,2} %\])*(\rMigration: \[100 %\])+$/);
      assert.equal((await src.listAllDomains(0)).length, 0, "the source defines it no more");
      const dst = await connect(`qemu:///embed?root=${b}`);
      opened.push(dst);
      const moved = await dst.lookupDomainByName("mig");
      assert.deepEqual(await moved.getState(), [VIR.DOMAIN_RUNNING, VIR.DOMAIN_RUNNING_MIGRATED]);
      assert.equal(await moved.isPersistent(), true);

      await moved.destroy();
      await moved.undefine();
      await shell.runLine(`define ${a}/mig.xml; start mig`);
      out.stdout = out.stderr = "";
      // Peer-to-peer: libvirt refuses a destination URI of this host (no server in it).
      assert.equal(await shell.runLine(`migrate mig ${dest} --p2p --live`), false);
      assert.equal(out.stderr, "error: Attempt to migrate guest to the same host\n");
      // Through a gateway serving B on the loopback, the source's driver opens B itself.
      const gw = await createGateway({ drivers: [`qemu:///embed?root=${b}`], auth: "none" });
      const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, gw.fetch);
      try {
        out.stdout = out.stderr = "";
        const peer = `'qemu+http://127.0.0.1:${server.addr.port}/embed?root=${b}'`;
        assert.equal(
          await shell.runLine(
            `migrate mig ${peer} --p2p --live --persistent --undefinesource --unsafe ` +
              "--migrateuri tcp:127.0.0.4 --listen-address 127.0.0.4",
          ),
          true,
          out.stderr,
        );
        assert.equal(out.stdout, "\n");
        assert.equal((await src.listAllDomains(0)).length, 0, "the source defines it no more");
        const p2p = await dst.lookupDomainByName("mig");
        assert.deepEqual(await p2p.getState(), [VIR.DOMAIN_RUNNING, VIR.DOMAIN_RUNNING_MIGRATED]);
        assert.equal(await p2p.isPersistent(), true);
        await p2p.destroy();
      } finally {
        await server.shutdown();
        await gw.close();
      }
    }),
});
