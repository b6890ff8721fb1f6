// Every race of a live vCPU hot(un)plug against libvirt 9.0.0's code, one test per case: the
// fake QEMU (or a stub monitor for multi-vCPU entities) holds, reorders, drops or forges
// DEVICE_DELETED and answers device_del as QEMU can. Each test names the C it follows
// (libvirt-9.0.0/src/qemu/…, line numbers of that release). Checked: the error (code, domain,
// message), online flags, order=, aliases, cgroups and the removal callbacks.
import assert from "node:assert/strict";
import type { CpuInfoFast } from "../../../drivers/qemu/monitor/mod.ts";
import { RecordingCgroup } from "../../../drivers/qemu/testing/mod.ts";
import type { FakeReply } from "../../../drivers/qemu/testing/mod.ts";
import {
  refreshVcpuInfo,
  setVcpusInternal,
  setVcpusLive,
} from "../../../drivers/qemu/hotplug/mod.ts";
import * as h from "./fake_qmp/harness.ts";

type Domain = Awaited<ReturnType<typeof h.fakeDomain>>;

/** Four sockets, vCPU 0 fixed and 1-3 plugged in order: orders 1..4. */
async function allPlugged(options: Parameters<typeof h.fakeDomain>[1] = {}, cg?: RecordingCgroup) {
  const d = await h.fakeDomain("N---", options, cg);
  await h.setCount(d, 4);
  assert.deepEqual(h.orders(d), [1, 2, 3, 4]);
  d.cgroup.calls.length = 0;
  return d;
}

/** vCPU 2's unplug changed nothing: still online with its alias, every order as plugged. */
function untouched(d: Domain): void {
  assert.equal(h.onlineMap(d.vm), "1111");
  assert.equal(d.vm.vcpus[2].priv.alias, "vcpu2");
  assert.deepEqual(h.orders(d), [1, 2, 3, 4]);
}

/** A timed-out unplug of `vcpu`, left held in the fake QEMU. */
async function timedOut(d: Domain, vcpu: number): Promise<void> {
  assert.deepEqual(await h.failure(h.setOne(d, vcpu, false)), [68, 10, h.UNPLUG_TIMEOUT]);
}

type Hook = (execute: string, args: Record<string, unknown>) => FakeReply | undefined;

/** {@link allPlugged} whose fake QEMU's commands can be intercepted afterwards. */
async function interceptable(options: Parameters<typeof h.fakeDomain>[1] = {}) {
  let hook: Hook = () => undefined;
  const d = await allPlugged({ ...options, onCommand: (e, a) => hook(e, a) });
  return Object.assign(d, { intercept: (h: Hook) => (hook = h) });
}

/** Answers the next device_del of `alias` with `reply`, running `before` first (events). */
function onDeviceDel(
  alias: string,
  before: () => void,
  reply?: { class: string; desc: string },
): Hook {
  let armed = true;
  return (execute, args) => {
    if (!armed || execute !== "device_del" || args.id !== alias) return undefined;
    armed = false;
    before();
    return reply ? { error: reply } : { return: {} };
  };
}

// --- unplug: qemuDomainHotplugDelVcpu (qemu_hotplug.c:6171-6219) ---

Deno.test("unplug, event after the reply: removed, then every order re-derived (qemu_hotplug.c:6205-6209)", async () => {
  const d = await allPlugged();
  await h.setOne(d, 2, false);
  assert.equal(h.onlineMap(d.vm), "1101");
  // qemuDomainVcpuPersistOrder after qemuDomainRemoveVcpu: QEMU now lists vCPUs 0, 1, 3.
  assert.deepEqual(h.orders(d), [1, 2, 0, 3]);
  assert.deepEqual(h.aliases(d), ["", "vcpu1", "", "vcpu3"]);
  assert.deepEqual(d.cgroup.calls, ["remove 2"]);
  assert.deepEqual(d.removed, [2]);
  await d.close();
});

Deno.test("unplug, event before the reply (eventSeen, rc 0): the same as on time (qemu_hotplug.c:101-134, 5207-5237)", async () => {
  // The fake finishes the unplug at once but answers device_del 20 ms later.
  const d = await allPlugged({ unplugDelayMs: 0, replyDelayMs: 20 });
  const seen: string[] = [];
  d.qmp.onEvent((ev) => seen.push(`${ev.event} ${ev.data.device ?? ""}`));
  const del = d.qemu.commands.length;
  const pending = h.setOne(d, 2, false);
  await h.waitFor(() => seen.includes("DEVICE_DELETED vcpu2"));
  assert.equal(d.qemu.commands.length, del + 1, "the event came while device_del was unanswered");
  await pending;
  assert.equal(h.onlineMap(d.vm), "1101");
  assert.deepEqual(h.orders(d), [1, 2, 0, 3]);
  await d.close();
});

Deno.test("unplug timeout, late DEVICE_DELETED: removed, orders untouched (qemu_hotplug.c:6104-6167, qemu_driver.c:3591-3622)", async () => {
  const d = await allPlugged({ unplug: "hold" });
  await timedOut(d, 2);
  untouched(d);
  d.qemu.releaseUnplug("vcpu2");
  await h.waitFor(() => d.removed.length === 1);
  await d.ctl.settled();
  assert.equal(h.onlineMap(d.vm), "1101");
  // qemuDomainRemoveVcpu never calls qemuDomainVcpuPersistOrder: the offline vCPU keeps order 3
  // (printed: virDomainDefFormat writes any non-zero order) and vCPU 3 keeps 4.
  assert.deepEqual(h.orders(d), [1, 2, 3, 4]);
  assert.deepEqual(h.aliases(d), ["", "vcpu1", "", "vcpu3"]);
  assert.deepEqual(d.cgroup.calls, ["remove 2"]);
  // The next plug re-derives them from QEMU's listing: 0, 1, 3, then the new 2.
  await h.setOne(d, 2, true);
  assert.deepEqual(h.orders(d), [1, 2, 4, 3]);
  await d.close();
});

Deno.test("unplug waits; the late event of another vCPU is queued behind the job (qemu_process.c:1162-1180)", async () => {
  const d = await allPlugged({ unplug: "hold" });
  await timedOut(d, 3);
  const pending = h.setOne(d, 2, false);
  await h.waitFor(() => d.qemu.heldUnplugs.includes("vcpu2"));
  // vCPU 3's DEVICE_DELETED matches no waiter: processDeviceDeletedEvent needs the job.
  d.qemu.releaseUnplug("vcpu3");
  await new Promise((r) => setTimeout(r, 5));
  assert.deepEqual(d.removed, []);
  d.qemu.releaseUnplug("vcpu2");
  await pending;
  assert.deepEqual(d.removed, [2]);
  // PersistOrder ran while vCPU 3 was still online with no enable id: it inherits order 2.
  assert.deepEqual(h.orders(d), [1, 2, 0, 2]);
  await d.ctl.settled();
  assert.deepEqual(d.removed, [2, 3]);
  assert.equal(h.onlineMap(d.vm), "1100");
  // The late removal leaves that inherited order as it is.
  assert.deepEqual(h.orders(d), [1, 2, 0, 2]);
  assert.deepEqual(d.logs, []);
  await d.close();
});

Deno.test("device_del DeviceNotFound, no event seen: 'cause is unknown', nothing changes (qemu_monitor_json.c:3877-3878, qemu_hotplug.c:113-131, 6181-6186)", async () => {
  // The first unplug's CPU went away without DEVICE_DELETED; a retry finds no such device.
  const d = await allPlugged({ unplug: "lost" });
  await timedOut(d, 2);
  assert.deepEqual(await h.failure(h.setOne(d, 2, false)), [
    1,
    0,
    "An error occurred, but the cause is unknown",
  ]);
  untouched(d);
  assert.deepEqual(d.removed, []);
  await d.close();
});

for (const [cls, desc] of [["DeviceNotFound", "Device 'vcpu2' not found"], ["GenericError", "x"]]) {
  Deno.test(`device_del ${cls} after the event was seen: success, removal finished (qemu_hotplug.c:118-122)`, async () => {
    const d = await interceptable({ unplug: "hold" });
    await timedOut(d, 2);
    // The timed-out unplug completes just as the retry's device_del arrives.
    d.intercept(onDeviceDel("vcpu2", () => d.qemu.releaseUnplug("vcpu2"), { class: cls, desc }));
    await h.setOne(d, 2, false);
    assert.equal(h.onlineMap(d.vm), "1101");
    assert.deepEqual(h.orders(d), [1, 2, 0, 3]);
    assert.deepEqual(d.removed, [2]);
    await d.ctl.settled();
    assert.deepEqual(d.removed, [2], "the event was the waiter's, not a late one");
    await d.close();
  });
}

Deno.test("device_del GenericError, no event: QEMU's error, nothing changes (qemu_monitor_json.c:3880-3881)", async () => {
  const d = await allPlugged({ unplug: "legacy" });
  assert.deepEqual(await h.failure(h.setOne(d, 2, false)), [
    1,
    10,
    "internal error: unable to execute QEMU command 'device_del': acpi: device unplug request " +
    "for not supported device type: qemu64-x86_64-cpu",
  ]);
  untouched(d);
  await d.close();
});

Deno.test("guest refusal before the device_del error reply: 'rejected by the guest' (qemu_hotplug.c:118-122, 5225-5229)", async () => {
  const d = await interceptable();
  d.intercept(onDeviceDel(
    "vcpu2",
    () =>
      d.qemu.emit("DEVICE_UNPLUG_GUEST_ERROR", {
        device: "vcpu2",
        path: "/machine/peripheral/vcpu2",
      }),
    { class: "GenericError", desc: "some failure" },
  ));
  assert.deepEqual(await h.failure(h.setOne(d, 2, false)), [
    9,
    10,
    "operation failed: unplug of device was rejected by the guest",
  ]);
  assert.deepEqual(d.failed, ["vcpu2"]);
  untouched(d);
  await d.close();
});

Deno.test("event seen but QEMU still runs the thread: error, vCPU stays, orders kept (qemu_hotplug.c:6116-6140, 6206-6207)", async () => {
  const d = await interceptable();
  // A forged DEVICE_DELETED: the CPU stays in query-cpus-fast with its thread.
  d.intercept(onDeviceDel("vcpu2", () => d.qemu.emit("DEVICE_DELETED", { device: "vcpu2" })));
  assert.deepEqual(await h.failure(h.setOne(d, 2, false)), [
    1,
    10,
    "internal error: qemu reported thread id for inactive vcpu '2'",
  ]);
  untouched(d);
  assert.deepEqual(d.cgroup.calls, []);
  await d.close();
});

Deno.test("late event while QEMU still runs the thread: logged, nothing changes (qemu_hotplug.c:6148-6167)", async () => {
  const d = await allPlugged({ unplug: "hold" });
  await timedOut(d, 2);
  d.qemu.emit("DEVICE_DELETED", { device: "vcpu2", path: "/machine/peripheral/vcpu2" });
  await h.waitFor(() => d.logs.length === 1);
  await d.ctl.settled();
  assert.deepEqual(d.logs, ["internal error: qemu reported thread id for inactive vcpu '2'"]);
  untouched(d);
  assert.deepEqual(d.removed, []);
  await d.close();
});

Deno.test("a late event for an alias no vCPU has any more changes nothing (qemu_hotplug.c:6163-6166)", async () => {
  const d = await allPlugged();
  await h.setOne(d, 3, false);
  d.qemu.emit("DEVICE_DELETED", { device: "vcpu3", path: "/machine/peripheral/vcpu3" });
  await h.waitFor(() => d.logs.length === 1);
  assert.deepEqual(d.logs, ["DEVICE_DELETED for unknown device 'vcpu3'"]);
  assert.equal(h.onlineMap(d.vm), "1110");
  assert.deepEqual(h.orders(d), [1, 2, 3, 0]);
  await d.close();
});

Deno.test("entity of two vCPUs, one thread left: the threadless one goes offline, then the error (qemu_hotplug.c:6116-6140)", async () => {
  const cpus: CpuInfoFast[] = [
    { "cpu-index": 0, "qom-path": "/machine/core0/thread[0]", "thread-id": 101 },
    { "cpu-index": 1, "qom-path": "/machine/core0/thread[1]", "thread-id": 102 },
    { "cpu-index": 2, "qom-path": "/machine/peripheral/vcpu2/thread[0]", "thread-id": 103 },
    { "cpu-index": 3, "qom-path": "/machine/peripheral/vcpu2/thread[1]", "thread-id": 104 },
  ];
  const mon = h.stubMonitor([
    { type: "core", "vcpus-count": 2, props: { "core-id": 0 }, "qom-path": "/machine/core0" },
    {
      type: "core",
      "vcpus-count": 2,
      props: { "core-id": 2 },
      "qom-path": "/machine/peripheral/vcpu2",
    },
  ], cpus);
  const rig = h.controllerFor(h.vcpuList("NNHH", [1, 1, 2, 2]), mon, 100);
  await refreshVcpuInfo(rig.vm, mon, false);
  // QEMU still runs one of the core's threads; the event comes before the reply. As
  // qemuMonitorGetCPUInfoHotplug (qemu_monitor.c:1676-1684), the remaining thread fills the
  // entity's first vCPU, so vCPU 3 has none.
  mon.onDel = (id) => {
    cpus.splice(2, 1);
    rig.ctl.handleEvent({ event: "DEVICE_DELETED", data: { device: id } });
  };
  assert.deepEqual(await h.failure(setVcpusLive(rig.ctl.ctx, [2], false)), [
    1,
    10,
    "internal error: qemu reported thread id for inactive vcpu '2'",
  ]);
  // vCPU 3 went offline with its cgroup; vCPU 2 keeps its alias. No order re-derived.
  assert.equal(h.onlineMap(rig.vm), "1110");
  assert.deepEqual(h.aliases(rig), ["", "", "vcpu2", ""]);
  assert.deepEqual(h.orders(rig), [1, 1, 2, 2]);
  assert.deepEqual(rig.cgroup.calls, ["remove 3"]);
  assert.deepEqual(rig.removed, [3]);
});

Deno.test("refresh failing after the event: error, vCPU stays online with its alias (qemu_hotplug.c:6114-6115)", async () => {
  let failQuery = false;
  const d = await allPlugged({
    onCommand: (e) =>
      failQuery && e === "query-hotpluggable-cpus"
        ? { error: { class: "GenericError", desc: "busy" } }
        : undefined,
  });
  d.qmp.onEvent((ev) => {
    if (ev.event === "DEVICE_DELETED" && ev.data.device === "vcpu2") failQuery = true;
  });
  assert.deepEqual(await h.failure(h.setOne(d, 2, false)), [
    1,
    10,
    "internal error: unable to execute QEMU command 'query-hotpluggable-cpus': busy",
  ]);
  untouched(d);
  await d.close();
});

Deno.test("unplug of several entities stops at the first failure, the done ones stay done (qemu_hotplug.c:6402-6410)", async () => {
  const d = await allPlugged({ unplug: (alias) => (alias === "vcpu2" ? "hold" : "ack") });
  assert.deepEqual(await h.failure(h.setCount(d, 1)), [68, 10, h.UNPLUG_TIMEOUT]);
  assert.equal(h.onlineMap(d.vm), "1110");
  assert.deepEqual(h.orders(d), [1, 2, 3, 0]);
  assert.deepEqual(
    d.qemu.commands.filter((c) => c.execute === "device_del").map((c) => c.arguments!.id),
    ["vcpu3", "vcpu2"],
  );
  await d.close();
});

/** vCPU 0 present, 1-3 pluggable, but QEMU refuses to add vCPU 3. */
function noRoomForVcpu3() {
  return h.fakeDomain("N---", {
    onCommand: (e, a) =>
      e === "device_add" && a.id === "vcpu3"
        ? { error: { class: "GenericError", desc: "no room" } }
        : undefined,
  });
}

// --- plug: qemuDomainHotplugAddVcpu (qemu_hotplug.c:6223-6291) ---

Deno.test("plugged vCPU without a thread id: vcpu+nvcpus named, orders not re-derived (qemu_hotplug.c:6265-6284)", async () => {
  const d = await h.fakeDomain("N---", { noTid: ["vcpu2"] });
  assert.deepEqual(await h.failure(h.setCount(d, 3)), [
    1,
    10,
    "internal error: qemu didn't report thread id for vcpu '3'",
  ]);
  assert.equal(h.onlineMap(d.vm), "1110");
  // vCPU 1's plug set orders 1, 2; vCPU 2's failed plug returned before PersistOrder.
  assert.deepEqual(h.orders(d), [1, 2, 0, 0]);
  assert.deepEqual(d.cgroup.calls, [`setup 1 ${d.vm.vcpus[1].priv.tid}`]);
  await d.close();
});

Deno.test("cgroup failure of an entity's first thread: the second stays offline, no orders (qemu_hotplug.c:6266-6274)", async () => {
  class FailingCgroup extends RecordingCgroup {
    override setupVcpu(vcpu: number, tid: number, cpumask?: number[]): Promise<void> {
      if (vcpu === 2) return Promise.reject(new Error("cgroup write failed"));
      return super.setupVcpu(vcpu, tid, cpumask);
    }
  }
  const mon = h.stubMonitor([
    { type: "core", "vcpus-count": 2, props: { "core-id": 0 }, "qom-path": "/machine/core0" },
    { type: "core", "vcpus-count": 2, props: { "core-id": 2 } },
  ], [
    { "cpu-index": 0, "qom-path": "/machine/core0/thread[0]", "thread-id": 101 },
    { "cpu-index": 1, "qom-path": "/machine/core0/thread[1]", "thread-id": 102 },
  ]);
  mon.afterAdd = [
    { "cpu-index": 2, "qom-path": "/machine/peripheral/vcpu2/thread[0]", "thread-id": 103 },
    { "cpu-index": 3, "qom-path": "/machine/peripheral/vcpu2/thread[1]", "thread-id": 104 },
  ];
  const rig = h.controllerFor(h.vcpuList("NN--"), mon, 100, new FailingCgroup());
  await refreshVcpuInfo(rig.vm, mon, false);
  const err = await setVcpusLive(rig.ctl.ctx, [2], true).then(() => undefined, (e) => e);
  assert.equal(err?.message, "cgroup write failed");
  assert.equal(h.onlineMap(rig.vm), "1110");
  assert.deepEqual(h.orders(rig), [0, 0, 0, 0]);
  assert.equal(rig.vm.individual, true);
});

Deno.test("refresh failing after device_add: individual set, vCPU not online (qemu_hotplug.c:6259-6263)", async () => {
  let added = false;
  const d = await h.fakeDomain("N---", {
    onCommand: (e) => {
      if (e === "device_add") added = true;
      else if (added && e === "query-hotpluggable-cpus") {
        return { error: { class: "GenericError", desc: "busy" } };
      }
      return undefined;
    },
  });
  assert.deepEqual(await h.failure(h.setOne(d, 1, true)), [
    1,
    10,
    "internal error: unable to execute QEMU command 'query-hotpluggable-cpus': busy",
  ]);
  assert.equal(h.onlineMap(d.vm), "1000");
  assert.equal(d.vm.individual, true);
  assert.equal(d.vm.vcpus[1].priv.alias, "vcpu1");
  assert.deepEqual(d.cgroup.calls, []);
  await d.close();
});

Deno.test("device_add failing: nothing online, the alias stays set (qemu_hotplug.c:6241-6254)", async () => {
  const d = await noRoomForVcpu3();
  assert.deepEqual(await h.failure(h.setCount(d, 4)), [
    1,
    10,
    "internal error: unable to execute QEMU command 'device_add': no room",
  ]);
  assert.equal(h.onlineMap(d.vm), "1110");
  assert.deepEqual(h.orders(d), [1, 2, 3, 0]);
  assert.equal(d.vm.vcpus[3].priv.alias, "vcpu3");
  await d.close();
});

// --- live and config together: qemuDomainSetVcpusInternal (qemu_hotplug.c:6497-6541) ---

Deno.test("--live --config: a live failure leaves the persistent config untouched (qemu_hotplug.c:6528-6529)", async () => {
  const d = await noRoomForVcpu3();
  const cfg = { vcpus: h.vcpuList("N---"), individual: false };
  const [code] = await h.failure(
    d.job.run(() => setVcpusInternal(d.ctl.ctx, cfg, 4, false)),
  );
  assert.equal(code, 1);
  assert.equal(h.onlineMap(d.vm), "1110");
  assert.equal(h.onlineMap(cfg), "1000");
  await d.close();
});

Deno.test("--live --config: both maxima are checked before the live selection (qemu_hotplug.c:6508-6526)", async () => {
  const d = await h.fakeDomain("NNNN");
  const cfg = { vcpus: h.vcpuList("NN"), individual: false };
  assert.deepEqual(await h.failure(setVcpusInternal(d.ctl.ctx, cfg, 3, false)), [
    8,
    10,
    "invalid argument: requested vcpus is greater than max allowable vcpus for the persistent domain: 3 > 2",
  ]);
  // Live alone, the selection is what fails.
  assert.deepEqual(await h.failure(setVcpusInternal(d.ctl.ctx, undefined, 3, false)), [
    67,
    10,
    "unsupported configuration: failed to find appropriate hotpluggable vcpus to reach the desired target vcpu count",
  ]);
  await d.close();
});
