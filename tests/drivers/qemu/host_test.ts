// Host calls of the QEMU driver: the version comes from the emulator's QMP query-version
// (probed once per binary), node info and host name from the machine.
import assert from "node:assert/strict";
import { qemuConnectDriver } from "../../../drivers/qemu/mod.ts";
import { SystemLauncher } from "../../../drivers/qemu/process/mod.ts";
import { FakeLauncher } from "../../../drivers/qemu/testing/mod.ts";
import type { DriverConnection } from "../../../util/driver.ts";
import { EMULATOR, realQemuTest } from "./real_qemu.ts";

async function open(launcher: FakeLauncher | SystemLauncher) {
  return await qemuConnectDriver.open(new URL("qemu:///session"), {
    stateDir: await Deno.makeTempDir({ prefix: "ev-host-" }),
    launcher,
  }) as DriverConnection;
}

Deno.test("connectGetVersion is the emulator's query-version, probed once per binary", async () => {
  const launcher = new FakeLauncher();
  const conn = await open(launcher);
  assert.equal(await conn.connectGetVersion!(), 7002000);
  assert.equal(await conn.connectGetVersion!(), 7002000);
  assert.deepEqual(launcher.probes, [EMULATOR]);
  await conn.connectClose();
});

Deno.test("nodeGetInfo describes this machine; connectGetHostname is its name", async () => {
  const conn = await open(new FakeLauncher());
  const info = await conn.nodeGetInfo!();
  assert.equal(info.model, Deno.build.arch);
  assert.equal(info.cpus, navigator.hardwareConcurrency);
  assert.ok(info.memory > 0 && info.mhz >= 0, JSON.stringify(info));
  assert.ok(info.nodes * info.sockets * info.cores * info.threads >= info.cpus);
  const meminfo = await Deno.readTextFile("/proc/meminfo");
  assert.equal(info.memory, Number(meminfo.match(/^MemTotal:\s*(\d+)/m)![1]));
  assert.equal(await conn.connectGetHostname!(), Deno.hostname());
  await conn.connectClose();
});

Deno.test("the connection answers libvirt's version and qemu's link facts: secure, not encrypted, alive", async () => {
  // virsh -c qemu:///session on libvirt 9.0: `virsh version` says "Using library: libvirt 9.0.0";
  // qemuConnectIsSecure is 1, qemuConnectIsEncrypted 0, qemuConnectIsAlive 1.
  const conn = await open(new FakeLauncher());
  assert.equal(await conn.connectGetLibVersion!(), 9000000);
  assert.equal(await conn.connectIsSecure!(), true);
  assert.equal(await conn.connectIsEncrypted!(), false);
  assert.equal(await conn.connectIsAlive!(), true);
  await conn.connectClose();
});

realQemuTest({
  name: "real QEMU: connectGetVersion is the binary's own version",
  fn: async () => {
    const conn = await open(new SystemLauncher());
    const out = await new Deno.Command(EMULATOR, { args: ["--version"] }).output();
    const [major, minor, micro] = new TextDecoder().decode(out.stdout)
      .match(/version (\d+)\.(\d+)\.(\d+)/)!.slice(1).map(Number);
    assert.equal(await conn.connectGetVersion!(), major * 1_000_000 + minor * 1_000 + micro);
    await conn.connectClose();
  },
});
