import assert from "node:assert/strict";
import {
  connectQmpUnix,
  monitorErrorToVir,
  QmpClient,
  QmpClosedError,
  QmpCommandError,
  type QmpEvent,
  QmpTimeoutError,
  readLines,
  streamPair,
} from "../../../drivers/qemu/monitor/mod.ts";
import { FakeQemu } from "../../../drivers/qemu/testing/mod.ts";
import { VirError } from "../../../util/errors.ts";

/** A hand-driven QMP peer: the test decides what to send and when. */
function rawPeer() {
  const { client, server } = streamPair();
  const writer = server.writable.getWriter();
  const lines = readLines(server.readable.getReader());
  const send = (msg: unknown) =>
    writer.write(new TextEncoder().encode(JSON.stringify(msg) + "\r\n"));
  const next = async () => JSON.parse((await lines.next()).value as string);
  return { client, send, next, close: () => writer.close() };
}

async function openRaw() {
  const peer = rawPeer();
  await peer.send({
    QMP: { version: { qemu: { major: 7, minor: 2, micro: 0 } }, capabilities: [] },
  });
  const opening = QmpClient.open(peer.client, { timeoutMs: 2000 });
  const caps = await peer.next();
  assert.equal(caps.execute, "qmp_capabilities");
  await peer.send({ return: {}, id: caps.id });
  return { peer, qmp: await opening };
}

Deno.test("greeting and qmp_capabilities come first", async () => {
  const qemu = new FakeQemu();
  const qmp = await QmpClient.open(qemu.connect());
  assert.equal(qmp.greeting.version.qemu.major, 7);
  assert.deepEqual(qemu.commands, [{ execute: "qmp_capabilities" }]);
  await qmp.close();
});

Deno.test("replies are matched by id even when they come out of order", async () => {
  const { peer, qmp } = await openRaw();
  const a = qmp.execute("query-a");
  const b = qmp.execute("query-b");
  const ca = await peer.next();
  const cb = await peer.next();
  await peer.send({ return: "B", id: cb.id });
  await peer.send({ return: "A", id: ca.id });
  assert.deepEqual([await a, await b], ["A", "B"]);
  await qmp.close();
});

Deno.test("events are delivered in arrival order, interleaved with replies", async () => {
  const { peer, qmp } = await openRaw();
  const seen: string[] = [];
  let third!: () => void;
  const gotThird = new Promise<void>((r) => (third = r));
  qmp.onEvent((ev: QmpEvent) => {
    seen.push(`${ev.event}:${ev.data.n}`);
    if (ev.data.n === 3) third();
  });
  const p = qmp.execute("cmd");
  const c = await peer.next();
  await peer.send({ event: "E", data: { n: 1 } });
  await peer.send({ event: "E", data: { n: 2 } });
  await peer.send({ return: {}, id: c.id });
  await p;
  seen.push("reply");
  await peer.send({ event: "E", data: { n: 3 } });
  await gotThird;
  assert.deepEqual(seen, ["E:1", "E:2", "reply", "E:3"]);
  await qmp.close();
});

Deno.test("a command times out on its own; a late reply is dropped; the next works", async () => {
  const { peer, qmp } = await openRaw();
  const slow = qmp.execute("slow", undefined, { timeoutMs: 30 });
  const cs = await peer.next();
  await assert.rejects(slow, QmpTimeoutError);
  await peer.send({ return: "late", id: cs.id });
  const fast = qmp.execute("fast");
  const cf = await peer.next();
  await peer.send({ return: "ok", id: cf.id });
  assert.equal(await fast, "ok");
  const vir = monitorErrorToVir(new QmpTimeoutError("slow", 30)) as VirError;
  assert.equal(vir.codeName, "VIR_ERR_OPERATION_TIMEOUT");
  await qmp.close();
});

Deno.test("QMP errors carry class and description, reported as libvirt does", async () => {
  const qemu = new FakeQemu({ sockets: 4 });
  const qmp = await QmpClient.open(qemu.connect());
  const e = await qmp.execute("device_del", { id: "vcpu9" }).catch((x) => x);
  assert.ok(e instanceof QmpCommandError);
  assert.equal(e.errorClass, "DeviceNotFound");
  const vir = monitorErrorToVir(e) as VirError;
  assert.equal(vir.codeName, "VIR_ERR_INTERNAL_ERROR");
  assert.equal(vir.domainName, "VIR_FROM_QEMU");
  assert.equal(
    vir.message,
    "internal error: unable to execute QEMU command 'device_del': Device 'vcpu9' not found",
  );
  await qmp.close();
});

Deno.test("EOF rejects pending commands and resolves closed", async () => {
  const { peer, qmp } = await openRaw();
  const pending = qmp.execute("never-answered");
  await peer.next();
  await peer.close();
  await assert.rejects(pending, QmpClosedError);
  await qmp.closed;
  assert.equal(qmp.isClosed, true);
  await assert.rejects(qmp.execute("after"), QmpClosedError);
});

Deno.test("a crashing fake QEMU is seen as EOF", async () => {
  const qemu = new FakeQemu();
  const qmp = await QmpClient.open(qemu.connect());
  qemu.crash();
  await qmp.closed;
  await assert.rejects(qmp.execute("query-status"), QmpClosedError);
});

Deno.test("fake QEMU: device_add errors use QEMU 7.2's texts", async () => {
  const qemu = new FakeQemu({ sockets: 4 });
  const qmp = await QmpClient.open(qemu.connect());
  const add = (args: Record<string, unknown>) =>
    qmp.execute("device_add", { driver: "qemu64-x86_64-cpu", ...args }).then(
      () => "ok",
      (e: QmpCommandError) => e.desc,
    );
  const slot = { "socket-id": 1, "core-id": 0, "thread-id": 0 };
  assert.equal(await add({ id: "vcpu1", ...slot }), "ok");
  assert.equal(await add({ id: "vcpu1", ...slot }), "Duplicate device ID 'vcpu1'");
  assert.equal(await add({ id: "vcpu2", ...slot }), "CPU[1] with APIC ID 1 exists");
  assert.equal(
    await add({ id: "vcpu3", ...slot, "socket-id": 99 }),
    "Invalid CPU socket-id: 99 must be in range 0:3",
  );
  assert.equal(await add({ id: "vcpu3" }), "CPU socket-id is not set");
  assert.equal(
    await add({ id: "vcpu3", driver: "x", ...slot }),
    "Invalid CPU type, expected cpu type: 'qemu64-x86_64-cpu'",
  );
  await qmp.close();
});

Deno.test("fake QEMU: an acknowledged unplug sends the lapic DEVICE_DELETED first", async () => {
  const qemu = new FakeQemu({ sockets: 2, unplug: "ack", unplugDelayMs: 1 });
  const qmp = await QmpClient.open(qemu.connect());
  const events: Record<string, unknown>[] = [];
  const done = new Promise<void>((resolve) =>
    qmp.onEvent((ev) => {
      events.push(ev.data);
      if (ev.data.device) resolve();
    })
  );
  await qmp.execute("device_add", {
    driver: "qemu64-x86_64-cpu",
    id: "vcpu1",
    "socket-id": 1,
    "core-id": 0,
    "thread-id": 0,
  });
  await qmp.execute("device_del", { id: "vcpu1" });
  await done;
  assert.deepEqual(events, [
    { path: "/machine/peripheral/vcpu1/lapic" },
    { device: "vcpu1", path: "/machine/peripheral/vcpu1" },
  ]);
  assert.equal(qemu.presentCpus.length, 1);
  await qmp.close();
});

Deno.test("QMP over a unix socket", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/qmp.sock`;
  const qemu = new FakeQemu();
  const listener = Deno.listen({ transport: "unix", path });
  const serving = (async () => {
    const conn = await listener.accept();
    const peer = qemu.connect();
    await Promise.all([conn.readable.pipeTo(peer.writable), peer.readable.pipeTo(conn.writable)])
      .catch(() => {});
  })();
  const qmp = await connectQmpUnix(path, { waitMs: 1000 });
  assert.deepEqual(await qmp.execute("query-status"), { running: false, status: "prelaunch" });
  await qmp.close();
  listener.close();
  await serving;
  await Deno.remove(dir, { recursive: true });
});
