// Peer-to-peer migration (virDomainMigrateToURI3 with VIR_MIGRATE_PEER2PEER) against fake QEMUs
// whose state really crosses a loopback socket: the destination is a gateway listening on
// 127.0.0.1 over HTTP, the source driver opens it itself with the peer opener its host gave it
// (the client with real transports, as host.ts wires it) and runs Begin, Prepare there, Perform,
// Finish there and Confirm (qemuMigrationSrcPerformPeer2Peer3). libvirt 9.0's refusals, recorded
// by tests/tools/record_qemu_p2p_refusals.sh, come word for word and change nothing.
import assert from "node:assert/strict";
import { connect } from "../../../client/connect.ts";
import { migrateToURI3 } from "../../../client/domain_migrate_uri.ts";
import { createGateway } from "../../../gateway/app.ts";
import { createRegistry } from "../../../util/registry.ts";
import { VIR } from "../../../util/constants.ts";
import type { PeerOpener } from "../../../util/driver.ts";
import { DRV_FEATURE } from "../../../util/drv_feature.ts";
import { error } from "./fake_qmp/block_harness.ts";
import { type Destination, lifecycle, serving, withPair } from "./fake_qmp/migration_pair.ts";
import recorded from "../../fixtures/qemu_migration/p2p_refusals.json" with { type: "json" };

const E = VIR;
// Each migrating test file listens on its own loopback address: files that run in parallel
// would otherwise pick the same free port of libvirt's range at the same moment.
const PARAMS = { migrate_uri: "tcp:127.0.0.10", listen_address: "127.0.0.10" };
/** The harness's disk is a plain local file: libvirt needs VIR_MIGRATE_UNSAFE for it. */
const P2P = E.MIGRATE_PEER2PEER | E.MIGRATE_LIVE | E.MIGRATE_UNSAFE;

/** The peer opener of these tests' hosts: the client, over HTTP (the gateways ask no token). */
const openPeer: PeerOpener = async (uri) => (await connect(uri, { token: "none" })).driver;

/** A loopback port nothing listens on (just closed). */
function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  listener.close();
  return (listener.addr as Deno.NetAddr).port;
}

/** Runs `fn` with `b` served by a gateway on 127.0.0.1; its `qemu+http` URI. */
async function withGateway(b: Destination, fn: (uri: string) => Promise<void>): Promise<void> {
  const gw = await createGateway({
    drivers: ["qemu:///session"],
    registry: createRegistry([serving("qemu", b.conn)]),
    auth: "none",
  });
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, gw.fetch);
  try {
    await fn(`qemu+http://127.0.0.1:${server.addr.port}/session`);
  } finally {
    await server.shutdown();
    await gw.close();
  }
}

Deno.test("p2p migration: the source opens the destination's gateway and runs every step", async () => {
  await withPair(async (a, src, b) => {
    assert.equal(await a.conn.connectSupportsFeature!(DRV_FEATURE.MIGRATION_P2P), true);
    await withGateway(b, async (uri) => {
      a.events.length = 0;
      const dom = await src.lookupDomainByName("hp");
      await migrateToURI3(src, dom.ref, uri, PARAMS, P2P | E.MIGRATE_PERSIST_DEST);
      assert.equal(b.migration.loaded, a.migration.state, "the destination got the state");
      const moved = await b.conn.domainLookupByName!("hp");
      assert.deepEqual(await b.conn.domainGetState!(moved, 0), [
        E.DOMAIN_RUNNING,
        E.DOMAIN_RUNNING_MIGRATED,
      ]);
      assert.equal(await b.conn.domainIsPersistent!(moved), true);
      assert.deepEqual(lifecycle(b.events), [
        `${E.DOMAIN_EVENT_STARTED}/${E.DOMAIN_EVENT_STARTED_MIGRATED}`,
        `${E.DOMAIN_EVENT_DEFINED}/${E.DOMAIN_EVENT_DEFINED_ADDED}`,
        `${E.DOMAIN_EVENT_RESUMED}/${E.DOMAIN_EVENT_RESUMED_MIGRATED}`,
      ]);
      assert.deepEqual(await a.conn.domainGetState!(a.dom, 0), [
        E.DOMAIN_SHUTOFF,
        E.DOMAIN_SHUTOFF_MIGRATED,
      ]);
      // The fake QEMU does not pause at the switch-over: the stop is the source's only event.
      assert.deepEqual(lifecycle(a.events), [
        `${E.DOMAIN_EVENT_STOPPED}/${E.DOMAIN_EVENT_STOPPED_MIGRATED}`,
      ]);
    });
  }, { openPeer });
});

Deno.test("p2p migration: a failure on the destination cancels it and the source runs on", async () => {
  await withPair(async (a, src, b) => {
    await withGateway(b, async (uri) => {
      const dom = await src.lookupDomainByName("hp");
      // A destination name the destination's XML cannot take: its Prepare refuses it.
      const e = await error(
        migrateToURI3(src, dom.ref, uri, { ...PARAMS, destination_name: "" }, P2P),
      );
      assert.equal(e.domain, E.FROM_QEMU);
      assert.deepEqual(await a.conn.domainGetState!(a.dom, 0), [
        E.DOMAIN_RUNNING,
        E.DOMAIN_RUNNING_BOOTED,
      ]);
      assert.deepEqual(await b.conn.connectListAllDomains!(0), []);
    });
  }, { openPeer });
});

for (const c of recorded.cases) {
  Deno.test(`p2p migration refused as libvirt 9.0: ${c.name}`, async () => {
    await withPair(async (a, src, b) => {
      const dom = await src.lookupDomainByName("hp");
      // libvirt's remote transport over TCP is edgevirt's over HTTP, whose fetch refuses to
      // try port 1 at all: a port just freed is as refused.
      const port = String(freePort());
      const dconnuri = c.dconnuri?.replace("+tcp://", "+http://").replace(":1/", `:${port}/`) ??
        null;
      const params = c.params as Record<string, string>;
      const e = await error(migrateToURI3(src, dom.ref, dconnuri, params, c.flags));
      assert.deepEqual({ code: e.code, domain: e.domain, message: e.message }, {
        ...c.error,
        message: c.error.message.replace("127.0.0.1:1'", `127.0.0.1:${port}'`),
      });
      assert.deepEqual(await a.conn.domainGetState!(a.dom, 0), [
        E.DOMAIN_RUNNING,
        E.DOMAIN_RUNNING_BOOTED,
      ]);
      assert.deepEqual(await b.conn.connectListAllDomains!(0), []);
    }, { openPeer });
  });
}

Deno.test("p2p migration: a source whose host gave no peer opener does not claim it", async () => {
  await withPair(async (a, src, b) => {
    assert.equal(await a.conn.connectSupportsFeature!(DRV_FEATURE.MIGRATION_P2P), false);
    await withGateway(b, async (uri) => {
      const dom = await src.lookupDomainByName("hp");
      const e = await error(migrateToURI3(src, dom.ref, uri, PARAMS, P2P));
      assert.deepEqual([e.code, e.message], [
        E.ERR_ARGUMENT_UNSUPPORTED,
        "argument unsupported: p2p migration is not supported by the source host",
      ]);
    });
  });
});
