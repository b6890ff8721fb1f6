// Devices the command line cannot start are refused with libvirt's error, never dropped; the
// accelerator follows the domain type (TCG for qemu, KVM for kvm, an error without KVM).
import assert from "node:assert/strict";
import { parseDomainXML } from "../../../conf/domain/mod.ts";
import { buildQemuArgv } from "../../../drivers/qemu/command/mod.ts";
import { vcpusFromDef } from "../../../drivers/qemu/hotplug/mod.ts";
import { qemuPostParse } from "../../../drivers/qemu/postparse.ts";
import { assignDeviceAliases } from "../../../drivers/qemu/alias.ts";
import { numberDiskSources } from "../../../drivers/qemu/disk_chains.ts";
import { qemuConnectDriver } from "../../../drivers/qemu/mod.ts";
import { FakeLauncher } from "../../../drivers/qemu/testing/mod.ts";
import type { DriverConnection } from "../../../util/driver.ts";
import { VIR } from "../../../util/constants.ts";
import type { VirError } from "../../../util/errors.ts";
import { IMG } from "./images.ts";

const domain = (devices: string, type = "qemu", name = "r") =>
  `<domain type='${type}'><name>${name}</name><memory unit='MiB'>64</memory>` +
  `<os><type arch='x86_64' machine='pc'>hvm</type></os><devices>${devices}</devices></domain>`;

function argvOf(xml: string): string[] {
  const def = parseDomainXML(xml);
  qemuPostParse(def);
  assignDeviceAliases(def);
  numberDiskSources(def);
  return buildQemuArgv(def, vcpusFromDef(def).vcpus, {
    monitorPath: "/run/r.qmp",
    accel: "tcg",
    memoryDir: "/run/ram/1-r",
  });
}

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    const err = e as VirError;
    return `${err.code}/${err.domain} ${err.message}`;
  }
  return "started";
}

const DISK = "<target dev='vdb' bus='virtio'/>";
const cases: [string, string][] = [
  [
    `<disk type='network' device='disk'><source protocol='tftp' name='x.img'>` +
    `<host name='127.0.0.1'/></source>${DISK}<readonly/></disk>`,
    "'tftp' protocol is not supported with this QEMU binary",
  ],
  [
    "<interface type='direct'><source dev='eth0' mode='bridge'/></interface>",
    "interface type 'direct' is not supported with this QEMU binary",
  ],
  [
    "<interface type='ethernet'><target dev='tap9'/></interface>",
    "interface type 'ethernet' is not supported with this QEMU binary",
  ],
  // SDL needs a display of the host's: the driver starts none.
  ["<graphics type='sdl'/>", "sdl graphics are not supported with this QEMU"],
  // libvirt 9.0's answer (canon.sh --driver qemu).
  [
    "<serial type='spiceport'><source channel='org.qemu.console.serial.0'/></serial>",
    "chardev 'spiceport' not supported without spice graphics",
  ],
  [
    "<channel type='pty'><target type='guestfwd' address='10.0.2.1' port='4600'/></channel>",
    "The 'guestfwd' device is not supported by this QEMU binary",
  ],
  [
    "<hostdev mode='subsystem' type='pci'><source><address domain='0' bus='1' slot='0' " +
    "function='0'/></source></hostdev>",
    "The 'vfio-pci' device is not supported by this QEMU binary",
  ],
];

for (const [devices, message] of cases) {
  Deno.test(`refused, not dropped: ${devices.slice(0, 60)}`, () => {
    assert.equal(
      refusal(() => argvOf(domain(devices))),
      `67/10 unsupported configuration: ${message}`,
    );
  });
}

Deno.test("built-in devices and 'none' models need no argument and start", () => {
  const argv = argvOf(domain(
    "<controller type='usb' model='none'/><controller type='ide' index='0'/><input type='mouse' bus='ps2'/>" +
      "<video><model type='none'/></video><memballoon model='none'/>" +
      "<serial type='pty'/><console type='pty'/>" +
      "<disk type='file' device='cdrom'><target dev='hdc' bus='ide'/></disk>",
  ));
  // The empty cdrom is a drive without medium: a frontend alone.
  assert.deepEqual(argv.filter((_, i) => argv[i - 1] === "-device"), [
    "ide-cd,id=ide0-1-0,bus=ide.1,unit=0",
  ]);
  assert.ok(!argv.includes("-blockdev"));
  assert.equal(argv.filter((a) => a === "-serial").length, 1);
});

async function open(kvm: boolean, dir?: string) {
  const launcher = new FakeLauncher();
  const conn = await qemuConnectDriver.open(new URL("qemu:///session"), {
    stateDir: dir ?? await Deno.makeTempDir({ prefix: "ev-refusal-" }),
    launcher,
    kvm,
  }) as DriverConnection;
  return { conn, launcher };
}

async function error(p: Promise<unknown>): Promise<string> {
  const e = (await p.then(() => undefined, (e) => e)) as VirError | undefined;
  return e ? `${e.code}/${e.domain} ${e.message}` : "ok";
}

Deno.test("a start with a device edgevirt cannot start launches nothing and leaves the domain off", async () => {
  const { conn, launcher } = await open(false);
  const guestfwd =
    "<channel type='pty'><target type='guestfwd' address='10.0.2.1' port='4600'/></channel>";
  const dom = await conn.domainDefineXMLFlags!(domain(guestfwd), 0);
  assert.equal(
    await error(conn.domainCreateWithFlags!(dom, 0)),
    "67/10 unsupported configuration: The 'guestfwd' device is not supported by this QEMU binary",
  );
  assert.deepEqual(await conn.domainGetState!(dom, 0), [5, 0]);
  // createXML leaves no transient domain behind.
  assert.equal(
    await error(conn.domainCreateXML!(domain("<graphics type='sdl'/>", "qemu", "t"), 0)),
    "67/10 unsupported configuration: sdl graphics are not supported with this QEMU",
  );
  // virtio-net failover (libvirt's failover=on beside a hostdev primary) is not set up here.
  const team =
    "<interface type='user'><model type='virtio'/><teaming type='persistent'/></interface>";
  assert.equal(
    await error(conn.domainCreateXML!(domain(team, "qemu", "f"), 0)),
    "67/10 unsupported configuration: interface <teaming> is not supported with this QEMU binary",
  );
  assert.deepEqual(await conn.connectListAllDomains!(0).then((l) => l.map((d) => d.name)), ["r"]);
  assert.equal(launcher.launches.length, 0);
  await conn.connectClose();
});

Deno.test("type='qemu' runs under TCG even with KVM; type='kvm' under KVM, refused without", async () => {
  const withKvm = await open(true);
  await withKvm.conn.domainCreateXML!(domain("", "qemu", "q"), 0);
  await withKvm.conn.domainCreateXML!(domain("", "kvm", "k"), 0);
  const accels = withKvm.launcher.launches.map((argv) => argv[argv.indexOf("-accel") + 1]);
  assert.deepEqual(accels, ["tcg", "kvm"]);
  await withKvm.conn.connectClose();

  // Without KVM the emulator does not support the kvm type: refused at define (libvirt's
  // qemuValidateDomainDef), and at start if KVM went away after the definition.
  const dir = await Deno.makeTempDir({ prefix: "ev-refusal-" });
  const defined = await open(true, dir);
  await defined.conn.domainDefineXMLFlags!(domain("", "kvm", "k"), 0);
  await defined.conn.connectClose();
  const noKvm = await open(false, dir);
  const kvmUnsupported = "67/10 unsupported configuration: Emulator " +
    "'/usr/bin/qemu-system-x86_64' does not support virt type 'kvm'";
  assert.equal(await error(noKvm.conn.domainCreateXML!(domain("", "kvm", "t"), 0)), kvmUnsupported);
  assert.equal(
    await error(noKvm.conn.domainDefineXMLFlags!(domain("", "kvm", "u"), 0)),
    kvmUnsupported,
  );
  const k = await noKvm.conn.domainLookupByName!("k");
  assert.equal(
    await error(noKvm.conn.domainCreateWithFlags!(k, 0)),
    "67/10 unsupported configuration: Domain requires KVM, but it is not available. Check that " +
      "virtualization is enabled in the host BIOS, and host configuration is setup to load the " +
      "kvm modules.",
  );
  assert.equal(noKvm.launcher.launches.length, 0);
  await noKvm.conn.connectClose();
});

Deno.test("a read-only IDE or SATA hard disk is refused at define and attach, as libvirt's validation does", async () => {
  const { conn, launcher } = await open(false);
  const disk = (bus: string, dev: string, device = "disk") =>
    `<disk type='file' device='${device}'><source file='${IMG}/ro.img'/>` +
    `<target dev='${dev}' bus='${bus}'/><readonly/></disk>`;
  // libvirt 9.0's answer: tests/fixtures/oracle/block_jobs.json, define_ide_readonly.
  for (const [bus, dev] of [["ide", "hdb"], ["sata", "sdb"]]) {
    assert.equal(
      await error(conn.domainDefineXMLFlags!(domain(disk(bus, dev)), 0)),
      `67/10 unsupported configuration: readonly ${bus} disks are not supported`,
    );
  }
  // A cdrom is read-only by nature; a read-only virtio disk is a read-only node.
  const ok = await conn.domainDefineXMLFlags!(
    domain(disk("ide", "hdc", "cdrom") + disk("virtio", "vdb")),
    0,
  );
  for (const flags of [VIR.DOMAIN_AFFECT_CONFIG, VIR.DOMAIN_AFFECT_LIVE]) {
    if (flags === VIR.DOMAIN_AFFECT_LIVE) await conn.domainCreateWithFlags!(ok, 0);
    assert.equal(
      await error(conn.domainAttachDeviceFlags!(ok, disk("ide", "hdb"), flags)),
      "67/10 unsupported configuration: readonly ide disks are not supported",
    );
  }
  assert.equal(launcher.launches.length, 1);
  await conn.connectClose();
});

Deno.test("disk source parts kept in the definition but not handed to QEMU refuse the start", async () => {
  const { conn, launcher } = await open(false);
  const disk = (source: string, device = "disk", type = "file") =>
    `<disk type='${type}' device='${device}'><driver name='qemu' type='raw'/>${source}` +
    `<target dev='sda' bus='scsi'/></disk>`;
  const cases: [string, string, string][] = [
    [
      disk(`<source file='${IMG}/a.img' fdgroup='grp'/>`),
      "8/10 invalid argument: file descriptor group 'grp' was not associated with the domain",
      "fdgroup='grp'",
    ],
    [
      disk(
        `<source file='${IMG}/a.img'><slices><slice type='storage' offset='512' size='1024'/>` +
          "</slices></source>",
      ),
      "67/10 unsupported configuration: storage slices are not supported with this QEMU binary",
      "<slice type='storage' offset='512' size='1024'/>",
    ],
    [
      disk("<source dev='/dev/null'><reservations managed='yes'/></source>", "lun", "block"),
      "67/10 unsupported configuration: reservations not supported with this QEMU binary",
      "<reservations managed='yes'/>",
    ],
    // Kept (a secure dump shows them), but QEMU would need a secret object for them.
    [
      "<disk type='network' device='disk'><source protocol='https' name='/i.img'>" +
      "<host name='127.0.0.1'/><cookies><cookie name='s'>v</cookie></cookies></source>" +
      "<target dev='vda' bus='virtio'/></disk>",
      "67/10 unsupported configuration: http cookies is not supported with this QEMU binary",
      "<cookie name='s'>v</cookie>",
    ],
    // The driver runs the 'none' security model only.
    [
      disk(`<source file='${IMG}/a.img'><seclabel model='selinux' relabel='no'/></source>`),
      "67/24 unsupported configuration: Security driver model 'selinux' is not available",
      "<seclabel model='selinux' relabel='no'/>",
    ],
  ];
  for (const [i, [devices, message, kept]] of cases.entries()) {
    const dom = await conn.domainDefineXMLFlags!(domain(devices, "qemu", `p${i}`), 0);
    // Kept as libvirt keeps it.
    const xml = await conn.domainGetXMLDesc!(dom, VIR.DOMAIN_XML_SECURE);
    assert.ok(xml.includes(kept), `${kept} kept`);
    assert.equal(await error(conn.domainCreateWithFlags!(dom, 0)), message);
  }
  assert.equal(launcher.launches.length, 0);
  await conn.connectClose();
});
