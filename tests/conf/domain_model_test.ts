// The REST model of domains (typed disks, NICs and graphics) over libvirt 9.0's domain corpus:
// for every document libvirt accepts, JSON → XML gives the definition the XML gives, and so
// the same libvirt-canonical XML after the test driver's define; the model is a valid instance
// of its schema after a JSON trip; and what the typed fields do not cover is kept in `extra`.
import assert from "node:assert/strict";
import { join } from "node:path";
import { FIXTURES } from "../paths.ts";
import {
  DISK_MODEL,
  domainFromModel,
  DomainModelSchema,
  domainToModel,
  formatDomainXML,
  GRAPHICS_MODEL,
  parseDomainXML,
} from "../../conf/mod.ts";
import { parseTestDomain } from "../../drivers/simulator/conf_adapters.ts";
import { VIR } from "../../util/constants.ts";
import { elementSpec } from "../../conf/domain/schema.ts";
import { parse } from "../../util/xml/mod.ts";

const DIR = join(FIXTURES, "libvirt-xml/domain");

/** The test driver's define, then its inactive XML. */
const define = (xml: string) =>
  formatDomainXML(parseTestDomain(xml, false), VIR.DOMAIN_XML_INACTIVE);

const accepted = [...Deno.readDirSync(DIR)]
  .map((e) => e.name)
  .filter((n) => n.endsWith(".expected.xml"))
  .map((n) => n.slice(0, -".expected.xml".length))
  .sort();

Deno.test("JSON model → XML gives libvirt's canonical XML for every corpus document", async (t) => {
  const seen = { disks: 0, interfaces: 0, graphics: 0, typedTargets: 0, typedSources: 0 };
  for (const name of accepted) {
    await t.step(name, () => {
      const xml = Deno.readTextFileSync(`${DIR}/${name}.xml`);
      const expected = Deno.readTextFileSync(`${DIR}/${name}.expected.xml`);
      const def = parseDomainXML(xml);
      const model = JSON.parse(JSON.stringify(domainToModel(def)));
      assert.deepEqual(DomainModelSchema.parse(model), model, "not a valid instance");
      const back = domainFromModel(model);
      assert.deepEqual(back, JSON.parse(JSON.stringify(def)), "the definition changed");
      const viaJson = formatDomainXML(back, VIR.DOMAIN_XML_INACTIVE | VIR.DOMAIN_XML_SECURE);
      assert.equal(define(viaJson), expected);
      const { disks, interfaces, graphics, other } = model.devices;
      assert.equal(disks.length, expected.split("<disk ").length - 1);
      assert.equal(graphics.length, expected.split("<graphics ").length - 1);
      assert.ok(!other.some((d: { name: string }) => ["disk", "graphics"].includes(d.name)));
      seen.disks += disks.length;
      seen.interfaces += interfaces.length;
      seen.graphics += graphics.length;
      seen.typedTargets += disks.filter((d: { target?: unknown }) => d.target).length;
      seen.typedSources += disks.filter((d: { source?: unknown }) => d.source).length;
    });
  }
  // The corpus does exercise the typed fields (counts as of libvirt 9.0's corpus).
  assert.ok(seen.disks >= 25 && seen.interfaces >= 5 && seen.graphics >= 5, JSON.stringify(seen));
  assert.equal(seen.typedTargets, seen.disks, "a disk's target was not typed");
  assert.ok(seen.typedSources >= seen.disks / 2, JSON.stringify(seen));
});

Deno.test("a disk's typed fields, and what they do not cover kept in extra", () => {
  const xml = "<domain type='test'><name>d</name><memory>1024</memory><os><type>hvm</type></os>" +
    "<devices><disk type='network' device='disk'><driver name='qemu' type='raw'/>" +
    "<source protocol='nbd' name='export'><host name='nbd.example' port='10809'/></source>" +
    "<target dev='vda' bus='virtio'/><geometry cyls='16383' heads='16' secs='63'/>" +
    "<boot order='1'/><readonly/><serial>S1</serial>" +
    "<address type='pci' domain='0x0000' bus='0x00' slot='0x05' function='0x0'>" +
    "<zpci uid='0x0001' fid='0x00000000'/></address></disk>" +
    "<graphics type='spice' autoport='yes'><channel name='main' mode='secure'/></graphics>" +
    "</devices></domain>";
  const model = domainToModel(parseDomainXML(xml));
  const [disk] = model.devices.disks;
  assert.deepEqual(disk.source, {
    protocol: "nbd",
    name: "export",
    hosts: [{ name: "nbd.example", port: "10809" }],
  });
  assert.deepEqual([disk.type, disk.device, disk.target, disk.boot], [
    "network",
    "disk",
    { dev: "vda", bus: "virtio" },
    { order: "1" },
  ]);
  assert.deepEqual([disk.driver, disk.readonly, disk.serial], [
    { name: "qemu", type: "raw" },
    true,
    "S1",
  ]);
  // <geometry> has no typed field; this <address> has a child its attribute field cannot carry.
  assert.deepEqual(disk.extra?.map((e) => e.name), ["geometry", "address"]);
  const [graphics] = model.devices.graphics;
  // An autoport SPICE display listens on an address (libvirt 9.0 answers so; see the
  // graphics-spice-autoport-address-listen regression document).
  assert.deepEqual([graphics.type, graphics.autoport, graphics.listens], [
    "spice",
    true,
    [{ type: "address" }],
  ]);
  assert.deepEqual(graphics.extra?.map((e) => e.name), ["channel"]);
  assert.deepEqual(domainFromModel(model), parseDomainXML(xml));
});

Deno.test("unknown fields of the model, its nested objects and typed devices are refused, at their paths", () => {
  const def = domainToModel(parseDomainXML(
    "<domain type='test'><name>d</name><memory>1024</memory><os><type>hvm</type></os>" +
      "<devices><disk type='file'><source file='/a'/><target dev='sda' bus='scsi'/>" +
      "<address type='drive' unit='1'/></disk><graphics type='vnc'/></devices></domain>",
  ));
  const body = JSON.parse(JSON.stringify(def));
  body.devices.disks[0].cache = "none";
  body.devices.disks[0].target.size = "1G";
  // slot is an address attribute, but not of a drive address: the parser would drop it.
  body.devices.disks[0].address.slot = "3";
  body.devices.graphics[0].port = "5900";
  body.autostart = true;
  body.memory.hugepages = true;
  body.os.loader = "/x.fd";
  body.vcpu.hotpluggable = 2;
  const issues = DomainModelSchema.safeParse(body).error?.issues.map((i) =>
    `${i.path.join(".")} ${i.code === "unrecognized_keys" ? i.keys : i.code}`
  );
  assert.deepEqual(issues?.sort(), [
    " autostart",
    "devices.disks.0 cache",
    "devices.disks.0.address slot",
    "devices.disks.0.target size",
    "devices.graphics.0.port invalid_type",
    "memory hugepages",
    "os loader",
    "vcpu hotpluggable",
  ]);
  // An address takes the attributes of its own type.
  const address = { type: "pci", domain: "0", bus: "0", slot: "3", function: "0" };
  const disk = { ...def.devices.disks[0], address };
  assert.ok(DISK_MODEL.schema.safeParse(disk).success);
});

Deno.test("the typed attributes are exactly the ones conf keeps", () => {
  const disk = DISK_MODEL.toModel(parse(
    "<disk type='file' device='disk' model='virtio' rawio='no' sgio='filtered' snapshot='no'/>",
  ));
  assert.deepEqual(Object.keys(disk), elementSpec("devices", "disk")!.attrs);
  // A graphics attribute conf would keep but the model lacks is a programming error, not a loss.
  assert.throws(() => GRAPHICS_MODEL.toModel(parse("<graphics type='vnc' bogus='1'/>")), /bogus/);
  assert.throws(
    () => GRAPHICS_MODEL.toModel(parse("<graphics type='vnc' port='x'/>")),
    /Invalid value for attribute 'port' in element 'graphics': 'x'. Expected integer value/,
  );
});
