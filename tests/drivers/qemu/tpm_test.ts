// Emulated TPMs against what libvirt 9.0 did with the same XML (fixtures recorded by
// fixtures/record_argv.sh and fixtures/record_tpm.sh): QEMU's TPM arguments, the swtpm_setup
// and swtpm command lines of a first and a second start, the state kept or removed by undefine,
// the definition after post-parse, and libvirt's refusals.
import assert from "node:assert/strict";
import { formatDomainXML, parseDomainXML } from "../../../conf/domain/mod.ts";
import type { DomainDef } from "../../../conf/domain/def.ts";
import { buildQemuArgv } from "../../../drivers/qemu/command/mod.ts";
import { vcpusFromDef } from "../../../drivers/qemu/hotplug/mod.ts";
import { qemuPostParse } from "../../../drivers/qemu/postparse.ts";
import { assignDeviceAliases } from "../../../drivers/qemu/alias.ts";
import {
  cleanupSwtpmState,
  emulatedTpm,
  swtpmFiles,
  swtpmSetupRuns,
  swtpmSocketArgs,
  swtpmVersions,
} from "../../../drivers/qemu/swtpm.ts";
import { openPassthroughTpm } from "../../../drivers/qemu/tpm_passthrough.ts";
import { VIR } from "../../../util/constants.ts";
import { child } from "../../../util/xml/mod.ts";
import { TPM_FIXTURES } from "./device_fixtures.ts";
import { rejectsWith } from "./rejects_with.ts";

const fixture = (name: string) =>
  Deno.readTextFileSync(new URL(`./fixtures/${name}`, import.meta.url));

const defOf = (name: string): DomainDef => {
  const def = parseDomainXML(fixture(`${name}.xml`), 0, false, true);
  qemuPostParse(def);
  return def;
};

/** The daemon's folders in the recordings, laid out as edgevirt lays out its own. */
const DIRS = {
  configDir: "$DIR/config/libvirt/qemu",
  cacheDir: "$CACHE/libvirt/qemu",
  runDir: "$DIR/run/libvirt/qemu/run",
};

/** Descriptor numbers as the recording writes them (libvirt's are its pipes'). */
const maskFds = (argv: string[]) =>
  argv.map((a, i) => argv[i - 1] === "--pwdfile-fd" ? "FD" : a.replace(/^pwdfd=\d+,/, "pwdfd=FD,"));

/** The run id libvirt gave a recorded start, read from its socket path. */
const idIn = (line: string) => Number(line.match(/swtpm\/(\d+)-/)![1]);

for (const name of TPM_FIXTURES) {
  Deno.test(`${name}: chardev, -tpmdev and -device as libvirt 9.0's command line`, () => {
    const libvirt = fixture(`${name}.argv`).split("\n");
    const def = defOf(name);
    assignDeviceAliases(def);
    const socket = libvirt[libvirt.indexOf("-chardev", libvirt.indexOf("-tpmdev") - 2) + 1]
      .match(/path=([^,]*)/)![1];
    const ours = buildQemuArgv(def, vcpusFromDef(def).vcpus, {
      monitorPath: "/run/ev/vm.qmp",
      accel: "tcg",
      memoryDir: "/run/ram/1-vm",
      tpmSocket: socket,
    });
    const tpmPart = (argv: string[]) => {
      const at = argv.indexOf("-tpmdev");
      return [argv[at - 2], argv[at - 1], argv[at], argv[at + 1], argv[at + 2], argv[at + 3]];
    };
    const [flag, device] = tpmPart(libvirt).slice(4);
    const expected = [
      ...tpmPart(libvirt).slice(0, 4),
      flag,
      // libvirt writes the device as JSON, edgevirt as QEMU's key=value form.
      Object.entries(JSON.parse(device)).map(([k, v], i) => i ? `${k}=${v}` : v).join(","),
    ];
    assert.equal(expected[0], "-chardev");
    assert.deepEqual(tpmPart(ours), expected);
  });

  Deno.test(`${name}: the definition after post-parse and its live alias as libvirt's`, () => {
    const def = defOf(name);
    assert.equal(formatDomainXML(def, VIR.DOMAIN_XML_INACTIVE), fixture(`${name}.expected.xml`));
    assignDeviceAliases(def);
    const tpm = (xml: string) => xml.match(/<tpm[\s\S]*?<\/tpm>/)?.[0];
    assert.ok(tpm(fixture(`${name}.live.xml`)));
    assert.equal(tpm(formatDomainXML(def, 0)), tpm(fixture(`${name}.live.xml`)));
  });
}

// The encrypted fixture is not started by record_argv.sh (its daemon has no secret): only
// record_tpm.sh's commands and undefine outcomes.
for (const name of [...TPM_FIXTURES, "q35-tpm-enc"]) {
  Deno.test(`${name}: swtpm_setup and swtpm run as libvirt 9.0 runs them, twice`, () => {
    // libvirt's probe of swtpm_setup's features, on its first TPM, is no part of a start.
    const recorded = fixture(`${name}.swtpm`).trim().split("\n").map((l) => l.split("\t"))
      .filter((c) => c[1] !== "--print-capabilities");
    const def = defOf(name);
    const tpm = emulatedTpm(def)!;
    const version = child(tpm, "backend")!.attributes.version;
    const encrypted = !!child(child(tpm, "backend"), "encryption");
    const features = ["cmdarg-reconfigure-pcr-banks", "cmdarg-create-config-files"];
    // The recording keeps the two starts apart by their swtpm: each start ends with it.
    const starts: string[][][] = [[]];
    for (const cmd of recorded) {
      starts.at(-1)!.push(cmd);
      if (cmd[0].endsWith("/swtpm")) starts.push([]);
    }
    starts.pop();
    assert.equal(starts.length, 2);
    starts.forEach((cmds, i) => {
      const files = swtpmFiles(DIRS, def, version, idIn(cmds.at(-1)!.join(" ")));
      const ours = [
        ...swtpmSetupRuns(def, tpm, files, { created: i === 0, privileged: false, features })
          .map((r) => ["/usr/bin/swtpm_setup", ...r.args])
          // Too short a run for the recording's poll of /proc; its config files were there.
          .filter((c) => c[1] !== "--create-config-files"),
        ["/usr/bin/swtpm", ...swtpmSocketArgs(version, files, encrypted)],
      ].map(maskFds);
      assert.deepEqual(ours, cmds);
    });
  });

  Deno.test(`${name}: the TPM state undefine keeps or removes, as libvirt's`, async () => {
    const def = defOf(name);
    const configDir = await Deno.makeTempDir();
    try {
      const lines = fixture(`${name}.undefine`).trim().split("\n");
      assert.equal(lines.length, 3, "no flag, --keep-tpm, --tpm");
      for (const line of lines) {
        const [flag, outcome] = line.split(" ");
        const flags = { none: 0, "--keep-tpm": VIR.DOMAIN_UNDEFINE_KEEP_TPM }[flag] ??
          VIR.DOMAIN_UNDEFINE_TPM;
        const state = `${configDir}/swtpm/${def.uuid}/tpm2`;
        await Deno.mkdir(state, { recursive: true });
        await cleanupSwtpmState(def, configDir, flags);
        const kept = await Deno.stat(state).then(() => "kept", () => "removed");
        assert.equal(kept, outcome, line);
      }
    } finally {
      await Deno.remove(configDir, { recursive: true });
    }
  });
}

const refusals = JSON.parse(fixture("tpm-refusals.json"));

Deno.test("TPM 1.2 on CRB is refused at define with libvirt's error", () => {
  const { code, domain, message } = refusals["q35-tpm-crb12"];
  assert.throws(() => defOf("q35-tpm-crb12"), (e: Error & { code: number; domain: number }) => {
    assert.deepEqual([e.code, e.domain, e.message], [code, domain, message]);
    return true;
  });
});

Deno.test("a passthrough TPM without its device fails the start with libvirt's error", async () => {
  const { code, message } = refusals["pc-tpm-passthrough"];
  assert.equal(code, VIR.ERR_SYSTEM_ERROR);
  const def = defOf("pc-tpm-passthrough");
  // The recording's device is absent on the recording host; this one must lack it too.
  const absent = await Deno.stat("/dev/tpm0").then(() => false, () => true);
  assert.ok(absent, "this test needs a host without /dev/tpm0");
  await rejectsWith(() => openPassthroughTpm(def), "VIR_ERR_SYSTEM_ERROR", message);
});

Deno.test("models and versions: libvirt's refusals for what QEMU 7.2 or swtpm lack", () => {
  const tpm = (attrs: string, backend: string) =>
    "<domain type='qemu'><name>vm</name><memory unit='MiB'>128</memory>" +
    `<os><type arch='x86_64'>hvm</type></os><devices><tpm${attrs}>${backend}</tpm>` +
    "</devices></domain>";
  const refused = (xml: string, message: string) =>
    assert.throws(() => qemuPostParse(parseDomainXML(xml, 0, false, true)), { message });
  refused(
    tpm(" model='tpm-spapr'", "<backend type='emulator' version='2.0'/>"),
    "unsupported configuration: The QEMU executable /usr/bin/qemu-system-x86_64 does not " +
      "support TPM model tpm-spapr",
  );
  assert.deepEqual(swtpmVersions(), ["1.2", "2.0"]);
});

Deno.test("an incoming start (restore, migration): an empty state to overwrite, no PCR banks", () => {
  // qemuTPMEmulatorRunSetup and qemuTPMEmulatorReconfigure with incomingMigration.
  const def = defOf("q35-tpm-crb");
  const tpm = emulatedTpm(def)!;
  const files = swtpmFiles(DIRS, def, "2.0", 1);
  const runs = swtpmSetupRuns(def, tpm, files, {
    created: true,
    privileged: true,
    incoming: true,
    features: ["cmdarg-reconfigure-pcr-banks"],
  });
  assert.deepEqual(runs.map((r) => r.args), [[
    "--tpm2",
    "--tpm-state",
    files.storage,
    "--overwrite",
  ]]);
});
