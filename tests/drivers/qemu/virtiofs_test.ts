// virtiofs shares against libvirt 9.0's answers for the same definitions: the session driver's
// command lines and refusals (fixtures/pc-virtiofs*, q35-virtiofs, recorded by
// record_argv.sh), and the system driver's command line, live XML and virtiofsd command line
// (fixtures/pc-virtiofsd*.system.*, *.virtiofsd, recorded by record_virtiofsd.sh).
// fixtures/vhost-user/50-qemu-virtiofsd.json is Debian's qemu-system-common 7.2 descriptor.
import assert from "node:assert/strict";
import { formatDomainXML, parseDomainXML } from "../../../conf/domain/mod.ts";
import type { DomainDef } from "../../../conf/domain/def.ts";
import { buildQemuArgv } from "../../../drivers/qemu/command/mod.ts";
import { vcpusFromDef } from "../../../drivers/qemu/hotplug/mod.ts";
import { qemuPostParse } from "../../../drivers/qemu/postparse.ts";
import { assignDeviceAliases } from "../../../drivers/qemu/alias.ts";
import {
  findVirtiofsd,
  prepareVirtiofs,
  startShare,
  virtiofsdArgs,
} from "../../../drivers/qemu/virtiofsd.ts";
import { VirError } from "../../../util/errors.ts";
import { child, parse } from "../../../util/xml/mod.ts";

const fixtures = new URL("./fixtures/", import.meta.url);
const fixture = (name: string) => Deno.readTextFileSync(new URL(name, fixtures));
const DESCRIPTORS = [new URL("vhost-user", fixtures).pathname];
/** The recordings' name of the domain's private folder. */
const LIB = "$LIB";

/** The definition as the driver (`privileged`: the system one) starts it. */
async function started(name: string, privileged: boolean): Promise<DomainDef> {
  const def = parseDomainXML(fixture(`${name}.xml`), 0, false, true);
  qemuPostParse(def, { privileged });
  assignDeviceAliases(def);
  await prepareVirtiofs(def, DESCRIPTORS);
  return def;
}

const argvOf = (def: DomainDef) =>
  buildQemuArgv(def, vcpusFromDef(def).vcpus, {
    monitorPath: "/run/ev/vm.qmp",
    accel: "tcg",
    memoryDir: "/run/ram/1-vm",
    virtiofsDir: LIB,
  });

/** The values following each `flag` whose value passes `keep`. */
const valuesOf = (argv: string[], flag: string, keep: (v: string) => boolean) =>
  argv.flatMap((a, i) => argv[i - 1] === flag && keep(a) ? [a] : []);

/** A `-device` (JSON or key=value) as its properties, every value a string. */
function deviceProps(value: string): Record<string, string> {
  if (value.startsWith("{")) {
    return Object.fromEntries(
      Object.entries(JSON.parse(value)).map(([k, v]) => [k, String(v)]),
    );
  }
  const parts = value.replaceAll(",,", "\0").split(",").map((p) => p.replaceAll("\0", ","));
  return Object.fromEntries([
    ["driver", parts[0]],
    ...parts.slice(1).map((p) => [p.slice(0, p.indexOf("=")), p.slice(p.indexOf("=") + 1)]),
  ]);
}

/** The vhost-user chardevs, the vhost-user-fs-pci devices and the RAM backends of a command line. */
function virtiofsPart(argv: string[]) {
  return {
    chardevs: valuesOf(argv, "-chardev", (v) => v.includes("id=chr-vu-")),
    devices: valuesOf(argv, "-device", (v) => v.includes("vhost-user-fs-pci")).map(deviceProps),
    memory: valuesOf(argv, "-object", (v) => v.includes("memory-backend")).map((v) => {
      const props = JSON.parse(v);
      // The backing files' folder is each driver's own.
      if (props["mem-path"]) props["mem-path"] = props["mem-path"].replace(/.*\//, "");
      return props;
    }),
    numa: valuesOf(argv, "-numa", () => true),
  };
}

for (
  const [name, privileged, recorded] of [
    ["pc-virtiofs", false, "pc-virtiofs.argv"],
    ["q35-virtiofs", false, "q35-virtiofs.argv"],
    ["pc-virtiofsd", true, "pc-virtiofsd.system.argv"],
    ["pc-virtiofsd-default", true, "pc-virtiofsd-default.system.argv"],
  ] as const
) {
  Deno.test(`${name}: vhost-user chardevs, devices and shared memory as libvirt 9.0's`, async () => {
    const theirs = virtiofsPart(fixture(recorded).split("\n"));
    assert.ok(theirs.devices.length >= 1 && theirs.memory.length >= 1);
    assert.deepEqual(virtiofsPart(argvOf(await started(name, privileged))), theirs);
  });
}

for (
  const [name, live] of [
    ["pc-virtiofs", "pc-virtiofs.live.xml"],
    ["pc-virtiofsd", "pc-virtiofsd.system.live.xml"],
    ["pc-virtiofsd-default", "pc-virtiofsd-default.system.live.xml"],
  ] as const
) {
  Deno.test(`${name}: the live <filesystem> elements as libvirt 9.0's`, async () => {
    const shares = (xml: string) => xml.match(/ *<filesystem[\s\S]*?<\/filesystem>\n/g);
    const def = await started(name, name !== "pc-virtiofs");
    assert.ok(shares(fixture(live))?.length);
    assert.deepEqual(shares(formatDomainXML(def, 0)), shares(fixture(live)));
  });
}

for (const name of ["pc-virtiofsd", "pc-virtiofsd-default"]) {
  Deno.test(`${name}: virtiofsd's command line as libvirt 9.0 runs it`, async () => {
    const def = await started(name, true);
    const fs = def.devices.other.find((d) => d.name === "filesystem")!;
    const [binary, ...args] = fixture(`${name}.virtiofsd`).trimEnd().split("\n");
    assert.equal(child(fs, "binary")?.attributes.path, binary);
    // libvirt hands virtiofsd the socket it bound (--fd=N); edgevirt gives its path.
    const ours = virtiofsdArgs(fs, `${LIB}/fs0-fs.sock`);
    assert.equal(ours[0], `--socket-path=${LIB}/fs0-fs.sock`);
    assert.deepEqual(["--fd=N", ...ours.slice(1)], args);
  });
}

for (
  const [name, privileged] of [["pc-virtiofsd", false], ["pc-virtiofs-private", true]] as const
) {
  Deno.test(`${name}: refused as libvirt 9.0 refuses it`, () => {
    const message = fixture(`${name}.error`).trimEnd().split("\n").at(-1)!.replace(
      /^error: /,
      "",
    );
    const def = parseDomainXML(fixture(`${name}.xml`), 0, false, true);
    assert.throws(
      () => qemuPostParse(def, { privileged }),
      (e: unknown) => e instanceof VirError && e.code === 67 && e.message === message,
    );
  });
}

Deno.test("virtiofs refusals of qemuValidateDomainDeviceDefFS, in its order", () => {
  // libvirt 9.0's wording; those of external daemons' shares and read-only are also what the
  // oracle's session driver answers (canon.sh --driver qemu), the others need the system one.
  const refused = (attrs: string, inner: string, memory = true) => {
    const def = parseDomainXML(
      `<domain type='qemu'><name>v</name><memory unit='MiB'>64</memory>${
        memory ? "<memoryBacking><access mode='shared'/></memoryBacking>" : ""
      }<os><type>hvm</type></os><devices><filesystem type='mount' ${attrs}>${inner}` +
        "<target dir='t'/></filesystem></devices></domain>",
      0,
      false,
      true,
    );
    try {
      qemuPostParse(def, { privileged: true });
    } catch (e) {
      return (e as Error).message;
    }
    return "accepted";
  };
  const own = "<source dir='/srv'/>";
  const ext = "<source socket='/run/v.sock'/>";
  const cases: [string, string, string, boolean?][] = [
    [
      "",
      `<driver type='virtiofs'/>${own}<readonly/>`,
      "virtiofs does not yet support read-only mode",
    ],
    [
      "accessmode='mapped'",
      `<driver type='virtiofs'/>${own}`,
      "virtiofs only supports passthrough accessmode",
    ],
    [
      "",
      `<driver type='virtiofs' wrpolicy='immediate'/>${own}`,
      "virtiofs does not support wrpolicy",
    ],
    ["model='virtio'", `<driver type='virtiofs'/>${ext}`, "virtiofs does not support model"],
    ["", `<driver type='virtiofs' format='raw'/>${ext}`, "virtiofs does not support format"],
    ["multidevs='remap'", `<driver type='virtiofs'/>${ext}`, "virtiofs does not support multidevs"],
    [
      "accessmode='mapped' fmode='0644'",
      `<driver type='virtiofs'/>${ext}`,
      "virtiofs does not support fmode and dmode",
    ],
    ["", `<driver type='virtiofs'/>${ext}`, "'virtiofs' requires shared memory", false],
    // An external daemon's share takes what the driver would refuse for its own virtiofsd.
    ["accessmode='mapped'", `<driver type='virtiofs'/>${ext}<readonly/>`, "accepted"],
  ];
  for (const [attrs, inner, message, memory] of cases) {
    const expected = message === "accepted" ? message : `unsupported configuration: ${message}`;
    assert.equal(refused(attrs, inner, memory), expected, `${attrs} ${inner}`);
  }
});

Deno.test("virtiofsd found as qemuVhostUserFillDomainFS finds it: first fs descriptor by name", async () => {
  assert.equal(await findVirtiofsd(DESCRIPTORS), "/usr/lib/qemu/virtiofsd");
  const share = await Deno.makeTempDir({ prefix: "ev-vhost-user-" });
  const etc = await Deno.makeTempDir({ prefix: "ev-vhost-user-" });
  try {
    await Deno.writeTextFile(`${share}/10-gpu.json`, '{"type":"gpu","binary":"/gpu"}');
    await Deno.writeTextFile(`${share}/60-fs.json`, '{"type":"fs","binary":"/late"}');
    await Deno.writeTextFile(`${share}/20-fs.json`, '{"type":"fs","binary":"/early"}');
    assert.equal(await findVirtiofsd([share, etc]), "/early");
    // An empty file of the same name in a more specific folder masks it.
    await Deno.writeTextFile(`${etc}/20-fs.json`, "");
    assert.equal(await findVirtiofsd([share, etc]), "/late");
    await Deno.writeTextFile(`${etc}/60-fs.json`, "");
    await assert.rejects(() => findVirtiofsd([share, etc]), {
      message: "operation failed: Unable to find a satisfying virtiofsd",
    });
    await Deno.writeTextFile(`${etc}/30-bad.json`, "{");
    await assert.rejects(() => findVirtiofsd([share, etc]), {
      message: `internal error: unable to parse json file '${etc}/30-bad.json'`,
    });
  } finally {
    await Deno.remove(share, { recursive: true });
    await Deno.remove(etc, { recursive: true });
  }
});

Deno.test("qemuVirtioFSStart's refusals, and a virtiofsd that ends at once leaves nothing", async () => {
  const runDir = await Deno.makeTempDir({ prefix: "ev-virtiofsd-" });
  const place = { runDir, id: 1, name: "vm" };
  const share = (binary: string, dir = runDir) =>
    parse(
      `<filesystem><driver type='virtiofs'/><binary path='${binary}'/><source dir='${dir}'/>` +
        "<target dir='t'/><alias name='fs0'/></filesystem>",
    );
  try {
    await Deno.writeTextFile(`${runDir}/plain`, "");
    await assert.rejects(() => startShare(place, share(`${runDir}/plain`)), {
      message: `internal error: virtiofsd binary '${runDir}/plain' is not executable`,
    });
    await assert.rejects(() => startShare(place, share("/bin/true", `${runDir}/gone`)), {
      message: `internal error: the virtiofs export directory '${runDir}/gone' does not exist`,
    });
    await assert.rejects(() => startShare(place, share("/bin/false")), {
      message: "internal error: Could not start 'virtiofsd'",
    });
    // Its log stays, as libvirt's; no pid file or socket is left.
    const left = [...Deno.readDirSync(runDir)].map((e) => e.name).sort();
    assert.deepEqual(left, ["domain-1-vm", "plain", "vm-fs0-virtiofsd.log"]);
    assert.deepEqual([...Deno.readDirSync(`${runDir}/domain-1-vm`)], []);
  } finally {
    await Deno.remove(runDir, { recursive: true });
  }
});
