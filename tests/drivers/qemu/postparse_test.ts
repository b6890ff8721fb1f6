// The QEMU driver's defaults (default devices, PCI and USB addresses, q35 root ports, disk
// drivers, the default CPU model) and the live device aliases
// against the inactive XML libvirt 9.0's QEMU driver printed for the same input
// (fixtures/*.expected.xml, recorded with the oracle's `canon.sh --driver qemu`).
import assert from "node:assert/strict";
import { formatDomainXML, parseDomainXML } from "../../../conf/domain/mod.ts";
import { assignDeviceAliases } from "../../../drivers/qemu/alias.ts";
import { qemuPostParse } from "../../../drivers/qemu/postparse.ts";
import { releaseGraphicsPorts, setupGraphics } from "../../../drivers/qemu/graphics_setup.ts";
import { RECORDED_DEVICE_FIXTURES } from "./device_fixtures.ts";
import { VIR } from "../../../util/constants.ts";

const fixture = (name: string) =>
  Deno.readTextFileSync(new URL(`./fixtures/${name}`, import.meta.url));

Deno.test("i440fx with VNC: USB, PCI root, PS/2, audio, primary video, memballoon, qemu64", () => {
  const def = parseDomainXML(fixture("pc-vnc.xml"));
  qemuPostParse(def);
  assert.equal(formatDomainXML(def, VIR.DOMAIN_XML_INACTIVE), fixture("pc-vnc.expected.xml"));
});

const inactive = (name: string) => {
  const def = parseDomainXML(fixture(`${name}.xml`), 0, false, true);
  qemuPostParse(def);
  return formatDomainXML(def, VIR.DOMAIN_XML_INACTIVE);
};

for (
  const [name, what] of [
    [
      "q35-devices",
      "q35: a virtio NIC, the USB controller, a virtio disk, the balloon each on a root port",
    ],
    ["pc-devices", "i440fx: IDE on the PIIX3, NIC, virtio disk and balloon in slots 2-4"],
    ["q35-many", "q35 with a video at 00:01.0: seven root ports from slot 2, two NICs, two disks"],
    ["pc-many", "i440fx with a video in slot 2: NICs, disks, balloon from slot 3; USB ports 1-2"],
    ["q35-e1000", "q35: e1000 and rtl8139 on a pcie-to-pci-bridge in root port 1, from slot 1"],
    ["q35-pci-order", "q35: a bridge added after two root ports still sits in the first one"],
    ["q35-e1000-only", "q35: one e1000, its bridge, and the spare root port"],
    ["pc-sound", "i440fx: sound cards after the NICs, a USB one on the root hub, ISA none"],
    ["q35-sound", "q35: the first ICH9 card at 00:1b.0, other cards on the PCI bridge"],
    ["pc-rng-watchdog", "i440fx: RNGs after the balloon, then the i6300esb watchdog"],
    ["q35-rng-watchdog", "q35: an RNG on a root port, the ISA ib700 nowhere"],
    ["q35-watchdog-pci", "q35: the i6300esb in a PCI bridge's slot 1"],
    ["pc-fs", "i440fx: 9p shares first, from slot 2, then the NIC"],
    ["q35-fs", "q35: a 9p share on a root port, a transitional one on the PCI bridge"],
    ["q35-spice", "q35 as virt-manager makes it: QXL at 00:01.0, ICH9 audio, root ports last"],
    ["pc-spice", "i440fx: a secondary QXL card after the balloon"],
    ["pc-misc", "i440fx: an ISA serial port's model, a USB hub before the other USB devices"],
    ["pc-shmem-crypto", "i440fx: shared memory after the balloon, no <crypto> in libvirt 9.0"],
    ["q35-iommu", "q35: an Intel IOMMU, no PCI address"],
    ["q35-virtio-input", "q35: virtio inputs on root ports after the balloon"],
    ["pc-virtiofs", "i440fx: virtiofs shares with their queue, boot order and <binary>"],
    ["q35-virtiofs", "q35: a virtiofs share on a root port"],
  ]
) {
  Deno.test(`addresses as libvirt 9.0 assigns them, ${what}`, () => {
    assert.equal(inactive(name), fixture(`${name}.expected.xml`));
  });
}

Deno.test("live aliases: ua- kept, virtio-disk/sata0-0-N/usb-disk by target or drive address", () => {
  const def = parseDomainXML(fixture("q35-aliases.xml"));
  qemuPostParse(def);
  assignDeviceAliases(def);
  // libvirt's live XML also expands the CPU and adds runtime state: compare the devices' names
  // and places only.
  const names = (xml: string) =>
    xml.split("\n").filter((l) => /<alias |<target dev=|<address type=/.test(l)).join("\n");
  assert.equal(names(formatDomainXML(def, 0)), names(fixture("q35-aliases.live.xml")));
});

for (const name of RECORDED_DEVICE_FIXTURES) {
  Deno.test(`${name}: devices named and placed as in libvirt 9.0's live XML`, () => {
    const def = parseDomainXML(fixture(`${name}.xml`), 0, false, true);
    qemuPostParse(def);
    assignDeviceAliases(def);
    const names = (xml: string) =>
      xml.split("\n").filter((l) => /<alias |<address type=|<codec |<audio /.test(l)).join("\n");
    assert.equal(names(formatDomainXML(def, 0)), names(fixture(`${name}.live.xml`)));
  });
}

Deno.test("q35-spice: the live <graphics> of a started SPICE server as libvirt 9.0's", () => {
  const def = parseDomainXML(fixture("q35-spice.xml"), 0, false, true);
  qemuPostParse(def);
  setupGraphics(def);
  try {
    const graphics = (xml: string) =>
      xml.match(/<graphics[\s\S]*?<\/graphics>/)?.[0].replace(/port='\d+'/, "port='P'");
    assert.ok(graphics(fixture("q35-spice.live.xml")));
    assert.equal(graphics(formatDomainXML(def, 0)), graphics(fixture("q35-spice.live.xml")));
  } finally {
    releaseGraphicsPorts(def);
  }
});
