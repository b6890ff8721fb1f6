// Long operations, Incus's model: 202 + Location, GET with ?wait= for the end, the libvirt error
// of a failed one, DELETE to cancel where libvirt can abort (and libvirt's refusal where not),
// each caller seeing only its own; a QEMU domain's start (the fake QEMU) is one without asking.
import assert from "node:assert/strict";
import { domainXml, startGateway, TOKENS } from "./helpers.ts";
import { OperationTable } from "../../gateway/operations.ts";
import { answersAsync } from "../../gateway/operation_routes.ts";
import { VirError } from "../../util/errors.ts";
import { qemuConnectDriver } from "../../drivers/qemu/mod.ts";
import { FakeLauncher } from "../../drivers/qemu/testing/mod.ts";
import { createGateway } from "../../gateway/app.ts";
import { hostDrivers } from "../../host.ts";

const BASE = "/v1/test/default";
const AUTH = { authorization: `Bearer ${TOKENS.full}` };
const ASYNC = { ...AUTH, prefer: "respond-async" };

Deno.test("start and snapshot as operations: 202, wait, result or libvirt's error", async () => {
  const gw = await startGateway();
  const req = (path: string, init: RequestInit = {}) =>
    gw.app.request(path, { ...init, headers: { ...AUTH, ...init.headers } });
  try {
    await req(`${BASE}/domains`, {
      method: "POST",
      headers: { "content-type": "application/xml" },
      body: domainXml("web-1"),
    });
    const started = await req(`${BASE}/domains/web-1/start`, { method: "POST", headers: ASYNC });
    assert.equal(started.status, 202);
    const op = await started.json();
    assert.equal(started.headers.get("location"), `/v1/operations/${op.id}`);
    assert.deepEqual([op.description, op.resource, op.mayCancel], [
      "start domain web-1",
      `${BASE}/domains/web-1`,
      false,
    ]);
    const done = await (await req(`/v1/operations/${op.id}?wait=5`)).json();
    assert.deepEqual([done.status, done.statusCode], ["success", 200]);
    const info = await (await req(`${BASE}/domains/web-1`)).json();
    assert.equal(info.stateName, "running");

    // Starting it again fails: the operation ends with libvirt's error.
    const again = await (await req(`${BASE}/domains/web-1/start`, {
      method: "POST",
      headers: ASYNC,
    })).json();
    const failed = await (await req(`/v1/operations/${again.id}?wait=5`)).json();
    assert.deepEqual([failed.status, failed.statusCode], ["failure", 400]);
    assert.equal(failed.error.message, "internal error: Domain 'web-1' is already running");
    // An operation that ended cannot be cancelled; one of another caller does not exist.
    const late = await req(`/v1/operations/${again.id}`, { method: "DELETE" });
    assert.equal(late.status, 409);
    const other = await gw.app.request(`/v1/operations/${again.id}`, {
      headers: { authorization: `Bearer ${TOKENS.readOnly}` },
    });
    assert.equal(other.status, 404);
    assert.deepEqual(await (await req("/v1/operations")).json(), [
      `/v1/operations/${op.id}`,
      `/v1/operations/${again.id}`,
    ]);

    const snap = await req(`${BASE}/domains/web-1/snapshot?name=s1`, {
      method: "POST",
      headers: ASYNC,
    });
    assert.equal(snap.status, 202);
    const snapped = await (await req(`/v1/operations/${(await snap.json()).id}?wait=5`)).json();
    assert.equal(snapped.status, "success", JSON.stringify(snapped));
    assert.equal((await req(`/v1/operations/x?wait=nope`)).status, 404);
    assert.equal((await req(`/v1/operations/${op.id}?wait=nope`)).status, 400);
    // Without Prefer on a driver whose calls are instant, the answer is the result itself.
    const sync = await req(`${BASE}/domains/web-1/suspend`, { method: "POST" });
    assert.equal(sync.status, 200);
  } finally {
    await gw.close();
  }
});

Deno.test("QEMU's long actions answer with operations; others only when asked", () => {
  const plain = new Request("http://gw/");
  const prefer = new Request("http://gw/", { headers: { prefer: "respond-async, wait=5" } });
  assert.equal(answersAsync(true, "QEMU", plain), true);
  assert.equal(answersAsync(true, "TEST", plain), false);
  assert.equal(answersAsync(true, "TEST", prefer), true);
  assert.equal(answersAsync(false, "QEMU", prefer), false);
});

Deno.test("cancelling runs libvirt's abort; a running operation reports its progress", async () => {
  const ops = new OperationTable();
  let fail!: (e: unknown) => void;
  let polled = 0;
  const op = ops.start({
    owner: "a",
    description: "save domain web-1",
    resource: "/v1/test/default/domains/web-1",
    run: () => new Promise((_, reject) => (fail = reject)),
    cancel: () => {
      fail(VirError.report("DOMAIN", "OPERATION_ABORTED", "job aborted"));
      return Promise.resolve();
    },
    progress: () => Promise.resolve({ dataProcessed: ++polled * 10, dataTotal: 100 }),
  });
  assert.deepEqual((await ops.get(op.id, "a")).progress, { dataProcessed: 10, dataTotal: 100 });
  assert.equal(ops.owns(op.id, "b"), false);
  const waited = Date.now();
  await ops.wait(op.id, 0.05, "a");
  assert.ok(Date.now() - waited >= 40);
  const cancelled = await ops.cancel(op.id, "a");
  assert.deepEqual([cancelled.status, cancelled.statusCode], ["cancelled", 401]);
  assert.equal(cancelled.error?.codeName, "VIR_ERR_OPERATION_ABORTED");
  const never = ops.start({
    owner: "a",
    description: "start",
    resource: "/x",
    run: () => new Promise(() => {}),
  });
  await assert.rejects(ops.cancel(never.id, "a"), /'start' cannot be cancelled/);
});

Deno.test("a QEMU domain's start answers 202 without asking, and ends running", async () => {
  const stateDir = await Deno.makeTempDir({ prefix: "ev-ops-" });
  const driver = await qemuConnectDriver.open(new URL("qemu:///session"), {
    stateDir,
    launcher: new FakeLauncher({}),
  });
  const gw = await createGateway({
    drivers: [{ uri: "qemu:///session", driver }],
    registry: hostDrivers(),
    auth: "none",
  });
  const base = "/v1/qemu/session/domains";
  try {
    const defined = await gw.app.request(base, {
      method: "POST",
      headers: { "content-type": "application/xml" },
      body: `<domain type='qemu'><name>q1</name><memory unit='MiB'>64</memory>
<os><type arch='x86_64' machine='q35'>hvm</type></os><devices><memballoon model='none'/></devices></domain>`,
    });
    assert.equal(defined.status, 201, await defined.clone().text());
    const started = await gw.app.request(`${base}/q1/start`, { method: "POST" });
    assert.equal(started.status, 202);
    const op = await started.json();
    const done = await (await gw.app.request(`/v1/operations/${op.id}?wait=10`)).json();
    assert.equal(done.status, "success", JSON.stringify(done));
    const info = await (await gw.app.request(`${base}/q1`)).json();
    assert.equal(info.stateName, "running");
    const destroyed = await gw.app.request(`${base}/q1/destroy`, { method: "POST" });
    assert.equal(destroyed.status, 200);
  } finally {
    await gw.close();
    await driver.connectClose();
    await Deno.remove(stateDir, { recursive: true });
  }
});
