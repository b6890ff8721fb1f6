/**
 * Disks on the command line as libvirt 9.0 starts them: every `-blockdev` node (storage and
 * format per image of each chain, numbered as libvirt numbers them) equal to libvirt's, the
 * frontends on the top format node with libvirt's cache and SCSI properties, and the live
 * XML's source indexes and probed backing chains. The fixtures are libvirt's own argv and live
 * XML (`fixtures/record_argv.sh`, LIVE=1) for the same domain XML on images of the same
 * formats and chains, which the test makes again under a temporary folder. On real QEMU 7.2, the
 * same domains start and QEMU holds every node libvirt names, on its image, read-only as libvirt's.
 */
import assert from "node:assert/strict";
import { parseDomainXML } from "../../../conf/domain/mod.ts";
import { buildQemuArgv } from "../../../drivers/qemu/command/mod.ts";
import { vcpusFromDef } from "../../../drivers/qemu/hotplug/mod.ts";
import { qemuPostParse } from "../../../drivers/qemu/postparse.ts";
import { assignDeviceAliases } from "../../../drivers/qemu/alias.ts";
import { numberDiskSources } from "../../../drivers/qemu/disk_chains.ts";
import { prepareHostStorage } from "../../../drivers/qemu/disk_startup.ts";
import { chainBlockdevs } from "../../../drivers/qemu/api/device_disk.ts";
import type { DomainDef } from "../../../conf/domain/def.ts";
import { realQemuTest, withRealDriver } from "./real_qemu.ts";
import { blockdevs, chains, makeImages } from "./disk_fixtures.ts";

const fixtures = new URL("./fixtures/", import.meta.url);

/** The started definition and argv of fixture `name`, its paths as in the fixture. */
async function started(
  name: string,
): Promise<{ def: DomainDef; argv: string[]; unroot: (s: string) => string }> {
  const xml = await Deno.readTextFile(new URL(`${name}.xml`, fixtures));
  const root = await Deno.makeTempDir();
  try {
    // A block device's path is a plain file here: the start only checks that it is there.
    await makeImages(root, xml.replaceAll("dev='/", "file='/"));
    const def = parseDomainXML(
      xml.replaceAll("file='/", `file='${root}/`).replaceAll("dev='/", `dev='${root}/`),
    );
    qemuPostParse(def);
    assignDeviceAliases(def);
    await prepareHostStorage(def, new Map(), numberDiskSources(def), true);
    const argv = buildQemuArgv(def, vcpusFromDef(def).vcpus, {
      monitorPath: "/run/ev/vm.qmp",
      accel: "tcg",
      memoryDir: "/run/ev/ram/1-vm",
    });
    const unroot = (s: string) => s.replaceAll(`${root}/`, "/");
    return { def, argv: argv.map(unroot), unroot };
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

/** A disk frontend's block properties, by id, from QEMU's `key=value` or libvirt's JSON. */
function frontends(argv: string[]): Record<string, Record<string, string>> {
  const keys = [
    "driver",
    "drive",
    "write-cache",
    "bus",
    "channel",
    "scsi-id",
    "lun",
    "device_id",
    "unit",
    "bootindex",
  ];
  const out: Record<string, Record<string, string>> = {};
  argv.forEach((a, i) => {
    if (argv[i - 1] !== "-device") return;
    const props: Record<string, string> = a.startsWith("{")
      ? Object.fromEntries(Object.entries(JSON.parse(a)).map(([k, v]) => [k, String(v)]))
      : Object.fromEntries(
        a.split(",").map((p, j) => j ? p.split("=") as [string, string] : ["driver", p]),
      );
    if (!/-(blk-pci|hd|cd|storage)$|^floppy$/.test(props.driver)) return;
    out[props.id] = Object.fromEntries(keys.filter((k) => k in props).map((k) => [k, props[k]]));
  });
  return out;
}

const diskFixtures = [
  "disk-files",
  "disk-modes",
  "disk-scsi",
  "pc-devices",
  "disk-block",
  "disk-net",
  "disk-floppy",
  "disk-floppy-q35",
  "disk-metadata-cache",
];
for (const name of diskFixtures) {
  Deno.test(`${name}: the disks' -blockdev nodes and frontends are libvirt 9.0's`, async () => {
    const libvirt = (await Deno.readTextFile(new URL(`${name}.argv`, fixtures))).split("\n");
    const { argv } = await started(name);
    const theirs = blockdevs(libvirt);
    assert.ok(theirs.length >= 4, "the fixture starts disks");
    assert.deepEqual(blockdevs(argv), theirs);
    assert.ok(!argv.includes("-drive"));
    assert.deepEqual(frontends(argv), frontends(libvirt));
  });
}

Deno.test("disk-files: the live XML numbers sources and shows chains as libvirt 9.0's", async () => {
  // A running domain's XML: parsed as a status, which keeps the source indexes.
  const live = parseDomainXML(
    await Deno.readTextFile(new URL("disk-files.live.xml", fixtures)),
    0,
    true,
  );
  const { def, unroot } = await started("disk-files");
  const expected = chains(live);
  assert.ok(expected.some((c) => c.layers.length === 3), "the fixture has a backing chain");
  assert.deepEqual(chains(def, unroot), expected);
});

for (const name of ["disk-net", "disk-floppy", "disk-floppy-q35"]) {
  Deno.test(`${name}: the live XML numbers the sources as libvirt 9.0's`, async () => {
    const xml = await Deno.readTextFile(new URL(`${name}.live.xml`, fixtures));
    const live = parseDomainXML(xml, 0, true);
    const { def, unroot } = await started(name);
    assert.deepEqual(chains(def, unroot), chains(live));
  });
}

/** The floppy controller's arguments: `-global isa-fdc.*` values and the `isa-fdc` device. */
const floppyController = (argv: string[]) =>
  argv.flatMap((a, i) =>
    argv[i - 1] === "-global" && a.startsWith("isa-fdc.")
      ? [a]
      : argv[i - 1] === "-device" && /^(\{"driver":"isa-fdc"|isa-fdc\b)/.test(a)
      ? [
        a.startsWith("{")
          ? Object.entries(JSON.parse(a)).map(([k, v]) => `${k}=${v}`).join(",")
          : `driver=${a}`,
      ]
      : []
  );

for (const name of ["disk-floppy", "disk-floppy-q35"]) {
  Deno.test(`${name}: the floppy controller carries the boot index as libvirt 9.0's`, async () => {
    const libvirt = (await Deno.readTextFile(new URL(`${name}.argv`, fixtures))).split("\n");
    const { argv } = await started(name);
    const expected = floppyController(libvirt);
    assert.equal(expected.length, 1);
    assert.deepEqual(floppyController(argv), expected);
  });
}

Deno.test("a block device is a host_device storage node, as in libvirt 9.0's disk-order args", () => {
  // libvirt-9.0.0/tests/qemuxml2argvdata/disk-order.x86_64-latest.args: a logical volume.
  const expected = {
    driver: "host_device",
    filename: "/dev/HostVG/QEMUGuest2",
    "node-name": "libvirt-3-storage",
    "auto-read-only": true,
    discard: "unmap",
  };
  const disk = parseDomainXML(
    "<domain type='qemu'><name>d</name><memory>65536</memory><os><type>hvm</type></os>" +
      "<devices><disk type='volume' device='disk'><driver name='qemu' type='raw'/>" +
      "<source pool='p' volume='v'/><target dev='vda' bus='virtio'/></disk></devices></domain>",
  ).devices.other.find((d) => d.name === "disk")!;
  const [storage, format] = chainBlockdevs(disk, [
    { file: expected.filename, format: "raw", index: 3, hostDevice: true },
  ], true);
  assert.deepEqual(storage, expected);
  assert.equal(format.file, "libvirt-3-storage");
});

realQemuTest({
  name: "real QEMU: the disk fixtures start, and QEMU holds libvirt's nodes on the right images",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    await withRealDriver("ev-qemu-bd-", async ({ dir, launcher, conn }) => {
      for (const name of ["disk-files", "disk-modes", "disk-scsi", "disk-metadata-cache"]) {
        const xml = await Deno.readTextFile(new URL(`${name}.xml`, fixtures));
        await makeImages(dir, xml);
        const dom = await conn.domainCreateXML!(xml.replaceAll("file='/", `file='${dir}/`), 0);
        const nodes = await launcher.procs.at(-1)!.monitor.run<
          { "node-name": string; drv: string; file: string; ro: boolean }[]
        >("query-named-block-nodes", { flat: true });
        const libvirt = (await Deno.readTextFile(new URL(`${name}.argv`, fixtures))).split("\n");
        // Every node libvirt's command line names is open in QEMU, on the image, read-only or not.
        const expected = blockdevs(libvirt).map((n) => n["node-name"]).sort();
        assert.deepEqual(
          nodes.map((n) => n["node-name"]).filter((n) => n.startsWith("libvirt-")).sort(),
          expected,
        );
        for (const node of blockdevs(libvirt)) {
          const open = nodes.find((n) => n["node-name"] === node["node-name"])!;
          if (node.driver === "file") assert.equal(open.file, `${dir}${node.filename}`);
          else assert.equal(open.ro, node["read-only"], node["node-name"]);
        }
        await conn.domainDestroyFlags!(dom, 0);
      }
    });
  },
});
