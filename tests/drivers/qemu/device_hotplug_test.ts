// Disk hotplug, unplug, change media and config-only device changes of the QEMU driver against
// a fake QEMU. The QMP sequences are libvirt 9.0's (tests/qemuhotplugtest.c, base-live +
// disk-virtio / disk-usb / disk-scsi: blockdev-add ×2 + device_add to attach; device_del,
// DEVICE_DELETED, blockdev-del ×2 to detach), with the argument objects of
// tests/qemuxml2argvdata/*-latest.args; the devices are tests/fixtures/libvirt-hotplug/.
import assert from "node:assert/strict";
import { qemuConnectDriver } from "../../../drivers/qemu/mod.ts";
import { VIR } from "../../../util/constants.ts";
import type { DriverConnection } from "../../../util/driver.ts";
import { CACHE_NONE, error, qmp, setup, VDA, XML } from "./fake_qmp/block_harness.ts";
import { IMG } from "./images.ts";

const FIXTURES = new URL("../../fixtures/libvirt-hotplug/", import.meta.url);
const device = (name: string) => Deno.readTextFileSync(new URL(`${name}.xml`, FIXTURES));

/** A disk attach QEMU refused at device_add: both nodes taken back. */
const ROLLED_BACK = ["blockdev-add", "blockdev-add", "device_add", "blockdev-del", "blockdev-del"];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

Deno.test("attach a virtio disk live: libvirt's blockdev-add ×2 + device_add, then detach", async () => {
  const t = await setup();
  try {
    await t.conn.domainAttachDeviceFlags!(t.dom, device("disk-virtio"), VIR.DOMAIN_AFFECT_LIVE);
    assert.deepEqual(qmp(t), [
      {
        execute: "blockdev-add",
        arguments: {
          driver: "file",
          filename: "/dev/null",
          "node-name": "libvirt-3-storage",
          cache: CACHE_NONE,
          "auto-read-only": true,
          discard: "unmap",
        },
      },
      {
        execute: "blockdev-add",
        arguments: {
          "node-name": "libvirt-3-format",
          "read-only": true,
          cache: CACHE_NONE,
          driver: "raw",
          file: "libvirt-3-storage",
        },
      },
      {
        execute: "device_add",
        arguments: {
          driver: "virtio-blk-pci",
          bus: "pci.0",
          addr: "0x5",
          "share-rw": true,
          drive: "libvirt-3-format",
          id: "virtio-disk4",
          "write-cache": "on",
        },
      },
    ]);
    const live = await t.conn.domainGetXMLDesc!(t.dom, 0);
    assert.match(live, /<source file='\/dev\/null' index='3'\/>/);
    assert.match(
      live,
      /<alias name='virtio-disk4'\/>\s*<address type='pci' domain='0x0000' bus='0x00' slot='0x05' function='0x0'\/>/,
    );
    // The attached disk sorts after vda, and the config did not change.
    assert.ok(live.indexOf("dev='vda'") < live.indexOf("dev='vde'"));
    const inactive = await t.conn.domainGetXMLDesc!(t.dom, VIR.DOMAIN_XML_INACTIVE);
    assert.doesNotMatch(inactive, /vde/);
    assert.deepEqual(
      t.events.filter((e) => e.eventId === VIR.DOMAIN_EVENT_ID_DEVICE_ADDED).map((e) => e.data),
      [{ devAlias: "virtio-disk4" }],
    );

    const fake = [...t.launcher.instances.values()].at(-1)!;
    fake.commands.length = 0;
    await t.conn.domainDetachDeviceFlags!(t.dom, device("disk-virtio"), VIR.DOMAIN_AFFECT_LIVE);
    assert.deepEqual(qmp(t).map((c) => [c.execute, c.arguments]), [
      ["device_del", { id: "virtio-disk4" }],
      ["blockdev-del", { "node-name": "libvirt-3-format" }],
      ["blockdev-del", { "node-name": "libvirt-3-storage" }],
    ]);
    assert.doesNotMatch(await t.conn.domainGetXMLDesc!(t.dom, 0), /vde/);
    // Only vda's storage and format nodes from the command line are left.
    assert.equal(t.block.nodes.size, 2);
    assert.deepEqual(
      t.events.filter((e) => e.eventId === VIR.DOMAIN_EVENT_ID_DEVICE_REMOVED).map((e) => e.data),
      [{ devAlias: "virtio-disk4" }],
    );
  } finally {
    await t.close();
  }
});

Deno.test("a copy-on-read disk plugs libvirt's filter over its format node, and unplugs it first", async () => {
  // qemuDomainAttachDiskGeneric / qemuBlockStorageGetCopyOnReadProps; the removal takes the
  // filter before the chain (qemuDomainRemoveDiskDevice).
  const t = await setup();
  try {
    const cor = "<disk type='file' device='disk'><driver name='qemu' type='raw' " +
      "copy_on_read='on'/><source file='/dev/null'/><target dev='vde' bus='virtio'/></disk>";
    await t.conn.domainAttachDeviceFlags!(t.dom, cor, VIR.DOMAIN_AFFECT_LIVE);
    const calls = qmp(t);
    assert.deepEqual(calls.map((c) => c.execute), [
      "blockdev-add",
      "blockdev-add",
      "blockdev-add",
      "device_add",
    ]);
    assert.deepEqual(calls[2].arguments, {
      driver: "copy-on-read",
      "node-name": "libvirt-CoR-vde",
      file: "libvirt-3-format",
      discard: "unmap",
    });
    assert.equal(calls[3].arguments?.drive, "libvirt-CoR-vde");
    const fake = [...t.launcher.instances.values()].at(-1)!;
    fake.commands.length = 0;
    await t.conn.domainDetachDeviceFlags!(t.dom, cor, VIR.DOMAIN_AFFECT_LIVE);
    assert.deepEqual(qmp(t).map((c) => [c.execute, c.arguments]), [
      ["device_del", { id: "virtio-disk4" }],
      ["blockdev-del", { "node-name": "libvirt-CoR-vde" }],
      ["blockdev-del", { "node-name": "libvirt-3-format" }],
      ["blockdev-del", { "node-name": "libvirt-3-storage" }],
    ]);
    assert.equal(t.block.nodes.size, 2);
  } finally {
    await t.close();
  }
});

Deno.test("attach usb and scsi disks live: usb-storage on a free port, scsi-hd on the controller", async () => {
  const t = await setup();
  try {
    await t.conn.domainAttachDeviceFlags!(t.dom, device("disk-usb"), VIR.DOMAIN_AFFECT_LIVE);
    await t.conn.domainAttachDeviceFlags!(t.dom, device("disk-scsi"), VIR.DOMAIN_AFFECT_LIVE);
    const adds = qmp(t).filter((c) => c.execute === "device_add").map((c) => c.arguments);
    assert.deepEqual(adds, [
      {
        driver: "usb-storage",
        bus: "usb.0",
        port: "1",
        "share-rw": true,
        drive: "libvirt-3-format",
        id: "usb-disk16",
        removable: false,
        "write-cache": "on",
      },
      {
        driver: "scsi-hd",
        bus: "scsi0.0",
        channel: 0,
        "scsi-id": 0,
        lun: 5,
        device_id: "drive-scsi0-0-0-5",
        "share-rw": true,
        drive: "libvirt-4-format",
        id: "scsi0-0-0-5",
        "write-cache": "on",
      },
    ]);
    const live = await t.conn.domainGetXMLDesc!(t.dom, 0);
    assert.match(live, /<address type='usb' bus='0' port='1'\/>/);
    assert.match(live, /<address type='drive' controller='0' bus='0' target='0' unit='5'\/>/);
  } finally {
    await t.close();
  }
});

Deno.test("a failed device_add takes the new nodes back, top first; the definition is unchanged", async () => {
  const t = await setup();
  try {
    const xml = device("disk-virtio").replace("vde", "vda");
    const dup = await error(t.conn.domainAttachDeviceFlags!(t.dom, xml, VIR.DOMAIN_AFFECT_LIVE));
    assert.equal(dup.code, VIR.ERR_XML_ERROR);
    assert.equal(
      dup.message,
      `XML error: target 'vda' duplicated for disk sources '${VDA}' and '/dev/null'`,
    );
    t.block.disks.set("virtio-disk4", { id: "virtio-disk4", driver: "virtio-blk-pci" });
    const e = await error(
      t.conn.domainAttachDeviceFlags!(t.dom, device("disk-virtio"), VIR.DOMAIN_AFFECT_LIVE),
    );
    assert.equal(e.code, VIR.ERR_INTERNAL_ERROR);
    assert.equal(
      e.message,
      "internal error: unable to execute QEMU command 'device_add': Duplicate device ID 'virtio-disk4'",
    );
    assert.deepEqual(qmp(t).map((c) => c.execute), ROLLED_BACK);
    assert.deepEqual(qmp(t).slice(3).map((c) => c.arguments!["node-name"]), [
      "libvirt-3-format",
      "libvirt-3-storage",
    ]);
    assert.doesNotMatch(await t.conn.domainGetXMLDesc!(t.dom, 0), /vde/);
  } finally {
    await t.close();
  }
});

Deno.test("unplug timeout: the detach succeeds, the disk stays; the late DEVICE_DELETED removes it", async () => {
  const t = await setup({ unplug: "hold" });
  try {
    await t.conn.domainAttachDeviceFlags!(t.dom, device("disk-virtio"), VIR.DOMAIN_AFFECT_LIVE);
    await t.conn.domainDetachDeviceFlags!(t.dom, device("disk-virtio"), VIR.DOMAIN_AFFECT_LIVE);
    assert.match(await t.conn.domainGetXMLDesc!(t.dom, 0), /vde/);
    t.block.release();
    for (let i = 0; i < 50 && /vde/.test(await t.conn.domainGetXMLDesc!(t.dom, 0)); i++) {
      await sleep(5);
    }
    assert.doesNotMatch(await t.conn.domainGetXMLDesc!(t.dom, 0), /vde/);
    assert.deepEqual(qmp(t).slice(-2).map((c) => c.arguments!["node-name"]), [
      "libvirt-3-format",
      "libvirt-3-storage",
    ]);
  } finally {
    await t.close();
  }
});

Deno.test("a guest refusing the unplug is libvirt's error; the disk stays", async () => {
  const t = await setup({ unplug: "reject" });
  try {
    await t.conn.domainAttachDeviceFlags!(t.dom, device("disk-virtio"), VIR.DOMAIN_AFFECT_LIVE);
    const e = await error(
      t.conn.domainDetachDeviceFlags!(t.dom, device("disk-virtio"), VIR.DOMAIN_AFFECT_LIVE),
    );
    assert.equal(e.code, VIR.ERR_OPERATION_FAILED);
    assert.equal(e.message, "operation failed: unplug of device was rejected by the guest");
    assert.match(await t.conn.domainGetXMLDesc!(t.dom, 0), /vde/);
  } finally {
    await t.close();
  }
});

Deno.test("detach refusals: unknown target, ide disk, cdrom on ide, device kinds not hotpluggable", async () => {
  const t = await setup();
  try {
    const live = VIR.DOMAIN_AFFECT_LIVE;
    const cases: [string, number, string][] = [
      [
        "<disk><target dev='vdz'/></disk>",
        VIR.ERR_DEVICE_MISSING,
        "device not found: disk vdz not found",
      ],
      [
        "<disk device='cdrom'><target dev='hdc'/></disk>",
        VIR.ERR_OPERATION_UNSUPPORTED,
        "Operation not supported: disk device type 'cdrom' cannot be detached",
      ],
      [
        "<serial type='pty'><target port='0'/></serial>",
        VIR.ERR_DEVICE_MISSING,
        "device not found: chr type 'serial' device not present in domain configuration",
      ],
      [
        "<video><model type='vga'/></video>",
        VIR.ERR_OPERATION_UNSUPPORTED,
        "Operation not supported: live detach of device 'video' is not supported",
      ],
    ];
    for (const [xml, code, message] of cases) {
      const e = await error(t.conn.domainDetachDeviceFlags!(t.dom, xml, live));
      assert.deepEqual([e.code, e.message], [code, message], xml);
    }
    const floppy = await error(t.conn.domainAttachDeviceFlags!(
      t.dom,
      `<disk device='floppy'><source file='${IMG}/f.img'/><target dev='fda'/></disk>`,
      live,
    ));
    assert.equal(floppy.message, "Operation not supported: floppy device hotplug isn't supported");
    const ide = await error(t.conn.domainAttachDeviceFlags!(
      t.dom,
      `<disk><source file='${IMG}/f.img'/><target dev='hdb' bus='ide'/></disk>`,
      live,
    ));
    // libvirt goes on after its own complaint: QEMU's refusal is what the caller sees.
    assert.equal(
      ide.message,
      "internal error: unable to execute QEMU command 'device_add': Bus 'ide.0' does not support hotplugging",
    );
    assert.deepEqual(qmp(t).map((c) => c.execute), ROLLED_BACK);
  } finally {
    await t.close();
  }
});

Deno.test("config-only attach/detach change the persistent definition alone, with libvirt's checks", async () => {
  const t = await setup();
  try {
    const config = VIR.DOMAIN_AFFECT_CONFIG;
    await t.conn.domainAttachDeviceFlags!(t.dom, device("disk-virtio"), config);
    assert.deepEqual(qmp(t), []);
    const inactive = await t.conn.domainGetXMLDesc!(t.dom, VIR.DOMAIN_XML_INACTIVE);
    assert.match(inactive, /<target dev='vde' bus='virtio'\/>/);
    assert.match(Deno.readTextFileSync(`${t.dir}/config/hp.xml`), /vde/);
    assert.doesNotMatch(await t.conn.domainGetXMLDesc!(t.dom, 0), /vde/);
    const again = await error(
      t.conn.domainAttachDeviceFlags!(t.dom, device("disk-virtio"), config),
    );
    assert.deepEqual(
      [again.code, again.message],
      [VIR.ERR_OPERATION_INVALID, "Requested operation is not valid: target vde already exists"],
    );
    const video = await error(
      t.conn.domainAttachDeviceFlags!(t.dom, "<video><model type='vga'/></video>", config),
    );
    assert.equal(
      video.message,
      "Operation not supported: persistent attach of device 'video' is not supported",
    );
    await t.conn.domainDetachDeviceFlags!(t.dom, device("disk-virtio"), config);
    assert.doesNotMatch(await t.conn.domainGetXMLDesc!(t.dom, VIR.DOMAIN_XML_INACTIVE), /vde/);
    const missing = await error(
      t.conn.domainDetachDeviceFlags!(t.dom, device("disk-virtio"), config),
    );
    assert.deepEqual(
      [missing.code, missing.message],
      [VIR.ERR_DEVICE_MISSING, "device not found: no target device vde"],
    );
    const flags = await error(t.conn.domainAttachDeviceFlags!(t.dom, device("disk-virtio"), 8));
    assert.equal(flags.code, VIR.ERR_INVALID_ARG);
  } finally {
    await t.close();
  }
});

Deno.test("config-only attach/detach of an RNG and a watchdog, with libvirt 9.0's answers", async () => {
  // The messages are those of virsh attach-device/detach-device --config on libvirt 9.0's QEMU
  // driver for the same devices.
  const t = await setup();
  try {
    const config = VIR.DOMAIN_AFFECT_CONFIG;
    const inactive = () => t.conn.domainGetXMLDesc!(t.dom, VIR.DOMAIN_XML_INACTIVE);
    const failure = async (p: Promise<unknown>) => {
      const e = await error(p);
      return [e.code, e.message];
    };
    const watchdog = "<watchdog model='i6300esb'/>";
    await t.conn.domainAttachDeviceFlags!(t.dom, watchdog, config);
    assert.deepEqual(await failure(t.conn.domainAttachDeviceFlags!(t.dom, watchdog, config)), [
      VIR.ERR_OPERATION_INVALID,
      "Requested operation is not valid: domain already has a watchdog",
    ]);
    const random = "<rng model='virtio'><backend model='random'/></rng>";
    await t.conn.domainAttachDeviceFlags!(t.dom, random, config);
    assert.deepEqual(qmp(t), []);
    const xml = await inactive();
    assert.match(xml, /<watchdog model='i6300esb' action='reset'>\s*<address type='pci'/);
    assert.match(xml, /<backend model='random'>\/dev\/random<\/backend>\s*<address type='pci'/);
    const balloon = xml.match(/<memballoon model='virtio'>\s*(<address [^>]*\/>)/)![1];
    assert.deepEqual(
      await failure(
        t.conn.domainAttachDeviceFlags!(
          t.dom,
          `<rng model='virtio'><backend model='builtin'/>${balloon}</rng>`,
          config,
        ),
      ),
      [
        VIR.ERR_CONFIG_UNSUPPORTED,
        "unsupported configuration: a device with the same address already exists ",
      ],
    );
    const builtin = "<rng model='virtio'><backend model='builtin'/></rng>";
    assert.deepEqual(await failure(t.conn.domainDetachDeviceFlags!(t.dom, builtin, config)), [
      VIR.ERR_DEVICE_MISSING,
      "device not found: no matching RNG device was found",
    ]);
    await t.conn.domainDetachDeviceFlags!(t.dom, random, config);
    await t.conn.domainDetachDeviceFlags!(t.dom, watchdog, config);
    assert.doesNotMatch(await inactive(), /<rng|<watchdog/);
    assert.deepEqual(await failure(t.conn.domainDetachDeviceFlags!(t.dom, watchdog, config)), [
      VIR.ERR_DEVICE_MISSING,
      "device not found: domain has no watchdog",
    ]);
  } finally {
    await t.close();
  }
});

Deno.test("a transient domain has no config to change; an inactive one no live state", async () => {
  const t = await setup({}, false);
  try {
    const e = await error(
      t.conn.domainAttachDeviceFlags!(t.dom, device("disk-virtio"), VIR.DOMAIN_AFFECT_CONFIG),
    );
    assert.equal(
      e.message,
      "Requested operation is not valid: transient domains do not have any persistent config",
    );
    await t.conn.domainDestroyFlags!(t.dom, 0);
    const dom = await t.conn.domainDefineXMLFlags!(XML, 0);
    const off = await error(
      t.conn.domainAttachDeviceFlags!(dom, device("disk-virtio"), VIR.DOMAIN_AFFECT_LIVE),
    );
    assert.equal(off.message, "Requested operation is not valid: domain is not running");
    // AFFECT_CURRENT of an inactive domain is its config.
    await t.conn.domainAttachDeviceFlags!(dom, device("disk-virtio"), 0);
    assert.match(await t.conn.domainGetXMLDesc!(dom, 0), /vde/);
  } finally {
    await t.close();
  }
});

Deno.test("cdrom change media: open tray, wait, remove, add nodes, insert, close; then eject", async () => {
  const t = await setup();
  try {
    const media = (src: string) =>
      `<disk type='file' device='cdrom'>${src}<target dev='hdc' bus='ide'/><readonly/></disk>`;
    await t.conn.domainUpdateDeviceFlags!(
      t.dom,
      media(`<source file='${IMG}/a.iso'/>`),
      VIR.DOMAIN_AFFECT_LIVE,
    );
    assert.deepEqual(qmp(t).map((c) => [c.execute, c.arguments]), [
      ["blockdev-open-tray", { id: "ide0-1-0", force: false }],
      ["blockdev-remove-medium", { id: "ide0-1-0" }],
      ["blockdev-add", {
        driver: "file",
        filename: `${IMG}/a.iso`,
        "node-name": "libvirt-3-storage",
        "auto-read-only": true,
        discard: "unmap",
      }],
      ["blockdev-add", {
        "node-name": "libvirt-3-format",
        "read-only": true,
        driver: "raw",
        file: "libvirt-3-storage",
      }],
      ["blockdev-insert-medium", { id: "ide0-1-0", "node-name": "libvirt-3-format" }],
      ["blockdev-close-tray", { id: "ide0-1-0" }],
    ]);
    assert.match(
      await t.conn.domainGetXMLDesc!(t.dom, 0),
      new RegExp(`<source file='${IMG}/a.iso' index='3'/>`),
    );
    assert.deepEqual(
      t.events.filter((e) => e.eventId === VIR.DOMAIN_EVENT_ID_TRAY_CHANGE).map((e) => e.data),
      [
        { devAlias: "ide0-1-0", reason: VIR.DOMAIN_EVENT_TRAY_CHANGE_OPEN },
        { devAlias: "ide0-1-0", reason: VIR.DOMAIN_EVENT_TRAY_CHANGE_CLOSE },
      ],
    );
    // attach-device of a cdrom that exists is a media change too (here an eject).
    const fake = [...t.launcher.instances.values()].at(-1)!;
    fake.commands.length = 0;
    await t.conn.domainAttachDeviceFlags!(t.dom, media(""), VIR.DOMAIN_AFFECT_LIVE);
    assert.deepEqual(qmp(t).map((c) => c.execute), [
      "blockdev-open-tray",
      "blockdev-remove-medium",
      "blockdev-del",
      "blockdev-del",
      "blockdev-close-tray",
    ]);
    // Only vda's storage and format nodes from the command line are left.
    assert.equal(t.block.nodes.size, 2);
    const live = await t.conn.domainGetXMLDesc!(t.dom, 0);
    assert.doesNotMatch(live, /a\.iso/);
    // libvirt 9.0 numbers the empty medium (recorded: `<source index='3'/>` after a change
    // to index 2 and an eject).
    assert.match(
      live,
      /<disk type='file' device='cdrom'>\s*<driver [^>]*\/>\s*<source index='4'\/>\s*<target dev='hdc'/,
    );
    const e = await error(t.conn.domainUpdateDeviceFlags!(
      t.dom,
      "<disk><source file='/other.img'/><target dev='vda' bus='virtio'/></disk>",
      VIR.DOMAIN_AFFECT_LIVE,
    ));
    assert.deepEqual(
      [e.code, e.message],
      [
        VIR.ERR_CONFIG_UNSUPPORTED,
        "unsupported configuration: disk source can be changed only in removable drives",
      ],
    );
  } finally {
    await t.close();
  }
});

const WITH_VIRTIO_SERIAL = XML.replace(
  "<controller type='scsi' model='virtio-scsi'/>",
  "<controller type='scsi' model='virtio-scsi'/><controller type='virtio-serial'/>",
);

Deno.test("chardev hotplug: TCP and UDP channels as qemuMonitorJSONAttachCharDevGetProps", async () => {
  const t = await setup({ xml: WITH_VIRTIO_SERIAL });
  try {
    const tcp = "<channel type='tcp'><source mode='bind' host='127.0.0.1' service='4555'/>" +
      "<protocol type='telnet'/><target type='virtio' name='org.example.tcp'/></channel>";
    const udp = "<channel type='udp'><source mode='bind' host='127.0.0.1' service='4556'/>" +
      "<source mode='connect' host='127.0.0.1' service='4557'/>" +
      "<target type='virtio' name='org.example.udp'/></channel>";
    await t.conn.domainAttachDeviceFlags!(t.dom, tcp, VIR.DOMAIN_AFFECT_LIVE);
    await t.conn.domainAttachDeviceFlags!(t.dom, udp, VIR.DOMAIN_AFFECT_LIVE);
    const inet = (port: string) => ({ type: "inet", data: { host: "127.0.0.1", port } });
    assert.deepEqual(
      qmp(t).filter((c) => c.execute === "chardev-add").map((c) => c.arguments?.backend),
      [
        {
          type: "socket",
          data: { addr: inet("4555"), wait: false, telnet: true, server: true },
        },
        { type: "udp", data: { remote: inet("4557"), local: inet("4556") } },
      ],
    );
    const fake = [...t.launcher.instances.values()].at(-1)!;
    fake.commands.length = 0;
    // The channel is found by its whole source: the UDP one, not the TCP one.
    await t.conn.domainDetachDeviceFlags!(t.dom, udp, VIR.DOMAIN_AFFECT_LIVE);
    assert.deepEqual(qmp(t).map((c) => c.execute), ["device_del", "chardev-remove"]);
    assert.match(await t.conn.domainGetXMLDesc!(t.dom, 0), /<channel type='tcp'>/);
    assert.doesNotMatch(await t.conn.domainGetXMLDesc!(t.dom, 0), /<channel type='udp'>/);
  } finally {
    await t.close();
  }
});

Deno.test("chardev hotplug: a virtio channel (chardev-add + virtserialport), its unplug", async () => {
  const t = await setup({ xml: WITH_VIRTIO_SERIAL });
  try {
    const channel = `<channel type='unix'><source mode='bind' path='${t.dir}/ga.sock'/>` +
      "<target type='virtio' name='org.qemu.guest_agent.0'/></channel>";
    await t.conn.domainAttachDeviceFlags!(t.dom, channel, VIR.DOMAIN_AFFECT_LIVE);
    assert.deepEqual(qmp(t).map((c) => [c.execute, c.arguments]), [
      ["chardev-add", {
        id: "charchannel0",
        backend: {
          type: "socket",
          data: {
            addr: { type: "unix", data: { path: `${t.dir}/ga.sock` } },
            wait: false,
            server: true,
          },
        },
      }],
      ["device_add", {
        driver: "virtserialport",
        bus: "virtio-serial0.0",
        nr: 1,
        chardev: "charchannel0",
        id: "channel0",
        name: "org.qemu.guest_agent.0",
      }],
    ]);
    const live = await t.conn.domainGetXMLDesc!(t.dom, 0);
    assert.match(
      live,
      /<alias name='channel0'\/>\s*<address type='virtio-serial' controller='0' bus='0' port='1'\/>/,
    );
    const again = await error(
      t.conn.domainAttachDeviceFlags!(t.dom, channel, VIR.DOMAIN_AFFECT_LIVE),
    );
    assert.equal(again.message, "Requested operation is not valid: chardev already exists");

    const pty = "<channel type='pty'><target type='virtio' name='org.example.1'/></channel>";
    await t.conn.domainAttachDeviceFlags!(t.dom, pty, VIR.DOMAIN_AFFECT_LIVE);
    assert.match(
      await t.conn.domainGetXMLDesc!(t.dom, 0),
      /<channel type='pty'>\s*<source path='\/dev\/pts\/201'\/>/,
    );

    const fake = [...t.launcher.instances.values()].at(-1)!;
    fake.commands.length = 0;
    await t.conn.domainDetachDeviceFlags!(t.dom, channel, VIR.DOMAIN_AFFECT_LIVE);
    assert.deepEqual(qmp(t).map((c) => [c.execute, c.arguments]), [
      ["device_del", { id: "channel0" }],
      ["chardev-remove", { id: "charchannel0" }],
    ]);
    assert.doesNotMatch(await t.conn.domainGetXMLDesc!(t.dom, 0), /ga\.sock/);
    const gone = await error(
      t.conn.domainDetachDeviceFlags!(t.dom, channel, VIR.DOMAIN_AFFECT_LIVE),
    );
    assert.deepEqual([gone.code, gone.message], [
      VIR.ERR_DEVICE_MISSING,
      "device not found: chr type 'channel' device not present in domain configuration",
    ]);
    // An ISA serial port cannot join a running machine: QEMU's refusal, the backend removed.
    const serial = await error(
      t.conn.domainAttachDeviceFlags!(
        t.dom,
        "<serial type='pty'><target port='1'/></serial>",
        VIR.DOMAIN_AFFECT_LIVE,
      ),
    );
    assert.equal(
      serial.message,
      "internal error: unable to execute QEMU command 'device_add': Bus 'isa.0' does not support hotplugging",
    );
    assert.equal(t.block.chardevs.has("charserial0"), false);
  } finally {
    await t.close();
  }
});

Deno.test("a hotplugged disk survives a driver restart: its nodes come back from the status", async () => {
  const t = await setup();
  try {
    await t.conn.domainAttachDeviceFlags!(t.dom, device("disk-virtio"), VIR.DOMAIN_AFFECT_LIVE);
    await t.conn.connectClose();
    t.conn = await qemuConnectDriver.open(new URL("qemu:///session"), {
      stateDir: t.dir,
      launcher: t.launcher,
      unplugTimeoutMs: 50,
    }) as DriverConnection;
    assert.match(
      await t.conn.domainGetXMLDesc!(t.dom, 0),
      /<source file='\/dev\/null' index='3'\/>/,
    );
    const fake = [...t.launcher.instances.values()].at(-1)!;
    fake.commands.length = 0;
    await t.conn.domainDetachDeviceFlags!(t.dom, device("disk-virtio"), VIR.DOMAIN_AFFECT_LIVE);
    assert.deepEqual(qmp(t).map((c) => [c.execute, c.arguments]), [
      ["device_del", { id: "virtio-disk4" }],
      ["blockdev-del", { "node-name": "libvirt-3-format" }],
      ["blockdev-del", { "node-name": "libvirt-3-storage" }],
    ]);
  } finally {
    await t.close();
  }
});
