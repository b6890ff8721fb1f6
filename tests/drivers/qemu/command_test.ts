import assert from "node:assert/strict";
import { parseDomainXML } from "../../../conf/domain/mod.ts";
import { buildQemuArgv, optValue, smpArg } from "../../../drivers/qemu/command/mod.ts";
import { vcpusFromDef } from "../../../drivers/qemu/hotplug/mod.ts";
import { qemuPostParse } from "../../../drivers/qemu/postparse.ts";
import { assignDeviceAliases } from "../../../drivers/qemu/alias.ts";
import { assignChannelPath } from "../../../drivers/qemu/channel_dir.ts";
import { numberDiskSources } from "../../../drivers/qemu/disk_chains.ts";

function argvOf(xml: string, monitorPath = "/run/ev/vm.qmp") {
  const def = parseDomainXML(xml);
  qemuPostParse(def);
  // The driver names the devices and places the channel sockets just before it builds the
  // command line.
  assignDeviceAliases(def);
  for (const dev of def.devices.other) assignChannelPath(dev, "/run/ev/channel/domain-1-vm");
  numberDiskSources(def);
  return buildQemuArgv(def, vcpusFromDef(def).vcpus, {
    monitorPath,
    accel: "tcg",
    memoryDir: "/run/ram/1-vm",
  });
}

const after = (argv: string[], flag: string) => argv[argv.indexOf(flag) + 1];

Deno.test("a disk-less domain: fixed options, QMP socket, TCG, no display", () => {
  const argv = argvOf(
    "<domain type='qemu'><name>vm</name><memory unit='MiB'>128</memory><vcpu>2</vcpu>" +
      "<os><type>hvm</type></os></domain>",
  );
  for (const f of ["-S", "-no-user-config", "-nodefaults"]) assert.ok(argv.includes(f), f);
  assert.equal(after(argv, "-machine"), "pc-i440fx-7.2,usb=off");
  assert.equal(after(argv, "-accel"), "tcg");
  assert.equal(after(argv, "-m"), "size=131072k");
  assert.equal(after(argv, "-smp"), "2,maxcpus=2,sockets=2,dies=1,cores=1,threads=1");
  assert.equal(after(argv, "-display"), "none");
  assert.equal(after(argv, "-qmp"), "unix:/run/ev/vm.qmp,server=on,wait=off");
});

Deno.test("-smp counts only online vCPUs that are not hotpluggable", () => {
  const def = parseDomainXML(
    "<domain type='qemu'><name>vm</name><memory>131072</memory><vcpu current='3'>4</vcpu>" +
      "<vcpus><vcpu id='0' enabled='yes' hotpluggable='no'/>" +
      "<vcpu id='1' enabled='yes' hotpluggable='no'/><vcpu id='2' enabled='yes' hotpluggable='yes'/>" +
      "<vcpu id='3' enabled='no' hotpluggable='yes'/></vcpus><os><type>hvm</type></os>" +
      "<cpu><topology sockets='2' dies='1' cores='2' threads='1'/></cpu></domain>",
  );
  assert.equal(
    smpArg(def, vcpusFromDef(def).vcpus),
    "2,maxcpus=4,sockets=2,dies=1,cores=2,threads=1",
  );
});

Deno.test("commas in names and paths are doubled, so they never inject options", () => {
  assert.equal(optValue("a,b,,c"), "a,,b,,,,c");
  const argv = argvOf(
    "<domain type='qemu'><name>x,debug-threads=off</name><memory>131072</memory><vcpu>1</vcpu>" +
      "<os><type>hvm</type></os><devices>" +
      "<disk type='file' device='disk'><driver name='qemu' type='qcow2'/>" +
      "<source file='/img/a,file=/etc/shadow.qcow2'/><target dev='vda' bus='virtio'/></disk>" +
      "<serial type='file'><source path='/log/s,x.log'/><target port='0'/></serial>" +
      "<interface type='user'><mac address='52:54:00:11:22:33'/><model type='virtio'/></interface>" +
      "<graphics type='vnc' port='5905' autoport='no'/><memballoon model='virtio'/>" +
      "</devices></domain>",
    "/run/a,b.qmp",
  );
  assert.equal(after(argv, "-name"), "guest=x,,debug-threads=off,debug-threads=on");
  assert.equal(after(argv, "-qmp"), "unix:/run/a,,b.qmp,server=on,wait=off");
  // A path is a JSON string in -blockdev: a comma in it is no option separator.
  assert.equal(JSON.parse(after(argv, "-blockdev")).filename, "/img/a,file=/etc/shadow.qcow2");
  assert.ok(
    argv.includes(
      "virtio-blk-pci,drive=libvirt-1-format,id=virtio-disk0,bus=pci.0,addr=0x4,bootindex=1",
    ),
  );
  assert.equal(after(argv, "-chardev"), "file,id=charserial0,path=/log/s,,x.log");
  assert.equal(after(argv, "-serial"), "chardev:charserial0");
  assert.equal(after(argv, "-vnc"), "127.0.0.1:5");
  assert.equal(after(argv, "-netdev"), "user,id=hostnet0");
  assert.ok(
    argv.includes(
      "virtio-net-pci,netdev=hostnet0,id=net0,mac=52:54:00:11:22:33,bus=pci.0,addr=0x3",
    ),
  );
  assert.ok(argv.includes("virtio-balloon-pci,id=balloon0,bus=pci.0,addr=0x5"));
});

/** QEMU's `key=value,…` option string as a map (`,,` is a literal comma). */
function keyval(opt: string): Map<string, string> {
  const parts = opt.replaceAll(",,", "\0").split(",").map((p) => p.replaceAll("\0", ","));
  const map = new Map([["driver", parts[0]]]);
  for (const p of parts.slice(1)) {
    const eq = p.indexOf("=");
    map.set(p.slice(0, eq), p.slice(eq + 1));
  }
  return map;
}

/**
 * The placement of every `-device` that names a bus, by id: driver, bus, addr, unit or port, and
 * bootindex.
 */
function placements(devices: Map<string, string>[]): Record<string, string> {
  const keys = [
    "driver",
    "bus",
    "addr",
    "multifunction",
    "unit",
    "port",
    "chassis",
    "bootindex",
    "nr",
    "chardev",
    "name",
  ];
  return Object.fromEntries(
    devices.filter((d) => d.has("bus")).map((d) => [
      d.get("id")!,
      keys.filter((k) => d.has(k)).map((k) => `${k}=${d.get(k)}`).join(" "),
    ]),
  );
}

const fixtures = new URL("./fixtures/", import.meta.url);
const argvFixtures = [
  "pc-vnc",
  "pc-devices",
  "pc-many",
  "pc-boot",
  "q35-devices",
  "q35-many",
  "q35-aliases",
  "q35-bootorder",
  "pc-agent",
  "iothreads",
  "q35-e1000",
  "q35-pci-order",
  "q35-e1000-only",
];
for (const name of argvFixtures) {
  Deno.test(`${name}: devices sit where libvirt 9.0's command line puts them`, async () => {
    // Recorded by fixtures/record_argv.sh from the oracle's real start of the same XML.
    const libvirt = (await Deno.readTextFile(new URL(`${name}.argv`, fixtures))).split("\n");
    const ours = argvOf(await Deno.readTextFile(new URL(`${name}.xml`, fixtures)));
    const theirs = libvirt.flatMap((a, i) =>
      libvirt[i - 1] === "-device" ? [JSON.parse(a) as Record<string, unknown>] : []
    ).map((d) =>
      new Map(
        Object.entries(d).map(([k, v]) => [k, v === true ? "on" : String(v)]),
      )
    );
    const mine = ours.flatMap((a, i) => ours[i - 1] === "-device" ? [keyval(a)] : []);
    const expected = placements(theirs);
    assert.ok(Object.keys(expected).length >= 3, "the fixture places devices");
    assert.deepEqual(placements(mine), expected);
    assert.equal(ours.includes("-no-acpi"), libvirt.includes("-no-acpi"));
    assert.equal(after(ours, "-boot"), after(libvirt, "-boot"));
  });
}

Deno.test("-no-acpi only without <features><acpi/>", () => {
  const xml = (features: string) =>
    `<domain type='qemu'><name>vm</name><memory>131072</memory><vcpu>1</vcpu>` +
    `<os><type>hvm</type></os>${features}</domain>`;
  assert.ok(argvOf(xml("")).includes("-no-acpi"));
  assert.ok(argvOf(xml("<features><pae/></features>")).includes("-no-acpi"));
  assert.ok(!argvOf(xml("<features><acpi/><apic/></features>")).includes("-no-acpi"));
});

Deno.test("a memballoon's virtio <driver> options become its device properties", () => {
  const argv = argvOf(
    "<domain type='qemu'><name>vm</name><memory>131072</memory><vcpu>1</vcpu>" +
      "<os><type>hvm</type></os><devices><memballoon model='virtio'>" +
      "<driver iommu='on' page_per_vq='off'/></memballoon></devices></domain>",
  );
  const balloon = argv.find((a) => a.startsWith("virtio-balloon-pci"));
  assert.ok(balloon?.endsWith(",iommu_platform=on,page-per-vq=off"), balloon);
});

Deno.test("-vnc carries where VNC listens, its password switch, sharing and power control", () => {
  const vnc = (attrs: string) =>
    argvOf(
      "<domain type='qemu'><name>vm</name><memory unit='MiB'>128</memory>" +
        `<os><type>hvm</type></os><devices><graphics type='vnc' port='5905' ${attrs}/>` +
        "</devices></domain>",
    );
  assert.equal(after(vnc(""), "-vnc"), "127.0.0.1:5");
  // Where it listens and its websocket, as qemuBuildGraphicsVNCCommandLine writes them.
  assert.equal(after(vnc("listen='0.0.0.0' websocket='5705'"), "-vnc"), "0.0.0.0:5,websocket=5705");
  const listening = (listen: string) =>
    after(
      argvOf(
        "<domain type='qemu'><name>vm</name><memory unit='MiB'>128</memory>" +
          `<os><type>hvm</type></os><devices><graphics type='vnc' port='5905'>${listen}` +
          "</graphics></devices></domain>",
      ),
      "-vnc",
    );
  assert.equal(listening("<listen type='address' address='::1'/>"), "[::1]:5");
  assert.equal(listening("<listen type='socket' socket='/run/a,b.sock'/>"), "unix:/run/a,,b.sock");
  assert.equal(listening("<listen type='none'/>"), "none");
  assert.throws(() => listening("<listen type='network' network='default'/>"), {
    message: "unsupported configuration: VNC listen type 'network' without an address is not " +
      "supported with this QEMU",
  });
  // A password (given over QMP once QEMU runs), the sharing policy, power control and the
  // keymap, in qemuBuildGraphicsVNCCommandLine's order (vnc_password_test.ts compares them with
  // libvirt's recorded command line).
  const all = vnc(
    "passwd='x' passwdValidTo='2016-07-11T00:17:00' keymap='de' sharePolicy='force-shared' " +
      "powerControl='no'",
  );
  assert.equal(after(all, "-vnc"), "127.0.0.1:5,share=force-shared,password=on,power-control=off");
  assert.equal(after(all, "-k"), "de");
  assert.ok(!vnc("").includes("-k"));
});

Deno.test("-vnc and -k are libvirt 9.0's for a password, keymap, sharing and power control", async () => {
  // Recorded by fixtures/record_argv.sh from the oracle's real start of the same XML.
  const libvirt = (await Deno.readTextFile(new URL("pc-vnc-password.argv", fixtures))).split("\n");
  const ours = argvOf(await Deno.readTextFile(new URL("pc-vnc-password.xml", fixtures)));
  // libvirt allocates the autoport itself (display 0 here) and names its audio backend; the
  // driver lets QEMU pick a display from 0 and runs no audio backend.
  assert.equal(
    after(ours, "-vnc").replace(":0,to=99", ":0"),
    after(libvirt, "-vnc").replace(/,audiodev=[^,]+/, ""),
  );
  assert.equal(after(ours, "-k"), after(libvirt, "-k"));
});

Deno.test("a USB companion controller joins its master's bus at its first port", () => {
  const xml = (companion: string) =>
    "<domain type='qemu'><name>vm</name><memory>131072</memory><vcpu>1</vcpu>" +
    "<os><type>hvm</type></os><devices><controller type='usb' index='0' model='qemu-xhci'>" +
    `${pci(4)}</controller>${companion}</devices></domain>`;
  const pci = (slot: number) => `<address type='pci' domain='0' bus='0' slot='${slot}'/>`;
  const argv = argvOf(
    xml(
      `<controller type='usb' index='0' model='piix3-uhci'><master startport='2'/>${pci(5)}` +
        "</controller>",
    ),
  );
  const uhci = argv.find((a) => a.startsWith("piix3-usb-uhci"));
  assert.match(uhci ?? "", /^piix3-usb-uhci,masterbus=usb\.0,firstport=2,bus=/);
  // Without a master of its index, libvirt's error rather than a bus of its own.
  assert.throws(
    () =>
      argvOf(xml(
        `<controller type='usb' index='1' model='piix3-uhci'><master startport='0'/>${pci(5)}` +
          "</controller>",
      )),
    /masterbus not found/,
  );
});

Deno.test("NUMA memory-side caches and interconnects (HMAT) are refused, not dropped", () => {
  const xml = (numa: string) =>
    "<domain type='qemu'><name>vm</name><memory>262144</memory><vcpu>2</vcpu>" +
    `<os><type>hvm</type></os><cpu><numa>${numa}</numa></cpu></domain>`;
  const cells = "<cell id='0' cpus='0' memory='131072'/><cell id='1' cpus='1' memory='131072'/>";
  assert.ok(argvOf(xml(cells)).includes("-numa"));
  const links = "<interconnects><latency initiator='0' target='1' type='access' value='5'/>" +
    "</interconnects>";
  assert.throws(() => argvOf(xml(cells + links)), /HMAT is not supported with this QEMU/);
  const cache = "<cell id='0' cpus='0' memory='131072'><cache level='1' associativity='direct' " +
    "policy='writeback'><size value='8'/><line value='64'/></cache></cell>" +
    "<cell id='1' cpus='1' memory='131072'/>";
  assert.throws(() => argvOf(xml(cache)), /HMAT is not supported with this QEMU/);
});

Deno.test("a PCI root's 64-bit hole sizes its host bridge, in KiB", () => {
  const argv = argvOf(
    "<domain type='qemu'><name>vm</name><memory>131072</memory><vcpu>1</vcpu>" +
      "<os><type machine='pc'>hvm</type></os><devices><controller type='pci' index='0' " +
      "model='pci-root'><pcihole64 unit='MiB'>1</pcihole64></controller></devices></domain>",
  );
  assert.equal(after(argv, "-global"), "i440FX-pcihost.pci-hole64-size=1024K");
});
