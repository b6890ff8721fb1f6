/**
 * PCI Vital Product Data: libvirt's own parser test vectors (tests/virpcivpdtest.c: a full
 * VPD, a bad checksum, invalid fields skipped), and a BlueField-2 card's VPD built byte by
 * byte, read through the driver and formatted as libvirt's nodedevschemadata file shows it.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { FIXTURES } from "../../paths.ts";
import { parseVpd } from "../../../drivers/node_device/vpd.ts";
import { nodeDeviceDriver } from "../../../drivers/node_device/mod.ts";

const enc = (s: string) => [...s].map((c) => c.charCodeAt(0));
const reader = (bytes: number[]) => (pos: number, count: number) =>
  new Uint8Array(bytes.slice(pos, pos + count));

// virpcivpdtest.c's building blocks.
const STRING = [0x82, 0x08, 0x00, ...enc("testname")];
const RO_FIELDS = [
  ...enc("PN"),
  2,
  ...enc("42"),
  ...enc("EC"),
  4,
  ...enc("4242"),
  ...enc("VA"),
  2,
  ...enc("EX"),
];
const RO = (rv: number) => [0x90, 0x16, 0x00, ...RO_FIELDS, ...enc("RV"), 0x02, rv, 0x00];
const RW = [
  0x91,
  0x19,
  0x00,
  ...enc("VZ"),
  2,
  ...enc("42"),
  ...enc("YA"),
  4,
  ...enc("ID42"),
  ...enc("YF"),
  2,
  ...enc("EX"),
  ...enc("YE"),
  0,
  ...enc("RW"),
  2,
  0,
  0,
];
const END = [0x78];

Deno.test("libvirt's parser vectors: full VPD, bad checksum, no end tag, skipped invalid field", () => {
  assert.deepEqual(parseVpd(reader([...STRING, ...RO(0x31), ...RW, ...END])), {
    name: "testname",
    ro: { partNumber: "42", changeLevel: "4242", vendor: [{ index: "A", value: "EX" }] },
    rw: {
      vendor: [{ index: "Z", value: "42" }],
      assetTag: "ID42",
      system: [{ index: "F", value: "EX" }, { index: "E", value: "" }],
    },
  });
  assert.equal(parseVpd(reader([...STRING, ...RO(0xff), ...RW, ...END])), undefined);
  assert.equal(parseVpd(reader([...STRING, ...RO(0x31), ...RW])), undefined);
  assert.equal(parseVpd(reader([...STRING, ...RW, ...END])), undefined, "no VPD-R");
  // An unprintable value is skipped, the rest kept.
  const bad = [...STRING, 0x90, 0x16, 0x00, ...enc("PN"), 2, 0x07, 0x08];
  const rest = [...enc("EC"), 4, ...enc("4242"), ...enc("VA"), 2, ...enc("EX"), ...enc("RV"), 2];
  const sum = [...bad, ...rest].reduce((a, b) => a + b, 0);
  const vpd = parseVpd(reader([...bad, ...rest, (256 - (sum & 0xff)) & 0xff, 0, ...END]));
  assert.deepEqual(vpd?.ro, { changeLevel: "4242", vendor: [{ index: "A", value: "EX" }] });
});

/** The VPD of libvirt's pci_0000_42_00_0_vpd.xml, as the card stores it. */
function blueField(): number[] {
  const field = (k: string, v: string) => [...enc(k), v.length, ...enc(v)];
  const name = enc(
    "BlueField-2 DPU 25GbE Dual-Port SFP56, Crypto Enabled, 16GB on-board DDR, " +
      "1GbE OOB management, Tall Bracket",
  );
  const ro = [
    ...field("EC", "B1"),
    ...field("MN", "foobar"),
    ...field("PN", "MBF2H332A-AEEOT"),
    ...field("SN", "MT2113X00000"),
    ...field("V0", "PCIeGen4 x8"),
    ...field("V2", "MBF2H332A-AEEOT"),
    ...field("V3", "3c53d07eec484d8aab34dabd24fe575aa"),
    ...field("VA", "MLX:MN=MLNX:CSKU=V2:UUID=V3:PCI=V0:MODL=BF2H332A"),
  ];
  const out = [0x82, name.length, 0, ...name, 0x90, ro.length + 4, 0, ...ro, ...enc("RV"), 1];
  out.push((256 - (out.reduce((a, b) => a + b, 0) & 0xff)) & 0xff);
  const rw = [
    ...field("YA", "fooasset"),
    ...field("V0", "vendorfield0"),
    ...field("V2", "vendorfield2"),
    ...field("VA", "vendorfieldA"),
    ...field("YB", "systemfieldB"),
    ...field("Y0", "systemfield0"),
    ...enc("RW"),
    0,
  ];
  return [...out, 0x91, rw.length, 0, ...rw, ...END];
}

Deno.test("a card's VPD in its PCI device's XML, as libvirt formats it", async () => {
  const root = await Deno.makeTempDir({ prefix: "evt-vpd-" });
  try {
    const dev = join(root, "devices/pci0000:40/0000:40:01.1/0000:42:00.0");
    Deno.mkdirSync(dev, { recursive: true });
    Deno.mkdirSync(join(root, "bus/pci/devices"), { recursive: true });
    Deno.symlinkSync(dev, join(root, "bus/pci/devices/0000:42:00.0"));
    Deno.symlinkSync(join(root, "bus/pci"), join(dev, "subsystem"));
    Deno.writeTextFileSync(join(dev, "uevent"), "PCI_CLASS=20000\n");
    Deno.writeTextFileSync(join(dev, "vendor"), "0x15b3\n");
    Deno.writeTextFileSync(join(dev, "device"), "0xa2d6\n");
    Deno.writeFileSync(join(dev, "vpd"), new Uint8Array(blueField()));
    const conn = await nodeDeviceDriver.open(new URL("qemu:///system"), {
      sysfsRoot: root,
      udevDataDir: join(root, "none"),
      privileged: false,
      ethtool: () => undefined,
    });
    try {
      const xml = await conn.nodeDeviceGetXMLDesc!({ name: "pci_0000_42_00_0" }, 0);
      const block = (text: string) => {
        const lines = text.split("\n");
        const start = lines.findIndex((l) => l.includes("<capability type='vpd'>"));
        const end = lines.findIndex((l, i) => i > start && l === "    </capability>");
        return lines.slice(start, end + 1).join("\n");
      };
      const libvirt = Deno.readTextFileSync(
        join(FIXTURES, "libvirt-nodedev/pci_0000_42_00_0_vpd.xml"),
      );
      assert.ok(block(libvirt).includes("<fields access='readwrite'>"));
      assert.equal(block(xml), block(libvirt));
      assert.deepEqual(await conn.nodeDeviceListCaps!({ name: "pci_0000_42_00_0" }), [
        "pci",
        "vpd",
      ]);
    } finally {
      await conn.connectClose();
    }
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
