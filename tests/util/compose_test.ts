// A connection is one hypervisor driver plus the secondary drivers of the families it does not
// serve, as libvirt's virConnectOpen composes them.
import assert from "node:assert/strict";
import {
  composeConnection,
  type DriverConnection,
  type DriverEvent,
  openSecondaries,
  type SecondaryDriver,
  serves,
} from "../../util/contract/mod.ts";
import { invoke } from "../../client/invoke.ts";
import { createGateway } from "../../gateway/app.ts";
import type { ConnectDriver } from "../../util/driver.ts";
import { createRegistry } from "../../util/registry.ts";
import { openTestConnection } from "../../drivers/simulator/mod.ts";

const NET = { name: "default", uuid: "dd8fe884-6c02-601e-7551-cca97df1c5df" };

function fakeHypervisor(log: string[]): DriverConnection {
  return {
    type: "FAKE",
    connectClose: () => Promise.resolve(void log.push("hv closed")),
    connectGetVersion: () => Promise.resolve(1),
  };
}

function fakeNetworkDriver(log: string[]): SecondaryDriver {
  return {
    name: "fake-net",
    family: "network",
    open(uri) {
      log.push(`net opened for ${uri.href}`);
      const listeners = new Set<(ev: DriverEvent) => void>();
      return Promise.resolve({
        connectClose: () => Promise.resolve(void log.push("net closed")),
        connectListAllNetworks: () => Promise.resolve([NET]),
        networkCreate: () => {
          for (const l of listeners) {
            l({ family: "network", eventId: 0, ref: NET, data: { event: 2, detail: 0 } });
          }
          return Promise.resolve();
        },
        subscribe(l: (ev: DriverEvent) => void) {
          listeners.add(l);
          return () => listeners.delete(l);
        },
      });
    },
  };
}

Deno.test("a hypervisor without networks gets the shared network driver beside it", async () => {
  const log: string[] = [];
  const hv = fakeHypervisor(log);
  const uri = new URL("fake:///session");
  const secondaries = await openSecondaries(hv, [fakeNetworkDriver(log)], uri, {});
  const conn = composeConnection(hv, secondaries);
  assert.equal(conn.type, "FAKE");
  assert.equal(await conn.connectGetVersion?.(), 1);
  assert.deepEqual(await conn.connectListAllNetworks?.(0), [NET]);
  const events: DriverEvent[] = [];
  const off = conn.subscribe!((ev) => events.push(ev));
  await conn.networkCreate?.(NET);
  off();
  await conn.networkCreate?.(NET);
  assert.equal(events.length, 1);
  // A family nobody serves is libvirt's "not supported", with that family's API name.
  await assert.rejects(
    invoke(conn, false, "connectListAllStoragePools", undefined, 0),
    /this function is not supported by the connection driver: virConnectListAllStoragePools/,
  );
  await conn.connectClose();
  assert.deepEqual(log, ["net opened for fake:///session", "hv closed", "net closed"]);
});

Deno.test("the test driver serves every family itself, as libvirt's does", async () => {
  const log: string[] = [];
  const sim = await openTestConnection(new URL("test:///default"), {});
  try {
    for (const f of ["network", "storage", "nodedev", "interface", "hypervisor"] as const) {
      assert.ok(serves(sim, f), f);
    }
    const secondaries = await openSecondaries(sim, [fakeNetworkDriver(log)], new URL("x:///"), {});
    assert.deepEqual(secondaries, {});
    assert.equal(composeConnection(sim, secondaries), sim);
    assert.deepEqual(log, []);
  } finally {
    await sim.connectClose();
  }
});

Deno.test("a secondary that fails to open closes the ones already opened", async () => {
  const log: string[] = [];
  const broken: SecondaryDriver = {
    name: "broken-storage",
    family: "storage",
    open: () => Promise.reject(new Error("no storage here")),
  };
  await assert.rejects(
    openSecondaries(fakeHypervisor(log), [fakeNetworkDriver(log), broken], new URL("f:///"), {}),
    /no storage here/,
  );
  assert.deepEqual(log, ["net opened for f:///", "net closed"]);
});

Deno.test("a registry composes secondaries for drivers that share them, at the gateway too", async () => {
  const log: string[] = [];
  const fakeHv: ConnectDriver = {
    name: "fake",
    schemes: ["fake"],
    sharesSecondaries: true,
    open: () => Promise.resolve(fakeHypervisor(log)),
  };
  const loner: ConnectDriver = { ...fakeHv, name: "loner", schemes: ["loner"] };
  delete loner.sharesSecondaries;
  const registry = createRegistry([fakeHv, loner], [fakeNetworkDriver(log)]);
  const alone = await registry.find("loner")!.open(new URL("loner:///"), {});
  assert.equal(alone.connectListAllNetworks, undefined);
  await alone.connectClose();

  const gw = await createGateway({ drivers: ["fake:///session"], registry, auth: "none" });
  try {
    const res = await gw.app.request("/v1/fake/session/call/connectListAllNetworks", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "[0]",
    });
    assert.deepEqual(await res.json(), { result: [NET] });
  } finally {
    await gw.close();
  }
  assert.ok(log.includes("net closed"), log.join());
});
