// The nap between two queries of QEMU that an event cuts short (drivers/qemu/monitor/event_nap.ts),
// against the fake QEMU's monitor: the matching event ends it at once, one that came before the
// nap makes it return without sleeping, other events do not, and a closed monitor ends it.
import assert from "node:assert/strict";
import { QemuMonitor, QmpClient } from "../../../drivers/qemu/monitor/mod.ts";
import { eventNap } from "../../../drivers/qemu/monitor/event_nap.ts";
import { FakeQemu } from "../../../drivers/qemu/testing/mod.ts";

/** A nap long enough that only an event or a close ends it within the test's time. */
const LONG = 30_000;

async function withMonitor(fn: (qemu: FakeQemu, mon: QemuMonitor) => Promise<void>) {
  const qemu = new FakeQemu();
  const mon = new QemuMonitor(await QmpClient.open(qemu.connect()));
  try {
    await fn(qemu, mon);
  } finally {
    await mon.close();
  }
}

/** Settles `p` against a short timer: "done" or "pending". */
const state = (p: Promise<void>) =>
  Promise.race([
    p.then(() => "done"),
    new Promise((r) => setTimeout(() => r("pending"), 50)),
  ]);

Deno.test("event nap: the matching event ends it, others do not", async () => {
  await withMonitor(async (qemu, mon) => {
    const waker = eventNap(mon, (ev) => ev.event === "MIGRATION" && ev.data.status === "completed");
    try {
      const nap = waker.nap(LONG);
      qemu.emit("MIGRATION", { status: "active" });
      qemu.emit("RESUME");
      assert.equal(await state(nap), "pending");
      qemu.emit("MIGRATION", { status: "completed" });
      assert.equal(await state(nap), "done");
      assert.equal(waker.woken, false, "the nap took the wake-up");
    } finally {
      waker.close();
    }
  });
});

Deno.test("event nap: an event before the nap makes it return at once; a closed listener hears none", async () => {
  await withMonitor(async (qemu, mon) => {
    const waker = eventNap(mon, (ev) => ev.event === "JOB_STATUS_CHANGE");
    qemu.emit("JOB_STATUS_CHANGE", { id: "j", status: "concluded" });
    // The event reaches the listener with the next read of the monitor.
    await mon.run("query-status");
    assert.equal(waker.woken, true);
    assert.equal(await state(waker.nap(LONG)), "done");
    waker.close();
    qemu.emit("JOB_STATUS_CHANGE", { id: "j", status: "null" });
    await mon.run("query-status");
    assert.equal(waker.woken, false);
  });
});

Deno.test("event nap: the monitor's close ends it", async () => {
  const qemu = new FakeQemu();
  const mon = new QemuMonitor(await QmpClient.open(qemu.connect()));
  const waker = eventNap(mon, () => false);
  const nap = waker.nap(LONG);
  await mon.close();
  assert.equal(await state(nap), "done");
  waker.close();
});
