// A disk frontend's own properties on the command line, as libvirt 9.0 builds them
// (qemuBuildDiskDeviceProps): the inputs are libvirt's qemuxml2argvdata documents as the QEMU
// corpus recorded them, the expected properties are copied from libvirt 9.0.0's
// tests/qemuxml2argvdata/NAME.x86_64-latest.args (each `-device` of a disk, by id).
import assert from "node:assert/strict";
import { parseDomainXML } from "../../../conf/domain/mod.ts";
import { buildQemuArgv } from "../../../drivers/qemu/command/mod.ts";
import { vcpusFromDef } from "../../../drivers/qemu/hotplug/mod.ts";
import { qemuPostParse } from "../../../drivers/qemu/postparse.ts";
import { assignDeviceAliases } from "../../../drivers/qemu/alias.ts";
import { numberDiskSources } from "../../../drivers/qemu/disk_chains.ts";
import { RECORDING } from "../../tools/qemu_corpus/main.ts";
import { readRecording } from "../../tools/xmlgen/recording.ts";

/** The properties compared: those the disk's own elements set. */
const KEYS = [
  "logical_block_size",
  "physical_block_size",
  "wwn",
  "rotation_rate",
  "vendor",
  "product",
  "removable",
  "write-cache",
  "cyls",
  "heads",
  "secs",
  "bios-chs-trans",
  "serial",
  "werror",
  "rerror",
  "num-queues",
  "queue-size",
];

/** Per document, per frontend id: libvirt's values of KEYS (from its .args). */
const EXPECTED: Record<string, Record<string, Record<string, unknown>>> = {
  "disk-geometry.xml": {
    "ide0-0-0": { cyls: 16383, heads: 16, secs: 63, "bios-chs-trans": "lba" },
  },
  "disk-blockio.xml": {
    "ide0-0-2": { logical_block_size: 512, physical_block_size: 512 },
  },
  "disk-error-policy.xml": {
    "ide0-0-0": { "write-cache": "on", werror: "stop", rerror: "stop" },
    "ide0-0-1": { "write-cache": "on", werror: "enospc" },
    "ide0-1-0": { "write-cache": "on", werror: "report", rerror: "ignore" },
  },
  "disk-virtio-queues.xml": {
    "virtio-disk0": { "num-queues": 4 },
    "virtio-disk1": { "queue-size": 256 },
    "virtio-disk2": { "num-queues": 4, "queue-size": 256 },
  },
  "disk-rotation.xml": { "ide0-0-0": { rotation_rate: 4500 } },
};

/** The `-device` options of `argv` by id, as key=value maps (`,,` is a comma). */
function devicesById(argv: string[]): Map<string, Map<string, string>> {
  const out = new Map<string, Map<string, string>>();
  argv.forEach((a, i) => {
    if (argv[i - 1] !== "-device") return;
    const parts = a.replaceAll(",,", "\0").split(",").map((p) => p.replaceAll("\0", ","));
    const props = new Map([
      ["driver", parts[0]],
      ...parts.slice(1).map((p) => [p.slice(0, p.indexOf("=")), p.slice(p.indexOf("=") + 1)]),
    ] as [string, string][]);
    out.set(props.get("id")!, props);
  });
  return out;
}

const rows = await readRecording(RECORDING);
for (const [id, frontends] of Object.entries(EXPECTED)) {
  Deno.test(`disk frontend properties as libvirt's: ${id}`, () => {
    const row = rows.find((r) => r.id === `qemuxml2argvdata/${id}`)!;
    const def = parseDomainXML(row.input);
    qemuPostParse(def);
    assignDeviceAliases(def);
    numberDiskSources(def);
    const argv = buildQemuArgv(def, vcpusFromDef(def).vcpus, {
      monitorPath: "/run/r.qmp",
      accel: "tcg",
      memoryDir: "/run/ram/1-r",
    });
    const devices = devicesById(argv);
    for (const [dev, want] of Object.entries(frontends)) {
      const props = devices.get(dev);
      assert.ok(props, `-device ${dev}`);
      const got = Object.fromEntries(
        KEYS.filter((k) => props.has(k)).map((k) => [k, props.get(k)]),
      );
      assert.deepEqual(
        got,
        Object.fromEntries(Object.entries(want).map(([k, v]) => [k, String(v)])),
      );
    }
  });
}

Deno.test("a disk's serial (spaces escaped as libvirt does) and 64-bit WWN reach its frontend", () => {
  // disk-serial and disk-scsi-disk-wwn: <serial>  WD-WMAP9A966149</serial> on IDE,
  // <wwn>0x5000c50015ea71ad</wwn> (libvirt: "wwn":5764824127192592813).
  const def = parseDomainXML(
    "<domain type='qemu'><name>s</name><memory>65536</memory><os><type>hvm</type></os><devices>" +
      "<disk type='file' device='disk'><source file='/tmp/s.img'/><target dev='hda' bus='ide'/>" +
      "<serial>  WD-WMAP9A966149</serial><wwn>0x5000c50015ea71ad</wwn></disk></devices></domain>",
  );
  qemuPostParse(def);
  assignDeviceAliases(def);
  numberDiskSources(def);
  const argv = buildQemuArgv(def, vcpusFromDef(def).vcpus, {
    monitorPath: "/run/s.qmp",
    accel: "tcg",
    memoryDir: "/run/ram/1-s",
  });
  const ide = devicesById(argv).get("ide0-0-0")!;
  assert.equal(ide.get("serial"), "\\ \\ WD-WMAP9A966149");
  assert.equal(ide.get("wwn"), "5764824127192592813");
});

Deno.test("a virtio disk's model picks libvirt's device (virtio-transitional, virtio-non-transitional)", () => {
  for (const model of ["virtio-transitional", "virtio-non-transitional"]) {
    const def = parseDomainXML(
      "<domain type='qemu'><name>t</name><memory>65536</memory><os><type>hvm</type></os><devices>" +
        `<disk type='file' device='disk' model='${model}'><source file='/tmp/t.img'/>` +
        "<target dev='vda' bus='virtio'/></disk></devices></domain>",
    );
    qemuPostParse(def);
    assignDeviceAliases(def);
    numberDiskSources(def);
    const argv = buildQemuArgv(def, vcpusFromDef(def).vcpus, {
      monitorPath: "/run/t.qmp",
      accel: "tcg",
      memoryDir: "/run/ram/1-t",
    });
    // virtio-transitional.x86_64-latest.args: "driver":"virtio-blk-pci-transitional".
    assert.equal(
      devicesById(argv).get("virtio-disk0")?.get("driver"),
      `virtio-blk-pci-${model.slice(7)}`,
    );
  }
});
