// connectGetCapabilities of the QEMU driver: QEMU's machines as libvirt lists them, the per-binary
// probe cache (on disk, keyed by path, mtime and size), and on real QEMU the whole document
// against virsh's recording of libvirt 9.0 with the same QEMU 7.2
// (tests/fixtures/qemu_host/capabilities.xml, tests/tools/record_qemu_host.sh).
import assert from "node:assert/strict";
import { SystemLauncher } from "../../../drivers/qemu/process/mod.ts";
import { FakeLauncher } from "../../../drivers/qemu/testing/mod.ts";
import { CapsCache } from "../../../drivers/qemu/api/host_caps_cache.ts";
import { guestMachines } from "../../../drivers/qemu/api/host_caps.ts";
import { realQemuTest } from "./real_qemu.ts";
import { withQemuConn } from "./with_conn.ts";

const FIXTURES = new URL("../../fixtures/qemu_host/", import.meta.url);

Deno.test("guest machines: preferred first, alias with its canonical name, none left out", () => {
  assert.deepEqual(
    guestMachines("x86_64", [
      { name: "pc-q35-7.2", alias: "q35", "cpu-max": 288, deprecated: false },
      { name: "none", "cpu-max": 1 },
      { name: "pc-i440fx-7.2", alias: "pc", "cpu-max": 255, "is-default": true },
      { name: "pc-i440fx-1.4", "cpu-max": 255, deprecated: true },
    ]),
    [
      { name: "pc-i440fx-7.2", canonical: undefined, maxCpus: 255, deprecated: false },
      { name: "pc", canonical: "pc-i440fx-7.2", maxCpus: 255, deprecated: false },
      { name: "pc-q35-7.2", canonical: undefined, maxCpus: 288, deprecated: false },
      { name: "q35", canonical: "pc-q35-7.2", maxCpus: 288, deprecated: false },
      { name: "pc-i440fx-1.4", canonical: undefined, maxCpus: 255, deprecated: true },
    ],
  );
  // Without libvirt's preferred machine, QEMU's default goes first.
  assert.deepEqual(
    guestMachines("x86_64", [{ name: "a" }, { name: "b", "is-default": true }]).map((m) => m.name),
    ["b", "a"],
  );
});

Deno.test("the capability probe runs once per binary, kept on disk until the binary changes", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ev-caps-" });
  try {
    const emulator = `${dir}/qemu-system-x86_64`;
    await Deno.writeTextFile(emulator, "v1");
    const launcher = new FakeLauncher();
    const first = new CapsCache(launcher, `${dir}/cache`);
    const caps = await first.get(emulator);
    assert.equal(caps?.kvm, false);
    assert.deepEqual(caps?.version, { major: 7, minor: 2, micro: 0 });
    await first.get(emulator);
    assert.deepEqual(launcher.capabilityProbes, [emulator]);
    // Another driver state (a restarted daemon) reads the file instead of probing.
    assert.deepEqual(await new CapsCache(launcher, `${dir}/cache`).get(emulator), caps);
    assert.equal(launcher.capabilityProbes.length, 1);
    // An upgraded binary (new size and mtime) is probed again.
    await Deno.writeTextFile(emulator, "version 2");
    await Deno.utime(emulator, new Date(), new Date(Date.now() + 5000));
    await new CapsCache(launcher, `${dir}/cache`).get(emulator);
    assert.equal(launcher.capabilityProbes.length, 2);
    assert.equal(await first.get(`${dir}/nosuch`), undefined);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** The `<guest>` sections, without the KVM domain type (libvirt recorded as `nobody`: no KVM). */
function guests(xml: string): string {
  // virsh prints the document and a newline of its own.
  return xml.slice(xml.indexOf("  <guest>")).replaceAll("      <domain type='kvm'/>\n", "")
    .trimEnd();
}

/** The names of `<host>`'s own children, in order. */
function hostChildren(xml: string): string[] {
  const host = xml.slice(xml.indexOf("  <host>"), xml.indexOf("  </host>"));
  return [...host.matchAll(/^ {4}<([a-z_]+)/gm)].map((m) => m[1]);
}

realQemuTest({
  name: "real QEMU: capabilities as libvirt 9.0 writes them for the same QEMU 7.2",
  fn: () =>
    withQemuConn({ launcher: new SystemLauncher() }, async (conn) => {
      const xml = await conn.connectGetCapabilities!();
      const want = await Deno.readTextFile(new URL("capabilities.xml", FIXTURES));
      // Every machine of both binaries, in libvirt's order, and the guest features.
      assert.equal(guests(xml), guests(want));
      // The host's sections in libvirt's order (what they hold depends on the machine).
      const expected = hostChildren(want).filter((n) => xml.includes(`<${n}`));
      assert.deepEqual(hostChildren(xml), expected);
      assert.deepEqual(
        expected.filter((n) => n !== "cache"),
        ["uuid", "cpu", "power_management", "iommu", "migration_features", "topology", "secmodel"],
      );
      assert.match(xml, /<secmodel>\n {6}<model>none<\/model>\n {6}<doi>0<\/doi>/);
      const kvm = await Deno.stat("/dev/kvm").then(() => true, () => false);
      assert.equal(xml.includes("<domain type='kvm'/>"), kvm && Deno.uid() === 0);
    }),
});
