// libvirt's public-API checks on raw gateway calls, without the client: every case the contract's
// checks give (tests/tools/public_checks/cases.ts) sent as a bare JSON call over HTTP and over the
// RPC WebSocket (and through the client's in-process path) must get the code, domain and message libvirt 9.0 gave for the same call through
// python-libvirt (recorded by tests/tools/public_checks/record.sh), and change nothing.
import assert from "node:assert/strict";
import { invoke } from "../../client/invoke.ts";
import { openTestConnection } from "../../drivers/simulator/mod.ts";
import type { DriverMethod } from "../../util/driver.ts";
import { callInfo, validateArgs } from "../../util/contract/mod.ts";
import type { VirError } from "../../util/errors.ts";
import { checkCases } from "../tools/public_checks/cases.ts";
import { rawRpcSocket, rpc, serveGateway, snapshot, startGateway, TOKENS } from "./helpers.ts";

interface Recorded {
  method: string;
  breaks: string;
  args: unknown[];
  readonly: boolean;
  error?: { code: number; domain: number; message: string };
  ok?: true;
  skipped?: string;
}

const RECORDED: Recorded[] = JSON.parse(
  await Deno.readTextFile(new URL("golden/public_checks.json", import.meta.url)),
);
const refused = RECORDED.filter((c) => c.error);
/** Whether the case's arguments can be sent at all: XDR cannot carry a negative unsigned long. */
const onWire = (c: Recorded) => {
  try {
    validateArgs(callInfo(c.method as DriverMethod), c.args);
    return true;
  } catch {
    return false;
  }
};
const wire = refused.filter(onWire);
/** Only a caller of the public API can break these (C wraps the value before the wire). */
const clientOnly = refused.filter((c) => !onWire(c));
/** In-process there is no remote protocol, hence none of its limits. */
const local = refused.filter((c) => c.breaks !== "wire");
const label = (c: Recorded) => `${c.method} (${c.breaks}${c.readonly ? ", read-only" : ""})`;
const key = (c: { method: string; breaks: string; args: unknown[]; readonly: boolean }) =>
  JSON.stringify([c.method, c.breaks, c.args, c.readonly]);

Deno.test("the recording covers every case the contract's checks give (re-record after a change)", () => {
  const recorded = new Set(RECORDED.map(key));
  const missing = checkCases().filter((c) => !recorded.has(key(c))).map(label);
  assert.deepEqual(missing, []);
  assert.ok(refused.length >= 200, `only ${refused.length} cases libvirt refused`);
});

Deno.test("libvirt refuses every recorded case before its driver runs (no check of ours that libvirt lacks)", () => {
  // A case libvirt ran means the contract declares a check libvirt does not have.
  assert.deepEqual(RECORDED.filter((c) => c.ok).map(label), []);
});

Deno.test(`HTTP: ${wire.length} raw calls breaking libvirt's checks get libvirt's error and change nothing`, async () => {
  const gw = await startGateway();
  try {
    const before = await snapshot(gw);
    for (const c of wire) {
      const token = c.readonly ? TOKENS.readOnly : TOKENS.full;
      const { status, body } = await rpc(gw, c.method, c.args, token);
      assert.ok(status >= 400, `${label(c)}: ${status}`);
      assert.deepEqual(
        { code: body.code, domain: body.domain, message: body.message },
        c.error,
        label(c),
      );
    }
    assert.equal(await snapshot(gw), before);
  } finally {
    await gw.close();
  }
});

Deno.test(`RPC socket: ${wire.length} raw calls breaking libvirt's checks get libvirt's error and change nothing`, async () => {
  const gw = await startGateway();
  const server = await serveGateway(gw);
  try {
    const before = await snapshot(gw);
    const rw = await rawRpcSocket(server.port, TOKENS.full);
    const ro = await rawRpcSocket(server.port, TOKENS.readOnly);
    assert.equal((await rw.opened).error, undefined);
    assert.equal((await ro.opened).error, undefined);
    await Promise.all(wire.map(async (c) => {
      const { error } = await (c.readonly ? ro : rw).call(c.method, c.args);
      assert.deepEqual(
        { code: error?.code, domain: error?.domain, message: error?.message },
        c.error,
        label(c),
      );
    }));
    rw.close();
    ro.close();
    assert.equal(await snapshot(gw), before);
  } finally {
    await server.close();
    await gw.close();
  }
});

Deno.test(`in-process client path: the ${local.length} cases without a wire limit get the same errors`, async () => {
  const rw = await openTestConnection(new URL("test:///default"), {});
  try {
    for (const c of local) {
      // The recorded arguments are the wire's JSON; invoke's typed rest is for callers that know
      // their method statically.
      const call = invoke as (...a: unknown[]) => Promise<unknown>;
      const err = await call(rw, c.readonly, c.method as DriverMethod, undefined, ...c.args).then(
        () => undefined,
        (e: VirError) => ({ code: e.code, domain: e.domain, message: e.message }),
      );
      assert.deepEqual(err, c.error, label(c));
    }
  } finally {
    await rw.connectClose();
  }
});

Deno.test("arguments XDR cannot carry are refused raw as RPC errors and change nothing", async () => {
  assert.ok(clientOnly.length > 0);
  const gw = await startGateway();
  try {
    const before = await snapshot(gw);
    for (const c of clientOnly) {
      const { body } = await rpc(gw, c.method, c.args, TOKENS.full);
      assert.equal(body.codeName, "VIR_ERR_INVALID_ARG", label(c));
      assert.equal(body.domainName, "VIR_FROM_RPC", label(c));
    }
    assert.equal(await snapshot(gw), before);
  } finally {
    await gw.close();
  }
});

Deno.test("REST actions run the same checks: vcpus or memory without a value change nothing", async () => {
  const gw = await startGateway();
  try {
    const before = await snapshot(gw);
    const post = async (path: string) => {
      const res = await gw.app.request(`/v1/test/default/domains/test/${path}`, {
        method: "POST",
        headers: { authorization: `Bearer ${TOKENS.full}` },
      });
      return { status: res.status, body: await res.json() };
    };
    const vcpus = await post("vcpus");
    assert.equal(vcpus.status, 400);
    assert.equal(vcpus.body.codeName, "VIR_ERR_INVALID_ARG");
    assert.equal(vcpus.body.domainName, "VIR_FROM_DOMAIN");
    assert.equal(vcpus.body.message, "nvcpus in virDomainSetVcpusFlags must not be zero");
    const maximum = await post("vcpus?count=2&flags=4");
    assert.equal(
      maximum.body.message,
      "Flag 'VIR_DOMAIN_AFFECT_CONFIG' is required by flag 'VIR_DOMAIN_VCPU_MAXIMUM'",
    );
    const memory = await post("memory");
    assert.equal(memory.body.message, "memory in virDomainSetMemoryFlags must not be zero");
    assert.equal(await snapshot(gw), before);
  } finally {
    await gw.close();
  }
});
