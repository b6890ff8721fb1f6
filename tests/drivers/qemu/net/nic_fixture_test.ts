// The NIC fixtures against libvirt 9.0: fixtures/nic-*.argv and nic-*.live.xml were recorded by
// fixtures/record_nic_argv.sh from a root libvirtd (in a network namespace) starting the same
// XML, with the bridge br0 and the network 'lan' on virbr7. Each NIC's -device must be
// libvirt's; its -netdev is a tap too (a bridge's or an ethernet NIC's opened by name here where
// libvirt passes a descriptor, a macvtap's given open to QEMU on a descriptor as libvirt gives
// it). For the ethernet NICs, nic-ethernet.host.json has the taps libvirt made (MAC, MTU, up,
// addresses, routes) and the ones left after the destroy (the unmanaged one only).
// The live <interface> elements must be libvirt's, port UUID aside, and evsh's `domiflist` of
// the running domain virsh's.
import assert from "node:assert/strict";
import { qemuConnectDriver } from "../../../../drivers/qemu/mod.ts";
import {
  FakeLauncher,
  FakeNetworkDriver,
  FakeTapHost,
} from "../../../../drivers/qemu/testing/mod.ts";
import { createRegistry } from "../../../../util/registry.ts";
import { connect } from "../../../../client/connect.ts";
import { Shell } from "../../../../tools/evsh/mod.ts";

/**
 * The links of the recording's namespace: bridges, the macvtaps' parents, and the tap an
 * ethernet NIC uses unmanaged.
 */
const LINKS = ["br0", "virbr7", "ethx", "ethy", "tapx"];
const fixtures = new URL("../fixtures/", import.meta.url);
const read = (name: string) => Deno.readTextFile(new URL(name, fixtures));

/** QEMU's `key=value,…` option string as an object (`,,` is a literal comma). */
function keyval(opt: string): Record<string, string> {
  const parts = opt.replaceAll(",,", "\0").split(",").map((p) => p.replaceAll("\0", ","));
  return Object.fromEntries([
    ["driver", parts[0]],
    ...parts.slice(1).map((p) => [p.slice(0, p.indexOf("=")), p.slice(p.indexOf("=") + 1)]),
  ]);
}

const following = (argv: string[], flag: string) => argv.filter((_, i) => argv[i - 1] === flag);
const interfaces = (xml: string) => xml.match(/<interface [^]*?<\/interface>/g) ?? [];

for (const name of ["nic-bridge", "nic-direct", "nic-ethernet"]) {
  Deno.test(`${name}: NIC devices and live interfaces are libvirt 9.0's`, async () => {
    const dir = await Deno.makeTempDir();
    const launcher = new FakeLauncher();
    const net = new FakeNetworkDriver({
      lan: { uuid: "7a7b7c7d-0000-4000-8000-000000000007", active: true, bridge: "virbr7" },
    });
    const conn = await createRegistry([qemuConnectDriver], [net.driver]).find("qemu")!.open(
      new URL(`qemu:///embed?root=${dir}`),
      { launcher, taps: new FakeTapHost(LINKS), log: () => {} },
    );
    try {
      const dom = await conn.domainCreateXML!(await read(`${name}.xml`), 0);
      const libvirt = (await read(`${name}.argv`)).split("\n");
      const ours = launcher.launches[0];
      const nicDevices = (devices: Record<string, unknown>[]) =>
        devices.filter((d) => "netdev" in d).map((d) =>
          Object.fromEntries(Object.entries(d).map(([k, v]) => [k, String(v)]).sort())
        );
      const expected = nicDevices(following(libvirt, "-device").map((a) => JSON.parse(a)));
      assert.ok(expected.length >= 3, "the fixture has NICs");
      assert.deepEqual(nicDevices(following(ours, "-device").map(keyval)), expected);
      const netdevs = (list: Record<string, unknown>[]) => list.map((n) => [n.type, n.id]);
      assert.deepEqual(
        netdevs(following(ours, "-netdev").map((n) => ({ ...keyval(n), type: keyval(n).driver }))),
        netdevs(following(libvirt, "-netdev").map((a) => JSON.parse(a))),
      );
      const live = (await conn.domainGetXMLDesc!(dom, 0))
        .replace(/portid='[0-9a-f-]+'/g, "portid='$PORTID'");
      const expectedLive = interfaces(await read(`${name}.live.xml`));
      assert.equal(expectedLive.length, expected.length);
      assert.deepEqual(interfaces(live), expectedLive);
      await conn.domainDestroyFlags!(dom, 0);
    } finally {
      await conn.connectClose();
      await Deno.remove(dir, { recursive: true });
    }
  });
}

for (const name of ["nic-bridge", "nic-direct", "nic-ethernet"]) {
  Deno.test(`${name}: evsh domiflist of the running domain is virsh's`, async () => {
    const dir = await Deno.makeTempDir();
    const net = new FakeNetworkDriver({
      lan: { uuid: "7a7b7c7d-0000-4000-8000-000000000007", active: true, bridge: "virbr7" },
    });
    const uri = `qemu:///embed?root=${dir}`;
    const conn = await connect(uri, {
      embed: createRegistry([qemuConnectDriver], [net.driver]),
      launcher: new FakeLauncher(),
      taps: new FakeTapHost(LINKS),
      log: () => {},
    });
    try {
      const dom = await conn.createXML(await read(`${name}.xml`), 0);
      let stdout = "";
      const shell = new Shell(conn, {
        stdout: (s) => (stdout += s),
        stderr: (s) => (stdout += s),
        readFile: (path) => Deno.readTextFile(path),
      });
      assert.ok(await shell.runLine(`domiflist ${name}`));
      assert.equal(stdout, await read(`${name}.domiflist`));
      await dom.destroy();
    } finally {
      await conn.close();
      await Deno.remove(dir, { recursive: true });
    }
  });
}

Deno.test("nic-ethernet: the taps, their MAC, MTU, addresses and routes are libvirt 9.0's", async () => {
  const dir = await Deno.makeTempDir();
  const launcher = new FakeLauncher();
  const taps = new FakeTapHost(LINKS);
  const conn = await createRegistry([qemuConnectDriver]).find("qemu")!.open(
    new URL(`qemu:///embed?root=${dir}`),
    { launcher, taps, log: () => {} },
  );
  try {
    const host = JSON.parse(await read("nic-ethernet.host.json")) as {
      running: {
        ifname: string;
        address: string;
        mtu: number;
        up: boolean;
        addr: string[];
        routes: string[];
      }[];
      left: string[];
    };
    const dom = await conn.domainCreateXML!(await read("nic-ethernet.xml"), 0);
    for (const tap of host.running) {
      const ours = taps.taps.get(tap.ifname);
      const runs = taps.ipRuns.filter((r) => r[0] === tap.ifname).map((r) => r.slice(1).join(" "));
      if (!tap.up) {
        // The unmanaged tap: libvirt neither configured it nor put anything on it.
        assert.equal(ours, undefined, tap.ifname);
        assert.deepEqual(runs, []);
        continue;
      }
      assert.deepEqual([ours?.mac, ours?.mtu, ours?.bridge], [tap.address, tap.mtu, undefined]);
      assert.deepEqual(
        runs.filter((r) => r.startsWith("addr")),
        tap.addr.map((a) => `addr add ${a.replace(" brd ", " broadcast ")}`),
      );
      // The kernel adds the route of an address's own subnet; the others are the NIC's.
      const onLink = tap.addr.map((a) => a.split(" ")[0].replace(/\.1\//, ".0/"));
      assert.deepEqual(
        runs.filter((r) => r.startsWith("route")).map((r) =>
          r.replace(/^route add /, "").replace(/ proto boot$/, "")
        ),
        tap.routes.filter((r) => !onLink.includes(r)),
      );
    }
    assert.deepEqual(taps.scriptRuns, [["/bin/true", "mytap1"]]);
    await conn.domainDestroyFlags!(dom, 0);
    const left = [...(await taps.links()).keys()].filter((n) =>
      host.running.some((t) => t.ifname === n)
    );
    assert.deepEqual(left, host.left);
  } finally {
    await conn.connectClose();
    await Deno.remove(dir, { recursive: true });
  }
});
