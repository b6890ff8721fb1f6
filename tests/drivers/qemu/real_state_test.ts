// Real QEMU 7.2 (TCG): save writes libvirt's image (header, XML, QEMU's migration stream) and
// ends QEMU; restore starts a new QEMU from it that runs on; managed save and the next start
// round-trip the same way. Without QEMU this test is ignored on a developer machine but FAILS
// in CI.
import assert from "node:assert/strict";
import { VIR } from "../../../util/constants.ts";
import { qcow2Domain, realQemuTest, withRealDriver } from "./real_qemu.ts";

realQemuTest({
  name: "real QEMU: save/restore and managed save round-trip a running domain",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    await withRealDriver("ev-qemu-save-", async ({ dir, launcher, conn }) => {
      await Deno.writeFile(`${dir}/vda.img`, new Uint8Array(1 << 20));
      const dom = await conn.domainDefineXMLFlags!(
        `<domain type='qemu'><name>rs</name><memory unit='MiB'>32</memory>
<os><type arch='x86_64' machine='pc'>hvm</type></os><devices>
<disk type='file' device='disk'><source file='${dir}/vda.img'/><target dev='vda' bus='virtio'/></disk>
<memballoon model='none'/></devices></domain>`,
        0,
      );
      await conn.domainCreateWithFlags!(dom, 0);
      const first = launcher.procs[0];
      const path = `${dir}/rs.save`;
      await conn.domainSaveFlags!(dom, path, null, 0);
      assert.equal(first.alive(), false, "the saved QEMU is gone");
      assert.deepEqual(await conn.domainGetState!(dom, 0), [
        VIR.DOMAIN_SHUTOFF,
        VIR.DOMAIN_SHUTOFF_SAVED,
      ]);
      const image = await Deno.readFile(path);
      assert.equal(new TextDecoder().decode(image.subarray(0, 16)), "LibvirtQemudSave");
      const stream = 92 + new DataView(image.buffer).getUint32(20, true);
      // QEMU's migration stream starts with its magic "QEVM".
      assert.equal(new TextDecoder().decode(image.subarray(stream, stream + 4)), "QEVM");

      await conn.domainRestoreFlags!(path, null, 0);
      const second = launcher.procs[1];
      const status = await second.monitor.queryStatus();
      assert.equal(status.running, true);
      assert.deepEqual(await conn.domainGetState!(dom, 0), [
        VIR.DOMAIN_RUNNING,
        VIR.DOMAIN_RUNNING_RESTORED,
      ]);

      await conn.domainManagedSave!(dom, 0);
      assert.equal(await conn.domainHasManagedSaveImage!(dom, 0), true);
      await conn.domainCreateWithFlags!(dom, 0);
      assert.equal((await launcher.procs[2].monitor.queryStatus()).running, true);
      assert.equal(await conn.domainHasManagedSaveImage!(dom, 0), false);
      await conn.domainDestroyFlags!(dom, 0);
    });
  },
});

async function snapshotsInImage(path: string): Promise<string> {
  const out = await new Deno.Command("qemu-img", { args: ["snapshot", "-l", "-U", path] }).output();
  return new TextDecoder().decode(out.stdout);
}

realQemuTest({
  name: "real QEMU: internal snapshots of a running and a shut-off qcow2 domain, revert, delete",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    await withRealDriver("ev-qemu-snap-", async ({ dir, launcher, conn }) => {
      const { disk, xml } = await qcow2Domain(dir, "rsn");
      const dom = await conn.domainDefineXMLFlags!(xml, 0);
      await conn.domainCreateWithFlags!(dom, 0);
      const snap = (name: string) => `<domainsnapshot><name>${name}</name></domainsnapshot>`;
      await conn.domainSnapshotCreateXML!(dom, snap("live1"), 0);
      assert.match(await snapshotsInImage(disk), /live1/);
      assert.equal((await launcher.procs[0].monitor.queryStatus()).running, true);

      await conn.domainRevertToSnapshot!(dom, "live1", 0);
      assert.equal(launcher.procs[0].alive(), false, "the old QEMU is gone");
      assert.equal((await launcher.procs[1].monitor.queryStatus()).running, true);
      assert.deepEqual(await conn.domainGetState!(dom, 0), [
        VIR.DOMAIN_RUNNING,
        VIR.DOMAIN_RUNNING_FROM_SNAPSHOT,
      ]);
      await conn.domainSnapshotDelete!(dom, "live1", 0);
      assert.doesNotMatch(await snapshotsInImage(disk), /live1/);

      await conn.domainDestroyFlags!(dom, 0);
      await conn.domainSnapshotCreateXML!(dom, snap("off1"), 0);
      assert.match(await snapshotsInImage(disk), /off1/);
      assert.match(await conn.domainSnapshotGetXMLDesc!(dom, "off1", 0), /<state>shutoff<\/state>/);
      await conn.domainRevertToSnapshot!(dom, "off1", 0);
      assert.equal((await conn.domainGetState!(dom, 0))[0], VIR.DOMAIN_SHUTOFF);
      await conn.domainSnapshotDelete!(dom, "off1", 0);
      assert.doesNotMatch(await snapshotsInImage(disk), /off1/);
    });
  },
});
