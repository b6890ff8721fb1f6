// The errors of starts that cannot happen, against libvirt 9.0's: fixtures/start_errors.json
// was started on a root libvirtd by fixtures/record_start_errors.py (through
// record_nic_argv.sh), with the network 'off' inactive, the pool 'p' active and empty, the pool
// 'q' inactive, no bridge br9 and no secret; here the same world is made of a fake network
// driver, fake taps and the host's real storage and secret drivers.
import assert from "node:assert/strict";
import { qemuConnectDriver } from "../../../../drivers/qemu/mod.ts";
import {
  FakeLauncher,
  FakeNetworkDriver,
  FakeTapHost,
} from "../../../../drivers/qemu/testing/mod.ts";
import { secretDriver } from "../../../../drivers/secret/mod.ts";
import { storageDriver } from "../../../../drivers/storage/mod.ts";
import type { VirError } from "../../../../util/errors.ts";
import { createRegistry } from "../../../../util/registry.ts";

const fixtures = new URL("../fixtures/", import.meta.url);
const cases: { name: string; devices: string }[] = JSON.parse(
  await Deno.readTextFile(new URL("start_errors.json", fixtures)),
);
const expected: Record<string, unknown>[] = JSON.parse(
  await Deno.readTextFile(new URL("start_errors.expected.json", fixtures)),
);

Deno.test("starts that cannot happen fail with libvirt 9.0's code, domain and message", async () => {
  const dir = await Deno.makeTempDir();
  const launcher = new FakeLauncher();
  const net = new FakeNetworkDriver({
    off: { uuid: "0ff00000-0000-4000-8000-000000000000", active: false, bridge: "virbr8" },
  });
  const conn = await createRegistry([qemuConnectDriver], [net.driver, storageDriver, secretDriver])
    .find("qemu")!.open(new URL(`qemu:///embed?root=${dir}`), {
      launcher,
      taps: new FakeTapHost(["br0"]),
      log: () => {},
    });
  try {
    for (const pool of ["p", "q"]) {
      await Deno.mkdir(`${dir}/${pool}`);
      await conn.storagePoolDefineXML!(
        `<pool type='dir'><name>${pool}</name><target><path>${dir}/${pool}</path></target></pool>`,
        0,
      );
    }
    await conn.storagePoolCreate!(await conn.storagePoolLookupByName!("p"), 0);
    const ours = [];
    for (const c of cases) {
      const xml = "<domain type='qemu'><name>err1</name><memory unit='MiB'>64</memory>" +
        "<os><type arch='x86_64' machine='pc'>hvm</type></os>" +
        `<devices>${c.devices}<memballoon model='none'/></devices></domain>`;
      const e = await conn.domainCreateXML!(xml, 0).then(() => undefined, (e) => e as VirError);
      ours.push(
        e
          ? { name: c.name, code: e.code, domain: e.domain, message: e.message }
          : { name: c.name, started: true },
      );
    }
    assert.equal(ours.length, 8);
    assert.deepEqual(ours, expected);
    assert.equal(launcher.launches.length, 0);
  } finally {
    await conn.connectClose();
    await Deno.remove(dir, { recursive: true });
  }
});
