// Real QEMU 7.2 (TCG): disks attached to a running domain show in query-block with the nodes
// libvirt names, detach-device removes one (its DEVICE_DELETED completes the wait), and a
// cdrom's medium is changed and ejected; block resize grows both kinds of disk; a virtio
// channel is plugged and unplugged, an ISA serial port refused by QEMU.
// Without QEMU this test is ignored on a developer machine but FAILS in CI.
import assert from "node:assert/strict";
import { VIR } from "../../../util/constants.ts";
import { realQemuTest, withRealDriver } from "./real_qemu.ts";

interface BlockInfo {
  qdev?: string;
  inserted?: { "node-name": string; file: string; ro: boolean; image: { "virtual-size": number } };
  tray_open?: boolean;
}

async function qemuImg(...args: string[]): Promise<void> {
  const out = await new Deno.Command("qemu-img", { args, stdout: "null", stderr: "piped" })
    .output();
  assert.ok(out.success, new TextDecoder().decode(out.stderr));
}

realQemuTest({
  name:
    "real QEMU: attach qcow2 and SCSI disks (query-block shows them), detach one, change a cdrom's medium",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    await withRealDriver("ev-qemu-hp-", async ({ dir, launcher, conn }) => {
      await Deno.writeFile(`${dir}/vda.img`, new Uint8Array(1 << 20));
      await Deno.writeFile(`${dir}/sdb.img`, new Uint8Array(1 << 20));
      await qemuImg("create", "-q", "-f", "qcow2", `${dir}/vdb.qcow2`, "4M");
      await qemuImg("create", "-q", "-f", "raw", `${dir}/a.iso`, "1M");
      const dom = await conn.domainCreateXML!(
        `<domain type='qemu'><name>rhp</name><memory unit='MiB'>64</memory>
<os><type arch='x86_64' machine='pc'>hvm</type></os><features><acpi/></features><devices>
<disk type='file' device='disk'><source file='${dir}/vda.img'/><target dev='vda' bus='virtio'/></disk>
<disk type='file' device='cdrom'><target dev='hdc' bus='ide'/><readonly/></disk>
<controller type='scsi' model='virtio-scsi'/><controller type='virtio-serial'/><memballoon model='none'/></devices></domain>`,
        // Paused: the firmware would otherwise probe the cdrom, and a guest may close an open
        // tray (ATAPI START STOP UNIT) between blockdev-open-tray and blockdev-remove-medium,
        // which QEMU then refuses ("Tray … is not open"), under libvirt as well.
        VIR.DOMAIN_START_PAUSED,
      );
      const mon = launcher.procs[0].monitor;
      const block = async () => await mon.run<BlockInfo[]>("query-block");
      const byQdev = async (id: string) =>
        // QEMU names a virtio disk by its backend's QOM path, the others by their id.
        (await block()).find((b) =>
          b.qdev === `/machine/peripheral/${id}/virtio-backend` ||
          b.qdev === id
        );

      await conn.domainAttachDeviceFlags!(
        dom,
        `<disk type='file' device='disk'><driver name='qemu' type='qcow2'/>
<source file='${dir}/vdb.qcow2'/><target dev='vdb' bus='virtio'/></disk>`,
        VIR.DOMAIN_AFFECT_LIVE,
      );
      const vdb = await byQdev("virtio-disk1");
      assert.equal(vdb?.inserted?.["node-name"], "libvirt-3-format");
      assert.equal(vdb?.inserted?.file, `${dir}/vdb.qcow2`);
      assert.match(await conn.domainGetXMLDesc!(dom, 0), /<alias name='virtio-disk1'\/>/);

      // A PCI unplug needs the guest's ACPI to let go (no OS here: libvirt's 5 s wait would run
      // out); a SCSI disk leaves at once, so its DEVICE_DELETED completes the detach.
      const sdb =
        `<disk type='file' device='disk'><source file='${dir}/sdb.img'/><target dev='sdb' bus='scsi'/></disk>`;
      await conn.domainAttachDeviceFlags!(dom, sdb, VIR.DOMAIN_AFFECT_LIVE);
      assert.equal((await byQdev("scsi0-0-0-1"))?.inserted?.["node-name"], "libvirt-4-format");
      await conn.domainDetachDeviceFlags!(dom, sdb, VIR.DOMAIN_AFFECT_LIVE);
      assert.equal(await byQdev("scsi0-0-0-1"), undefined);
      assert.doesNotMatch(await conn.domainGetXMLDesc!(dom, 0), /sdb/);
      const nodes = await mon.run<{ "node-name": string }[]>("query-named-block-nodes");
      assert.ok(!nodes.some((n) => n["node-name"].startsWith("libvirt-4-")), "nodes removed");

      await conn.domainUpdateDeviceFlags!(
        dom,
        `<disk type='file' device='cdrom'><source file='${dir}/a.iso'/><target dev='hdc' bus='ide'/><readonly/></disk>`,
        VIR.DOMAIN_AFFECT_LIVE,
      );
      const cd = await byQdev("ide0-1-0");
      assert.equal(cd?.inserted?.file, `${dir}/a.iso`);
      assert.equal(cd?.inserted?.ro, true);
      assert.equal(cd?.tray_open, false);
      await conn.domainUpdateDeviceFlags!(
        dom,
        `<disk type='file' device='cdrom'><target dev='hdc' bus='ide'/><readonly/></disk>`,
        VIR.DOMAIN_AFFECT_LIVE,
      );
      assert.equal((await byQdev("ide0-1-0"))?.inserted, undefined);
      // block resize: the -drive of a started disk, the node of a hotplugged one.
      await conn.domainBlockResize!(dom, "vda", 2048, 0);
      assert.equal((await byQdev("virtio-disk0"))?.inserted?.image["virtual-size"], 2 << 20);
      await conn.domainBlockResize!(dom, "vdb", 8 << 20, VIR.DOMAIN_BLOCK_RESIZE_BYTES);
      assert.equal((await byQdev("virtio-disk1"))?.inserted?.image["virtual-size"], 8 << 20);
      // A virtio channel: its chardev and port come and go.
      const channel = `<channel type='unix'><source mode='bind' path='${dir}/ch.sock'/>` +
        "<target type='virtio' name='org.example.0'/></channel>";
      await conn.domainAttachDeviceFlags!(dom, channel, VIR.DOMAIN_AFFECT_LIVE);
      const chardevs = async () =>
        (await mon.run<{ label: string }[]>("query-chardev")).map((c) => c.label);
      assert.ok((await chardevs()).includes("charchannel0"));
      assert.ok(Deno.statSync(`${dir}/ch.sock`).isSocket, "QEMU listens on the channel socket");
      await conn.domainDetachDeviceFlags!(dom, channel, VIR.DOMAIN_AFFECT_LIVE);
      assert.ok(!(await chardevs()).includes("charchannel0"));
      const serial = await conn.domainAttachDeviceFlags!(
        dom,
        "<serial type='pty'><target port='1'/></serial>",
        VIR.DOMAIN_AFFECT_LIVE,
      ).then(() => undefined, (e) => e);
      assert.match(String(serial?.message), /Bus 'isa.0' does not support hotplugging/);
      await conn.domainDestroyFlags!(dom, 0);
    });
  },
});
