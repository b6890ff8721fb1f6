import assert from "node:assert/strict";
import { parseDomainXML } from "../../../conf/domain/mod.ts";
import { buildQemuArgv, optValue, smpArg } from "../../../drivers/qemu/command/mod.ts";
import { vcpusFromDef } from "../../../drivers/qemu/hotplug/mod.ts";
import { qemuPostParse } from "../../../drivers/qemu/postparse.ts";
import { assignDeviceAliases } from "../../../drivers/qemu/alias.ts";
import { assignChannelPath } from "../../../drivers/qemu/channel_dir.ts";
import { numberDiskSources } from "../../../drivers/qemu/disk_chains.ts";
import { releaseGraphicsPorts, setupGraphics } from "../../../drivers/qemu/graphics_setup.ts";
import { RECORDED_DEVICE_FIXTURES } from "./device_fixtures.ts";

function argvOf(xml: string, monitorPath = "/run/ev/vm.qmp") {
  const def = parseDomainXML(xml, 0, false, true);
  qemuPostParse(def);
  // The driver names the devices and places the channel sockets just before it builds the
  // command line.
  assignDeviceAliases(def);
  for (const dev of def.devices.other) assignChannelPath(dev, "/run/ev/channel/domain-1-vm");
  numberDiskSources(def);
  // The listen addresses and SPICE ports, given back at once: nothing runs here.
  setupGraphics(def);
  try {
    return buildQemuArgv(def, vcpusFromDef(def).vcpus, {
      monitorPath,
      accel: "tcg",
      memoryDir: "/run/ram/1-vm",
      tpmSocket: "/run/ev/swtpm/1-vm-swtpm.sock",
    });
  } finally {
    releaseGraphicsPorts(def);
  }
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
  assert.equal(after(argv, "-vnc"), "127.0.0.1:5,audiodev=audio1");
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

/** A recorded command line's `-device` JSON objects as maps, as {@link keyval} reads ours. */
const jsonDevices = (argv: string[]) =>
  argv.flatMap((a, i) =>
    argv[i - 1] === "-device" ? [JSON.parse(a) as Record<string, unknown>] : []
  )
    .map((d) => new Map(Object.entries(d).map(([k, v]) => [k, v === true ? "on" : String(v)])));

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
  ...RECORDED_DEVICE_FIXTURES,
];
for (const name of argvFixtures) {
  Deno.test(`${name}: devices sit where libvirt 9.0's command line puts them`, async () => {
    // Recorded by fixtures/record_argv.sh from the oracle's real start of the same XML.
    const libvirt = (await Deno.readTextFile(new URL(`${name}.argv`, fixtures))).split("\n");
    const ours = argvOf(await Deno.readTextFile(new URL(`${name}.xml`, fixtures)));
    const theirs = jsonDevices(libvirt);
    const mine = ours.flatMap((a, i) => ours[i - 1] === "-device" ? [keyval(a)] : []);
    const expected = placements(theirs);
    assert.ok(Object.keys(expected).length >= 3, "the fixture places devices");
    assert.deepEqual(placements(mine), expected);
    assert.equal(ours.includes("-no-acpi"), libvirt.includes("-no-acpi"));
    assert.equal(after(ours, "-boot"), after(libvirt, "-boot"));
  });
}

for (const name of ["pc-sound", "q35-sound"]) {
  Deno.test(`${name}: audio backends, sound cards and codecs as libvirt 9.0 starts them`, async () => {
    // Recorded by fixtures/record_argv.sh from the oracle's real start of the same XML.
    const libvirt = (await Deno.readTextFile(new URL(`${name}.argv`, fixtures))).split("\n");
    const ours = argvOf(await Deno.readTextFile(new URL(`${name}.xml`, fixtures)));
    const audiodevs = (argv: string[]) =>
      argv.flatMap((a, i) => argv[i - 1] === "-audiodev" ? [JSON.parse(a)] : []);
    assert.deepEqual(audiodevs(ours), audiodevs(libvirt));
    assert.ok(audiodevs(ours).length >= 1);
    // libvirt allocates the VNC display itself; the driver lets QEMU pick one from 0.
    assert.equal(after(ours, "-vnc").replace(":0,to=99", ":0"), after(libvirt, "-vnc"));
    const sounds = (devices: Map<string, string>[]) =>
      devices.filter((d) => d.get("id")?.startsWith("sound")).map((d) =>
        Object.fromEntries([...d].sort(([a], [b]) => a.localeCompare(b)))
      );
    const mine = sounds(ours.flatMap((a, i) => ours[i - 1] === "-device" ? [keyval(a)] : []));
    assert.ok(mine.length >= 4);
    assert.deepEqual(mine, sounds(jsonDevices(libvirt)));
  });
}

/** A domain with the given devices, for the refusals below. */
const withDevices = (devices: string) =>
  "<domain type='qemu'><name>vm</name><memory unit='MiB'>128</memory>" +
  `<os><type arch='x86_64'>hvm</type></os><devices>${devices}</devices></domain>`;

Deno.test("sound cards: the PC speaker as libvirt 9.0 writes it, ICH7 refused as libvirt", () => {
  assert.equal(after(argvOf(withDevices("<sound model='pcspk'/>")), "-soundhw"), "pcspk");
  // libvirt 9.0's answers to the same definitions (canon.sh --driver qemu).
  assert.throws(() => argvOf(withDevices("<sound model='ich7'/>")), {
    message:
      "internal error: Cannot automatically add a new PCI bus for a device with connect flags 00",
  });
  assert.throws(
    () =>
      argvOf(
        withDevices(
          "<sound model='ich7'><address type='pci' domain='0' bus='0' slot='5' function='0'/>" +
            "</sound>",
        ),
      ),
    { message: "internal error: sound card model 'ich7' is not supported by qemu" },
  );
});

for (const name of ["pc-rng-watchdog", "q35-rng-watchdog", "q35-watchdog-pci"]) {
  Deno.test(`${name}: RNG backends and devices, the watchdog and its action as libvirt 9.0's`, async () => {
    // Recorded by fixtures/record_argv.sh from the oracle's real start of the same XML.
    const libvirt = (await Deno.readTextFile(new URL(`${name}.argv`, fixtures))).split("\n");
    const ours = argvOf(await Deno.readTextFile(new URL(`${name}.xml`, fixtures)));
    const values = (argv: string[], flag: string) => argv.filter((_, i) => argv[i - 1] === flag);
    assert.deepEqual(
      values(ours, "-object").filter((o) => o.includes('"rng-')),
      values(libvirt, "-object").filter((o) => o.includes('"rng-')),
    );
    assert.deepEqual(values(ours, "-watchdog-action"), values(libvirt, "-watchdog-action"));
    // libvirt opens a bound socket itself and hands QEMU its fd; the driver gives the path.
    assert.deepEqual(
      values(ours, "-chardev").filter((c) => c.includes("charrng")).map((c) =>
        c.replace(/path=[^,]+/, "fd")
      ),
      values(libvirt, "-chardev").filter((c) => c.includes("charrng")).map((c) =>
        c.replace(/fd=\d+/, "fd")
      ),
    );
    const props = (devices: Map<string, string>[]) =>
      devices.filter((d) => /^(rng|watchdog)\d/.test(d.get("id") ?? "")).map((d) =>
        Object.fromEntries(
          [...d].map(([k, v]) => [k, v === "false" ? "off" : v]).sort(([a], [b]) =>
            a.localeCompare(b)
          ),
        )
      );
    const mine = props(ours.flatMap((a, i) => ours[i - 1] === "-device" ? [keyval(a)] : []));
    assert.ok(mine.length >= 2);
    assert.deepEqual(mine, props(jsonDevices(libvirt)));
  });
}

for (const name of ["pc-fs", "q35-fs"]) {
  Deno.test(`${name}: 9p shares' -fsdev and devices as libvirt 9.0 starts them`, async () => {
    // Recorded by fixtures/record_argv.sh from the oracle's real start of the same XML.
    const libvirt = (await Deno.readTextFile(new URL(`${name}.argv`, fixtures))).split("\n");
    const ours = argvOf(await Deno.readTextFile(new URL(`${name}.xml`, fixtures)));
    const values = (argv: string[], flag: string) => argv.filter((_, i) => argv[i - 1] === flag);
    assert.ok(values(libvirt, "-fsdev").length >= 2);
    assert.deepEqual(values(ours, "-fsdev"), values(libvirt, "-fsdev"));
    const shares = (devices: Map<string, string>[]) =>
      devices.filter((d) => d.get("id")?.startsWith("fs")).map((d) =>
        Object.fromEntries(
          [...d].map(([k, v]) => [k, v === "false" ? "off" : v]).sort(([a], [b]) =>
            a.localeCompare(b)
          ),
        )
      );
    assert.deepEqual(
      shares(ours.flatMap((a, i) => ours[i - 1] === "-device" ? [keyval(a)] : [])),
      shares(jsonDevices(libvirt)),
    );
  });
}

Deno.test("pc-chardev: serial ports' and channels' backends as libvirt 9.0 starts them", async () => {
  // Recorded by fixtures/record_argv.sh from the oracle's real start of the same XML.
  const libvirt = (await Deno.readTextFile(new URL("pc-chardev.argv", fixtures))).split("\n");
  const ours = argvOf(await Deno.readTextFile(new URL("pc-chardev.xml", fixtures)));
  const chardevs = (argv: string[]) =>
    argv.filter((a, i) => argv[i - 1] === "-chardev" && !a.includes("charmonitor"));
  // libvirt opens files, log files and listening unix sockets itself and passes descriptors
  // (fd=N, /dev/fdset/N with append=on); the driver names the paths and QEMU opens them.
  const passed = /^(fd=\d+|(path|logfile)=\/dev\/fdset\/\d+|(log)?append=on)$/;
  const opened =
    /^(path|logfile)=\/tmp\/ev-chardev-(serial\d\.(log|sock))$|^(log)?append=(on|off)$/;
  const without = (list: string[], drop: RegExp) =>
    list.map((c) => c.split(",").filter((t) => !drop.test(t)).join(","));
  assert.equal(chardevs(libvirt).length, 8);
  assert.deepEqual(without(chardevs(ours), opened), without(chardevs(libvirt), passed));
  // What the descriptors stand for: the XML's paths, appended to or not as it says.
  assert.ok(
    chardevs(ours).includes(
      "socket,id=charserial0,host=127.0.0.1,port=45551,telnet=on,server=on,wait=off," +
        "logfile=/tmp/ev-chardev-serial0.log,logappend=on",
    ),
  );
  assert.ok(
    chardevs(ours).includes(
      "socket,id=charserial2,path=/tmp/ev-chardev-serial2.sock,server=on,wait=off",
    ),
  );
  assert.ok(
    chardevs(ours).includes("file,id=charserial3,path=/tmp/ev-chardev-serial3.log,append=off"),
  );
});

for (const name of ["q35-spice", "pc-spice"]) {
  Deno.test(`${name}: -spice, QXL cards, SPICE channels and USB redirection as libvirt 9.0's`, async () => {
    // Recorded by fixtures/record_argv.sh from the oracle's real start of the same XML.
    const libvirt = (await Deno.readTextFile(new URL(`${name}.argv`, fixtures))).split("\n");
    const ours = argvOf(await Deno.readTextFile(new URL(`${name}.xml`, fixtures)));
    // libvirt's allocator and the driver's hand out the first free display port: 5900 on a
    // quiet host, another here if something holds it.
    const spice = (argv: string[]) => after(argv, "-spice").replace(/^port=59\d\d,/, "port=P,");
    assert.equal(spice(ours), spice(libvirt));
    assert.equal(after(ours, "-k"), after(libvirt, "-k"));
    const values = (argv: string[], flag: string) => argv.filter((_, i) => argv[i - 1] === flag);
    const chardevs = (argv: string[]) =>
      values(argv, "-chardev").filter((c) => !c.includes("monitor"));
    assert.deepEqual(chardevs(ours), chardevs(libvirt));
    assert.deepEqual(values(ours, "-audiodev"), values(libvirt, "-audiodev"));
    const devices = (list: Map<string, string>[]) =>
      list.filter((d) => /^(video|redir)\d/.test(d.get("id") ?? "")).map((d) =>
        Object.fromEntries([...d].sort(([a], [b]) => a.localeCompare(b)))
      );
    const mine = devices(ours.flatMap((a, i) => ours[i - 1] === "-device" ? [keyval(a)] : []));
    assert.ok(mine.length >= 2);
    assert.deepEqual(mine, devices(jsonDevices(libvirt)));
  });
}

Deno.test("SPICE refused where libvirt 9.0 refuses it (no TLS configured)", () => {
  const spice = (attrs: string, inner = "") =>
    withDevices(`<graphics type='spice' ${attrs}>${inner}</graphics>`);
  for (
    const [xml, message] of [
      [
        spice("port='5901' tlsPort='5902'"),
        "spice TLS port set in XML configuration, but TLS is disabled in qemu.conf",
      ],
      [
        spice("autoport='yes' defaultMode='secure'"),
        "Auto allocation of spice TLS port requested but spice TLS is disabled in qemu.conf",
      ],
      [
        spice("port='5901' defaultMode='secure'"),
        "spice defaultMode secure requested in XML configuration, but TLS connection is not available",
      ],
      [
        spice("port='5901'", "<channel name='main' mode='secure'/>"),
        "spice secure channels set in XML configuration, but TLS connection is not available",
      ],
      [
        withDevices("<audio id='1' type='spice'/>"),
        "Spice audio is not supported without spice graphics",
      ],
    ]
  ) {
    assert.throws(() => argvOf(xml), { message: `unsupported configuration: ${message}` });
  }
});

Deno.test("pc-misc: parallel ports, virtio consoles and a USB hub as libvirt 9.0 starts them", async () => {
  // Recorded by fixtures/record_argv.sh from the oracle's real start of the same XML.
  const libvirt = (await Deno.readTextFile(new URL("pc-misc.argv", fixtures))).split("\n");
  const ours = argvOf(await Deno.readTextFile(new URL("pc-misc.xml", fixtures)));
  const devices = (list: Map<string, string>[]) =>
    list.filter((d) => /^(parallel|console|hub)\d/.test(d.get("id") ?? "")).map((d) =>
      Object.fromEntries([...d].sort(([a], [b]) => a.localeCompare(b)))
    );
  const mine = devices(ours.flatMap((a, i) => ours[i - 1] === "-device" ? [keyval(a)] : []));
  assert.equal(mine.length, 5);
  assert.deepEqual(mine, devices(jsonDevices(libvirt)));
  // The hub is plugged before any device that could sit behind it.
  const at = (argv: string[], driver: string) => argv.findIndex((a) => a.includes(driver));
  assert.ok(at(ours, "usb-hub") < at(ours, "usb-kbd"));
  // libvirt passes the file and the bound socket as descriptors; the driver gives the paths.
  const chardevs = (argv: string[]) =>
    argv.filter((a, i) => argv[i - 1] === "-chardev" && /char(parallel|console)/.test(a));
  assert.deepEqual(chardevs(ours), [
    "pty,id=charparallel0",
    "file,id=charparallel1,path=/tmp/ev-misc-parallel.log",
    "pty,id=charconsole1",
    "socket,id=charconsole2,path=/tmp/ev-misc-console.sock,server=on,wait=off",
  ]);
  assert.deepEqual(
    chardevs(libvirt).map((c) => c.replace(/,path=\/dev\/fdset\/\d+,append=on|,fd=\d+/, "")),
    chardevs(ours).map((c) => c.replace(/,path=[^,]+/, "")),
  );
});

Deno.test("pc-shmem-crypto: shared memory regions and their devices as libvirt 9.0's", async () => {
  // Recorded by fixtures/record_argv.sh from the oracle's real start of the same XML.
  const libvirt = (await Deno.readTextFile(new URL("pc-shmem-crypto.argv", fixtures))).split("\n");
  const ours = argvOf(await Deno.readTextFile(new URL("pc-shmem-crypto.xml", fixtures)));
  const objects = (argv: string[]) =>
    argv.filter((a, i) => argv[i - 1] === "-object" && a.includes("shmmem")).map((o) =>
      JSON.parse(o)
    );
  assert.equal(objects(libvirt).length, 2);
  assert.deepEqual(objects(ours), objects(libvirt));
  const devices = (list: Map<string, string>[]) =>
    list.filter((d) => d.get("id")?.startsWith("shmem")).map((d) => Object.fromEntries(d));
  assert.deepEqual(
    devices(ours.flatMap((a, i) => ours[i - 1] === "-device" ? [keyval(a)] : [])),
    devices(jsonDevices(libvirt)),
  );
  // The legacy model is gone from QEMU 7.2 (canon.sh --driver qemu).
  assert.throws(() => argvOf(withDevices("<shmem name='x'/>")), {
    message: "unsupported configuration: ivshmem device is not supported with this QEMU binary",
  });
});

Deno.test("q35-iommu: the Intel IOMMU first, the split I/O APIC on -machine, as libvirt 9.0", async () => {
  // Recorded by fixtures/record_argv.sh from the oracle's real start of the same XML.
  const libvirt = (await Deno.readTextFile(new URL("q35-iommu.argv", fixtures))).split("\n");
  const ours = argvOf(await Deno.readTextFile(new URL("q35-iommu.xml", fixtures)));
  const devices = (argv: string[]) => argv.filter((_, i) => argv[i - 1] === "-device");
  assert.deepEqual(
    Object.fromEntries(keyval(devices(ours)[0])),
    Object.fromEntries(jsonDevices(libvirt)[0]),
  );
  assert.equal(jsonDevices(libvirt)[0].get("driver"), "intel-iommu");
  // libvirt's -machine also names its RAM backend and dump-guest-core, which this driver leaves
  // to QEMU's defaults; the features part is the same.
  const features = (argv: string[]) =>
    after(argv, "-machine").split(",").filter((o) => /^(vmport|smm|kernel_irqchip)=/.test(o));
  assert.deepEqual(features(ours), features(libvirt));
  assert.deepEqual(features(ours), ["kernel_irqchip=split"]);
  // libvirt 9.0's answer to the same definition on i440fx (canon.sh --driver qemu).
  assert.throws(() => argvOf(withDevices("<iommu model='intel'/>")), {
    message: "unsupported configuration: IOMMU device: 'intel' is only supported with Q35 machines",
  });
  const vmport = argvOf(
    "<domain type='qemu'><name>vm</name><memory unit='MiB'>128</memory><os><type>hvm</type></os>" +
      "<features><vmport state='off'/></features></domain>",
  );
  assert.match(after(vmport, "-machine"), /,usb=off,vmport=off/);
});

Deno.test("q35-virtio-input: virtio mouse, tablet and keyboard as libvirt 9.0 starts them", async () => {
  // Recorded by fixtures/record_argv.sh from the oracle's real start of the same XML.
  const libvirt = (await Deno.readTextFile(new URL("q35-virtio-input.argv", fixtures))).split("\n");
  const ours = argvOf(await Deno.readTextFile(new URL("q35-virtio-input.xml", fixtures)));
  const inputs = (list: Map<string, string>[]) =>
    list.filter((d) => d.get("id")?.startsWith("input")).map((d) =>
      Object.fromEntries([...d].map(([k, v]) => [k, v === "false" ? "off" : v]))
    );
  const mine = inputs(ours.flatMap((a, i) => ours[i - 1] === "-device" ? [keyval(a)] : []));
  assert.equal(mine.length, 3);
  assert.deepEqual(mine, inputs(jsonDevices(libvirt)));
  // libvirt 9.0's answer to a transitional model (canon.sh --driver qemu).
  assert.throws(
    () => argvOf(withDevices("<input type='mouse' bus='virtio' model='virtio-transitional'/>")),
    {
      message: "unsupported configuration: virtio (non-)transitional models are not supported " +
        "for input type=mouse",
    },
  );
});

Deno.test("a reconnecting chardev needs a timeout, as libvirt 9.0 says", () => {
  assert.throws(
    () =>
      argvOf(
        withDevices(
          "<channel type='unix'><source mode='connect' path='/tmp/x.sock'>" +
            "<reconnect enabled='yes' timeout='0'/></source><target type='virtio' name='x'/>" +
            "</channel>",
        ),
      ),
    { message: "invalid argument: chardev reconnect source timeout cannot be '0'" },
  );
});

Deno.test("9p shares refused where libvirt 9.0 refuses them", () => {
  // libvirt 9.0's answers to the same definitions (canon.sh --driver qemu).
  const share = (attrs: string, inner = "") =>
    withDevices(
      `<filesystem ${attrs}>${inner}<source dir='/tmp'/><target dir='t'/></filesystem>`,
    );
  for (
    const [xml, message] of [
      [
        withDevices(
          "<filesystem type='block'><source dev='/dev/sda'/><target dir='t'/></filesystem>",
        ),
        "unsupported configuration: only supports mount filesystem type",
      ],
      [
        share("type='mount' accessmode='passthrough' fmode='0644'"),
        "unsupported configuration: fmode and dmode must be used with accessmode=mapped",
      ],
      [
        share("type='mount'", "<driver type='loop' format='raw'/>"),
        "internal error: Cannot automatically add a new PCI bus for a device with connect flags 00",
      ],
      [
        share(
          "type='mount'",
          "<driver type='loop' format='raw'/><address type='pci' domain='0' bus='0' slot='5' " +
            "function='0'/>",
        ),
        "unsupported configuration: Filesystem driver type not supported",
      ],
      [
        share("type='mount' accessmode='mapped'", "<driver type='handle'/>"),
        "unsupported configuration: only supports passthrough accessmode",
      ],
    ]
  ) {
    assert.throws(() => argvOf(xml), { message });
  }
});

Deno.test("watchdogs refused where libvirt 9.0 refuses them", () => {
  // libvirt 9.0's answers to the same definitions (canon.sh --driver qemu).
  for (
    const [watchdog, message] of [
      [
        "<watchdog model='diag288'/>",
        "diag288 model of watchdog is allowed for s390 and s390x only",
      ],
      [
        "<watchdog model='ib700'><address type='isa' iobase='0x443'/></watchdog>",
        "ib700 model of watchdog does not support configuring the address",
      ],
      [
        "<watchdog model='i6300esb'><address type='usb' bus='0' port='1'/></watchdog>",
        "i6300esb model of watchdog can go only on PCI bus",
      ],
    ]
  ) {
    assert.throws(() => argvOf(withDevices(watchdog)), {
      message: `unsupported configuration: ${message}`,
    });
  }
});

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
  // Every -vnc ends with the audio backend the driver adds for VNC (see the sound tests).
  assert.equal(after(vnc(""), "-vnc"), "127.0.0.1:5,audiodev=audio1");
  // Where it listens and its websocket, as qemuBuildGraphicsVNCCommandLine writes them.
  assert.equal(
    after(vnc("listen='0.0.0.0' websocket='5705'"), "-vnc"),
    "0.0.0.0:5,websocket=5705,audiodev=audio1",
  );
  const listening = (listen: string) =>
    after(
      argvOf(
        "<domain type='qemu'><name>vm</name><memory unit='MiB'>128</memory>" +
          `<os><type>hvm</type></os><devices><graphics type='vnc' port='5905'>${listen}` +
          "</graphics></devices></domain>",
      ),
      "-vnc",
    );
  assert.equal(listening("<listen type='address' address='::1'/>"), "[::1]:5,audiodev=audio1");
  assert.equal(
    listening("<listen type='socket' socket='/run/a,b.sock'/>"),
    "unix:/run/a,,b.sock,audiodev=audio1",
  );
  assert.equal(listening("<listen type='none'/>"), "none,audiodev=audio1");
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
  assert.equal(
    after(all, "-vnc"),
    "127.0.0.1:5,share=force-shared,password=on,power-control=off,audiodev=audio1",
  );
  assert.equal(after(all, "-k"), "de");
  assert.ok(!vnc("").includes("-k"));
});

Deno.test("-vnc and -k are libvirt 9.0's for a password, keymap, sharing and power control", async () => {
  // Recorded by fixtures/record_argv.sh from the oracle's real start of the same XML.
  const libvirt = (await Deno.readTextFile(new URL("pc-vnc-password.argv", fixtures))).split("\n");
  const ours = argvOf(await Deno.readTextFile(new URL("pc-vnc-password.xml", fixtures)));
  // libvirt allocates the autoport itself (display 0 here); the driver lets QEMU pick a display
  // from 0.
  assert.equal(after(ours, "-vnc").replace(":0,to=99", ":0"), after(libvirt, "-vnc"));
  assert.equal(after(ours, "-k"), after(libvirt, "-k"));
});

Deno.test("a USB companion controller joins its master's bus at its first port", () => {
  const xml = (companion: string) =>
    "<domain type='qemu'><name>vm</name><memory>131072</memory><vcpu>1</vcpu>" +
    "<os><type>hvm</type></os><devices><controller type='usb' index='0' model='ich9-ehci1'>" +
    `${pci(4, 7)}</controller>${companion}</devices></domain>`;
  const pci = (slot: number, fn = 0) =>
    `<address type='pci' domain='0' bus='0' slot='${slot}' function='${fn}'/>`;
  // As libvirt 9.0 starts them (qemuxml2argvdata/controller-usb-order), on the master's slot.
  const argv = argvOf(
    xml(`<controller type='usb' index='0' model='ich9-uhci1'><master startport='0'/></controller>`),
  );
  assert.ok(argv.includes("ich9-usb-ehci1,id=usb,bus=pci.0,addr=0x4.0x7"));
  assert.ok(
    argv.includes("ich9-usb-uhci1,masterbus=usb.0,firstport=0,bus=pci.0,multifunction=on,addr=0x4"),
  );
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

Deno.test("an XHCI controller's ports reach QEMU as libvirt 9.0 gives them", () => {
  const argv = argvOf(
    "<domain type='qemu'><name>vm</name><memory>131072</memory><os><type>hvm</type></os>" +
      "<devices><controller type='usb' index='0' model='nec-xhci' ports='8'/></devices></domain>",
  );
  // qemuxml2argvdata/usb-xhci-autoassign: -device nec-usb-xhci,p2=8,p3=8,id=usb,…
  assert.ok(argv.includes("nec-usb-xhci,p2=8,p3=8,id=usb,bus=pci.0,addr=0x2"));
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

Deno.test("a USB disk's removable medium reaches usb-storage as libvirt sets it (disk-usb-device-removable)", () => {
  const usb = (removable: string) =>
    argvOf(
      "<domain type='qemu'><name>vm</name><memory unit='MiB'>128</memory><os><type>hvm</type></os>" +
        `<devices><disk type='file' device='disk'><source file='/tmp/u.img'/>` +
        `<target dev='sda' bus='usb'${removable}/></disk></devices></domain>`,
    ).find((a) => a.startsWith("usb-storage"));
  assert.equal(keyval(usb(" removable='on'")!).get("removable"), "true");
  assert.equal(keyval(usb("")!).get("removable"), "false");
});
