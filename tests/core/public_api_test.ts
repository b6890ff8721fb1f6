// The public API layer on a minimal fake driver: routing by scheme, libvirt's NO_SUPPORT for
// missing driver methods, read-only refusal, and the argument checks libvirt's public entry
// points do before any driver sees the call.
import assert from "node:assert/strict";
import {
  type ClientOptions,
  connect as connectWith,
  type DomainRef,
  VIR,
  VirError,
} from "../../mod.ts";
import { createRegistry } from "../../driver_kit.ts";
import { hostDrivers } from "../../host.ts";

const calls: string[] = [];
const ref: DomainRef = { name: "fake", uuid: "11111111-2222-3333-4444-555555555555", id: 3 };

const drivers = createRegistry([...hostDrivers().drivers, {
  name: "fake",
  schemes: ["fake"],
  open: () =>
    Promise.resolve({
      type: "FAKE",
      connectClose: () => Promise.resolve(),
      domainLookupByName: (name: string) => {
        calls.push(`lookup ${name}`);
        return Promise.resolve(ref);
      },
      domainSetVcpusFlags: (_d: DomainRef, n: number, flags: number) => {
        calls.push(`setVcpusFlags ${n} ${flags}`);
        return Promise.resolve();
      },
      domainCreateWithFlags: (d: DomainRef) => Promise.resolve({ ...d, id: 9 }),
    }),
}]);
const connect = (uri: string, options: ClientOptions = {}) =>
  connectWith(uri, { drivers, ...options });

async function rejection(p: Promise<unknown> | (() => unknown)): Promise<VirError> {
  try {
    await (typeof p === "function" ? p() : p);
  } catch (e) {
    assert.ok(e instanceof VirError, String(e));
    return e;
  }
  throw new Error("expected a VirError");
}

Deno.test("connect routes by scheme; other local URIs go to the system daemon, like libvirt", async () => {
  const conn = await connect("fake:///x");
  assert.equal(conn.getType(), "FAKE");
  await conn.close();
  // libvirt's remote driver takes a URI no local driver does to the system daemon's socket:
  // `virsh -c nosuch:///x` says "Failed to connect socket to '/var/run/libvirt/libvirt-sock':
  // No such file or directory" when no daemon runs.
  const e = await rejection(connect("nosuch:///x"));
  assert.deepEqual([e.codeName, e.domainName], ["VIR_ERR_SYSTEM_ERROR", "VIR_FROM_RPC"]);
  assert.equal(
    e.message,
    "Failed to connect socket to '/run/edgevirt/edgevirt-sock': No such file or directory",
  );
});

Deno.test("a driver method that is missing is libvirt's NO_SUPPORT with the API name", async () => {
  const conn = await connect("fake:///x");
  const dom = await conn.lookupDomainByName("fake");
  const e = await rejection(dom.setVcpu("1", true));
  assert.deepEqual([e.code, e.domain], [VIR.ERR_NO_SUPPORT, VIR.FROM_DOMAIN]);
  assert.equal(
    e.message,
    "this function is not supported by the connection driver: virDomainSetVcpu",
  );
  const n = await rejection(conn.listAllNetworks());
  assert.deepEqual([n.code, n.domain], [VIR.ERR_NO_SUPPORT, VIR.FROM_NETWORK]);
  await conn.close();
});

Deno.test("setVcpusFlags: libvirt's public-API checks run before the driver", async () => {
  const conn = await connect("fake:///x");
  const dom = await conn.lookupDomainByName("fake");
  calls.length = 0;
  const zero = await rejection(dom.setVcpusFlags(0, VIR.DOMAIN_AFFECT_LIVE));
  assert.deepEqual([zero.code, zero.domain], [8, 20]);
  assert.equal(zero.message, "nvcpus in virDomainSetVcpusFlags must not be zero");
  const max = await rejection(dom.setVcpusFlags(2, VIR.DOMAIN_VCPU_MAXIMUM));
  assert.equal(
    max.message,
    "Flag 'VIR_DOMAIN_AFFECT_CONFIG' is required by flag 'VIR_DOMAIN_VCPU_MAXIMUM'",
  );
  assert.deepEqual(calls, []);
  await dom.setVcpusFlags(2, VIR.DOMAIN_AFFECT_LIVE | VIR.DOMAIN_AFFECT_CONFIG);
  assert.deepEqual(calls, ["setVcpusFlags 2 3"]);
  await conn.close();
});

Deno.test("read-only connections refuse mutation before the driver sees it", async () => {
  const conn = await connect("fake:///x", { readonly: true });
  const dom = await conn.lookupDomainByName("fake");
  calls.length = 0;
  const e = await rejection(dom.setVcpusFlags(1, 0));
  assert.deepEqual([e.code, e.codeName], [VIR.ERR_OPERATION_DENIED, "VIR_ERR_OPERATION_DENIED"]);
  assert.equal(e.message, "operation forbidden: read only access prevents virDomainSetVcpusFlags");
  assert.deepEqual(calls, []);
  await conn.close();
});

Deno.test("a malformed UUID is rejected as libvirt does; create updates the handle's id", async () => {
  const conn = await connect("fake:///x");
  const e = await rejection(conn.lookupDomainByUUID("not-a-uuid"));
  // Byte for byte libvirt 9.0's answer (oracle/examples/scenarios/errors.out.jsonl).
  assert.deepEqual([e.code, e.domain, e.message], [8, 20, "Invalid UUID"]);
  const dom = await conn.lookupDomainByName("fake");
  await dom.create();
  assert.equal(dom.id, 9);
  await conn.close();
});

Deno.test("VirError carries names and round-trips through JSON", () => {
  const e = VirError.report("TEST", "INTERNAL_ERROR", "Domain 'test' is already running");
  assert.deepEqual(e.toJSON(), {
    code: 1,
    codeName: "VIR_ERR_INTERNAL_ERROR",
    domain: 12,
    domainName: "VIR_FROM_TEST",
    message: "internal error: Domain 'test' is already running",
  });
  const back = VirError.fromJSON(e.toJSON());
  assert.ok(back instanceof VirError);
  assert.deepEqual(back.toJSON(), e.toJSON());
  assert.equal(VirError.report("DOMAIN", "NO_DOMAIN").message, "Domain not found");
});

Deno.test("UUID strings are parsed like virUUIDParse and passed on canonical", async () => {
  const conn = await connect("test:///default");
  for (const u of [" 6695eb01-f6a4-8304-79aa-97f2502e193f", "6695EB01F6A4830479AA97F2502E193F "]) {
    assert.equal((await conn.lookupDomainByUUID(u)).name, "test");
  }
  const dash = await rejection(conn.lookupDomainByUUID("6695eb01-f-6a4-8304-79aa-97f2502e193f"));
  assert.deepEqual([dash.code, dash.domain, dash.message], [8, 20, "Invalid UUID"]);
  const net = await rejection(conn.lookupNetworkByUUID("bad"));
  assert.deepEqual(
    [net.code, net.domain, net.message],
    [8, 19, "uuidstr in virNetworkLookupByUUIDString must be a valid UUID"],
  );
  await conn.close();
});

Deno.test("save flags RUNNING and PAUSED are exclusive; rename needs a name", async () => {
  const conn = await connect("test:///default");
  const dom = await conn.lookupDomainByName("test");
  const both = VIR.DOMAIN_SAVE_RUNNING | VIR.DOMAIN_SAVE_PAUSED;
  for (const p of [dom.managedSave(both), dom.saveFlags("/tmp/x", null, both)]) {
    const e = await rejection(p);
    assert.equal(
      e.message,
      "Flags 'VIR_DOMAIN_SAVE_RUNNING' and 'VIR_DOMAIN_SAVE_PAUSED' are mutually exclusive",
    );
  }
  assert.equal(
    (await rejection(dom.rename(""))).message,
    "string new_name in virDomainRename must not be empty",
  );
  assert.deepEqual(await dom.getState(), [VIR.DOMAIN_RUNNING, VIR.DOMAIN_RUNNING_UNKNOWN]);
  await conn.close();
});
