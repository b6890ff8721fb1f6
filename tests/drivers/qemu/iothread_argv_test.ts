/**
 * IOThreads on the command line as libvirt 9.0 starts them: the `iothread` objects (listed ids
 * first, then the ones filled in up to `<iothreads>`, with their pool bounds) and the
 * `main-loop` object, equal to libvirt's recorded argv (`fixtures/record_argv.sh` on
 * `fixtures/iothreads.xml`), and the `iothread` property of the virtio disk and the virtio-scsi
 * controller; and libvirt's refusals of devices that cannot run in an IOThread.
 */
import assert from "node:assert/strict";
import { parseDomainXML } from "../../../conf/domain/mod.ts";
import { buildQemuArgv } from "../../../drivers/qemu/command/mod.ts";
import { vcpusFromDef } from "../../../drivers/qemu/hotplug/mod.ts";
import { qemuPostParse } from "../../../drivers/qemu/postparse.ts";
import { assignDeviceAliases } from "../../../drivers/qemu/alias.ts";
import { numberDiskSources } from "../../../drivers/qemu/disk_chains.ts";
import { VirError } from "../../../util/errors.ts";

const fixtures = new URL("./fixtures/", import.meta.url);

function argvOf(xml: string): string[] {
  const def = parseDomainXML(xml);
  qemuPostParse(def);
  assignDeviceAliases(def);
  numberDiskSources(def);
  return buildQemuArgv(def, vcpusFromDef(def).vcpus, {
    monitorPath: "/run/vm.qmp",
    accel: "tcg",
    memoryDir: "/run/ram/1-vm",
  });
}

const objects = (argv: string[]) =>
  argv.flatMap((a, i) => argv[i - 1] === "-object" ? [a] : [])
    .filter((a) => /"qom-type":"(iothread|main-loop)"/.test(a));

/** Each -device's id and iothread, from QEMU's key=value or libvirt's JSON. */
function deviceIothreads(argv: string[]): Record<string, string | undefined> {
  return Object.fromEntries(argv.flatMap((a, i) => {
    if (argv[i - 1] !== "-device") return [];
    const props: Record<string, unknown> = a.startsWith("{")
      ? JSON.parse(a)
      : Object.fromEntries(a.split(",").slice(1).map((p) => p.split("=")));
    return [[String(props.id), props.iothread as string | undefined]];
  }));
}

Deno.test("iothreads: the -object arguments and device iothreads are libvirt 9.0's", async () => {
  const libvirt = (await Deno.readTextFile(new URL("iothreads.argv", fixtures))).split("\n");
  const ours = argvOf(await Deno.readTextFile(new URL("iothreads.xml", fixtures)));
  const theirs = objects(libvirt);
  assert.equal(theirs.length, 5, "the fixture has four IOThreads and a main loop");
  assert.deepEqual(objects(ours), theirs);
  // Between -smp and -uuid, as libvirt orders them.
  const at = (argv: string[], a: string) => argv.indexOf(a);
  assert.ok(at(ours, "-smp") < at(ours, theirs[0]) && at(ours, theirs[4]) < at(ours, "-uuid"));
  const expected = deviceIothreads(libvirt);
  assert.equal(expected.scsi0, "iothread2");
  assert.equal(expected["virtio-disk0"], "iothread5");
  const mine = deviceIothreads(ours);
  for (const id of ["scsi0", "virtio-disk0", "scsi0-0-0-0"]) assert.equal(mine[id], expected[id]);
});

const domain = (head: string, devices: string) =>
  `<domain type='qemu'><name>vm</name><memory>65536</memory>${head}<os><type>hvm</type></os>` +
  `<devices>${devices}</devices></domain>`;

const refusals: [string, string, string][] = [
  [
    "<iothreads>1</iothreads>",
    "<disk type='file'><driver name='qemu' iothread='1'/><source file='/a'/>" +
    "<target dev='sda' bus='scsi'/></disk>",
    "IOThreads not available for bus scsi target sda",
  ],
  [
    "<iothreads>1</iothreads>",
    "<disk type='file'><driver name='qemu' iothread='2'/><source file='/a'/>" +
    "<target dev='vda' bus='virtio'/></disk>",
    "Disk iothread '2' not defined in iothreadid",
  ],
  [
    "<iothreads>1</iothreads>",
    "<controller type='scsi' model='virtio-scsi'><driver iothread='3'/></controller>",
    "controller iothread '3' not defined in iothreadid",
  ],
  [
    "<iothreads>1</iothreads>",
    // nec-xhci passes libvirt's generic check (virDomainControllerDefPostParse compares the
    // model's number with virtio-scsi's: nec-xhci has one of them); qemu-xhci is refused there
    // first, with an XML error (libvirt 9.0's QEMU driver, oracle daemon).
    "<controller type='usb' model='nec-xhci'><driver iothread='1'/></controller>",
    "'iothread' is only supported for virtio-scsi controller",
  ],
];

for (const [head, devices, message] of refusals) {
  Deno.test(`refused as libvirt 9.0 does: ${message}`, () => {
    assert.throws(() => argvOf(domain(head, devices)), (e: unknown) => {
      assert.ok(e instanceof VirError);
      assert.equal(e.codeName, "VIR_ERR_CONFIG_UNSUPPORTED");
      assert.equal(e.message, `unsupported configuration: ${message}`);
      return true;
    });
  });
}

Deno.test("a disk's iothread='0' is libvirt's XML error", () => {
  assert.throws(
    () =>
      argvOf(domain(
        "<iothreads>1</iothreads>",
        "<disk type='file'><driver name='qemu' iothread='0'/><source file='/a'/>" +
          "<target dev='vda' bus='virtio'/></disk>",
      )),
    /Invalid value for attribute 'iothread' in element 'driver': Zero is not permitted/,
  );
});
