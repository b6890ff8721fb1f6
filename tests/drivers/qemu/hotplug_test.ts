import assert from "node:assert/strict";
import { type CpuInfoFast, QemuMonitor, QmpClient } from "../../../drivers/qemu/monitor/mod.ts";
import { FakeQemu } from "../../../drivers/qemu/testing/mod.ts";
import {
  planVcpuCount,
  planVcpuSelection,
  refreshVcpuInfo,
  setVcpusLive,
  startupVcpus,
  validateHotpluggableVcpus,
  validateVcpuInfo,
} from "../../../drivers/qemu/hotplug/mod.ts";
import { VirError } from "../../../util/errors.ts";
import {
  aliases,
  controllerFor,
  fakeDomain,
  onlineMap,
  orders,
  setCount,
  setOne,
  stubMonitor,
  UNPLUG_TIMEOUT,
  vcpuList,
  waitFor,
} from "./fake_qmp/harness.ts";

function virError(e: unknown): VirError {
  assert.ok(e instanceof VirError, `expected a VirError, got ${e}`);
  return e;
}

Deno.test("plug: device_add with alias vcpuN, orders, a cgroup per new vCPU", async () => {
  const d = await fakeDomain("N---");
  await setCount(d, 4);
  const adds = d.qemu.commands.filter((c) => c.execute === "device_add").map((c) => c.arguments);
  assert.deepEqual(
    adds,
    [1, 2, 3].map((i) => ({
      driver: "qemu64-x86_64-cpu",
      id: `vcpu${i}`,
      "core-id": 0,
      "thread-id": 0,
      "socket-id": i,
    })),
  );
  assert.equal(onlineMap(d.vm), "1111");
  assert.deepEqual(orders(d), [1, 2, 3, 4]);
  assert.deepEqual(aliases(d), ["", "vcpu1", "vcpu2", "vcpu3"]);
  assert.equal(d.vm.individual, true);
  const tids = d.vm.vcpus.map((v) => v.priv.tid);
  assert.equal(new Set(tids).size, 4);
  assert.deepEqual(d.cgroup.calls, [1, 2, 3].map((i) => `setup ${i} ${tids[i]}`));
  await d.close();
});

Deno.test("unplug success: the lapic event is ignored, the vCPU's own event completes it", async () => {
  const d = await fakeDomain("N---", { unplug: "ack" });
  await setCount(d, 3);
  d.cgroup.calls.length = 0;
  await setCount(d, 2);
  assert.equal(onlineMap(d.vm), "1100");
  assert.equal(d.vm.vcpus[2].priv.alias, undefined);
  assert.equal(d.vm.vcpus[2].order, 0);
  assert.deepEqual(d.cgroup.calls, ["remove 2"]);
  assert.deepEqual(d.removed, [2]);
  assert.deepEqual(d.logs, []);
  await d.close();
});

Deno.test("unplug timeout keeps the vCPU online with its alias; the late event removes it", async () => {
  const d = await fakeDomain("N---", { unplug: "hold" });
  await setCount(d, 3);
  const err = virError(await setCount(d, 2).catch((e) => e));
  assert.equal(err.codeName, "VIR_ERR_OPERATION_TIMEOUT");
  assert.equal(err.message, UNPLUG_TIMEOUT);
  assert.equal(onlineMap(d.vm), "1110");
  assert.equal(d.vm.vcpus[2].priv.alias, "vcpu2");
  // A refresh while QEMU still holds it changes nothing.
  await refreshVcpuInfo(d.vm, d.monitor, false);
  assert.equal(d.vm.vcpus[2].priv.alias, "vcpu2");

  d.qemu.releaseUnplug("vcpu2");
  await waitFor(() => d.removed.length === 1);
  await d.ctl.settled();
  assert.equal(onlineMap(d.vm), "1100");
  assert.equal(d.vm.vcpus[2].priv.alias, undefined);
  assert.deepEqual(d.removed, [2]);
  assert.ok(d.cgroup.calls.includes("remove 2"));
  assert.deepEqual(d.logs, []);
  await d.close();
});

Deno.test("two timed-out unplugs whose events arrive in reverse order", async () => {
  const d = await fakeDomain("N---", { unplug: "hold" });
  await setCount(d, 4);
  for (const id of [3, 2]) {
    const err = virError(await setOne(d, id, false).catch((e) => e));
    assert.equal(err.codeName, "VIR_ERR_OPERATION_TIMEOUT");
  }
  assert.deepEqual(d.qemu.heldUnplugs, ["vcpu3", "vcpu2"]);
  d.qemu.releaseUnplug("vcpu2");
  await waitFor(() => d.removed.length === 1);
  await d.ctl.settled();
  assert.equal(onlineMap(d.vm), "1101");
  assert.equal(d.vm.vcpus[3].priv.alias, "vcpu3");
  d.qemu.releaseUnplug("vcpu3");
  await waitFor(() => d.removed.length === 2);
  await d.ctl.settled();
  assert.equal(onlineMap(d.vm), "1100");
  assert.deepEqual(d.removed, [2, 3]);
  assert.deepEqual(d.logs, []);
  await d.close();
});

Deno.test("a plug while another unplug is pending raises no error about the other vCPU", async () => {
  const d = await fakeDomain("N---", { unplug: "lost" });
  await setCount(d, 3);
  const err = virError(await setOne(d, 2, false).catch((e) => e));
  assert.equal(err.codeName, "VIR_ERR_OPERATION_TIMEOUT");
  // QEMU already dropped vCPU 2, but its DEVICE_DELETED was not seen: the whole-domain check
  // that libvirt used before the fix would now fail on vCPU 2.
  await setOne(d, 3, true);
  assert.throws(() => validateVcpuInfo(d.vm), /didn't report thread id for vcpu '2'/);
  assert.equal(onlineMap(d.vm), "1111");
  assert.equal(d.vm.vcpus[2].priv.alias, "vcpu2");

  d.qemu.emit("DEVICE_DELETED", { device: "vcpu2", path: "/machine/peripheral/vcpu2" });
  await waitFor(() => d.removed.length === 1);
  await d.ctl.settled();
  assert.equal(onlineMap(d.vm), "1101");
  assert.deepEqual(d.removed, [2]);
  assert.deepEqual(d.logs, []);
  await d.close();
});

Deno.test("a plugged vCPU without a thread id is an error, after the others got cgroups", async () => {
  const d = await fakeDomain("N---", { noTid: ["vcpu2"] });
  const err = virError(await setCount(d, 4).catch((e) => e));
  assert.equal(err.codeName, "VIR_ERR_INTERNAL_ERROR");
  // libvirt names the loop index after its loop (vcpu + nvcpus), not the vCPU that lacked it.
  assert.equal(err.message, "internal error: qemu didn't report thread id for vcpu '3'");
  assert.deepEqual(d.cgroup.calls, [`setup 1 ${d.vm.vcpus[1].priv.tid}`]);
  assert.equal(onlineMap(d.vm), "1110");
  await d.close();
});

Deno.test("an entity of two vCPUs: the thread that has an id gets its cgroup before the error", async () => {
  // A ppc64-like core of two threads; QEMU reports a thread id for only one of them.
  const mon = stubMonitor([
    { type: "core", "vcpus-count": 2, props: { "core-id": 0 }, "qom-path": "/machine/core0" },
    { type: "core", "vcpus-count": 2, props: { "core-id": 2 } },
  ], [
    { "cpu-index": 0, "qom-path": "/machine/core0/thread[0]", "thread-id": 101 },
    { "cpu-index": 1, "qom-path": "/machine/core0/thread[1]", "thread-id": 102 },
  ]);
  const rig = controllerFor(vcpuList("NN--"), mon, 100);
  await refreshVcpuInfo(rig.vm, mon, false);
  mon.afterAdd = [
    { "cpu-index": 2, "qom-path": "/machine/peripheral/vcpu2/thread[0]", "thread-id": 103 },
    { "cpu-index": 3, "qom-path": "/machine/peripheral/vcpu2/thread[1]" } as CpuInfoFast,
  ];
  const err = virError(await setVcpusLive(rig.ctl.ctx, [2], true).catch((e) => e));
  assert.equal(err.message, "internal error: qemu didn't report thread id for vcpu '4'");
  assert.deepEqual(rig.cgroup.calls, ["setup 2 103"]);
});

Deno.test("TCG-style duplicate thread ids are discarded, without errors", async () => {
  const d = await fakeDomain("N---", { tids: "shared" });
  await setCount(d, 3);
  assert.deepEqual(d.vm.vcpus.map((v) => v.priv.tid), [0, 0, 0, 0]);
  assert.deepEqual(d.cgroup.calls, []);
  assert.ok(d.logs.some((l) => l.includes("not distinct")));
  await d.close();
});

Deno.test("a guest refusal fails the unplug and reports a device-removal-failed event", async () => {
  const d = await fakeDomain("N---", { unplug: "reject" });
  await setCount(d, 3);
  const err = virError(await setCount(d, 2).catch((e) => e));
  assert.equal(err.codeName, "VIR_ERR_OPERATION_FAILED");
  assert.equal(err.message, "operation failed: unplug of device was rejected by the guest");
  assert.deepEqual(d.failed, ["vcpu2"]);
  assert.equal(onlineMap(d.vm), "1110");
  await d.close();
});

Deno.test("QEMU refusing device_del (legacy ACPI mode) is libvirt's internal error", async () => {
  const d = await fakeDomain("N---", { unplug: "legacy" });
  await setCount(d, 3);
  const err = virError(await setCount(d, 2).catch((e) => e));
  assert.equal(
    err.message,
    "internal error: unable to execute QEMU command 'device_del': acpi: device unplug request " +
      "for not supported device type: qemu64-x86_64-cpu",
  );
  assert.equal(onlineMap(d.vm), "1110");
  await d.close();
});

Deno.test("live request errors use libvirt's texts", async () => {
  const d = await fakeDomain("N---");
  const msg = (fn: () => unknown) => {
    try {
      fn();
    } catch (e) {
      return virError(e).message;
    }
    return "no error";
  };
  assert.equal(
    msg(() => planVcpuCount(d.vm, 5)),
    "invalid argument: requested vcpus is greater than max allowable vcpus for the live domain: 5 > 4",
  );
  assert.equal(
    msg(() => planVcpuCount(d.vm, 0)),
    "unsupported configuration: failed to find appropriate hotpluggable vcpus to reach the desired target vcpu count",
  );
  assert.equal(
    msg(() => planVcpuSelection(d.vm, [2, 3], true)),
    "Operation not supported: only one hotpluggable entity can be selected",
  );
  assert.equal(
    msg(() => planVcpuSelection(d.vm, [0], true)),
    "invalid argument: vcpu '0' is already in requested state",
  );
  const err = virError(await setOne(d, 0, false).catch((e) => e));
  assert.equal(err.codeName, "VIR_ERR_OPERATION_UNSUPPORTED");
  assert.equal(err.message, "Operation not supported: vcpu '0' can't be unplugged");
  await d.close();
});

Deno.test("start: enabled hotpluggable vCPUs are plugged in their order", async () => {
  const qemu = new FakeQemu({ sockets: 4, bootCpus: 1 });
  const mon = new QemuMonitor(await QmpClient.open(qemu.connect()));
  const rig = controllerFor(vcpuList("N-HH", [1, 0, 3, 2]), mon, qemu.pid);
  await startupVcpus(rig.ctl.ctx);
  const ids = qemu.commands.filter((c) => c.execute === "device_add").map((c) => c.arguments!.id);
  assert.deepEqual(ids, ["vcpu3", "vcpu2"]);
  assert.equal(onlineMap(rig.vm), "1011");
  assert.deepEqual(orders(rig), [1, 0, 3, 2]);
  assert.equal(rig.cgroup.calls.length, 3);
  await mon.close();
});

Deno.test("start-time validation: order, groups, hotplug data", async () => {
  const mon = stubMonitor([
    { type: "core", "vcpus-count": 2, props: { "core-id": 0 }, "qom-path": "/machine/core0" },
    { type: "core", "vcpus-count": 2, props: { "core-id": 2 } },
  ], [
    { "cpu-index": 0, "qom-path": "/machine/core0/thread[0]", "thread-id": 11 },
    { "cpu-index": 1, "qom-path": "/machine/core0/thread[1]", "thread-id": 12 },
  ]);
  const check = async (spec: string, orders: number[]) => {
    const rig = controllerFor(vcpuList(spec, orders), mon, 10);
    await refreshVcpuInfo(rig.vm, mon, false);
    try {
      validateHotpluggableVcpus(rig.vm);
      return "ok";
    } catch (e) {
      return virError(e).message;
    }
  };
  assert.equal(await check("NNHH", [1, 1, 2, 2]), "ok");
  assert.equal(
    await check("NNHH", [1, 1, 1, 1]),
    "unsupported configuration: duplicate vcpu order '1'",
  );
  assert.equal(
    await check("NNHH", [1, 1, 5, 5]),
    "unsupported configuration: vcpu order '5' exceeds vcpu count",
  );
  assert.equal(
    await check("NNH-", [1, 1, 2, 0]),
    "unsupported configuration: vcpus '2' and '3' are in the same hotplug group but differ in configuration",
  );
  const bare = stubMonitor([], []);
  const rig = controllerFor(vcpuList("NH"), bare, 10);
  rig.vm.vcpus[1].priv.vcpus = 1;
  assert.throws(() => validateHotpluggableVcpus(rig.vm), /vcpu '1' is missing hotplug data/);
});
