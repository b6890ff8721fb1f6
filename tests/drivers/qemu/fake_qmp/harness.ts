/**
 * Wiring for hotplug tests: a fake QEMU, the real QMP client and monitor, a vCPU controller
 * with a recording cgroup, and the domain job.
 *
 * @module
 */
import { QemuMonitor, QmpClient } from "../../../../drivers/qemu/monitor/mod.ts";
import {
  FakeQemu,
  type FakeQemuOptions,
  RecordingCgroup,
} from "../../../../drivers/qemu/testing/mod.ts";
import {
  emptyPrivate,
  type LiveVcpus,
  startupVcpus,
  VcpuController,
  type VcpuMonitor,
  type VcpuState,
} from "../../../../drivers/qemu/hotplug/mod.ts";
import { DomainJob } from "../../../../drivers/qemu/process/job.ts";

/** vCPUs from a compact spec: `N` online fixed, `H` online hotpluggable, `-` offline. */
export function vcpuList(spec: string, orders: number[] = []): VcpuState[] {
  return [...spec].map((c, i) => ({
    online: c !== "-",
    hotpluggable: c !== "N",
    order: orders[i] ?? 0,
    priv: emptyPrivate(),
  }));
}

/** A controller over `monitor` for `vcpus`, recording events and logs. */
export function controllerFor(vcpus: VcpuState[], monitor: VcpuMonitor, pid: number) {
  const vm: LiveVcpus = { pid, vcpus, individual: false };
  const cgroup = new RecordingCgroup();
  const job = new DomainJob();
  const removed: number[] = [];
  const failed: string[] = [];
  const logs: string[] = [];
  const ctl = new VcpuController({
    vm,
    monitor,
    cgroup,
    runJob: (fn) => job.run(fn),
    unplugTimeoutMs: 60,
    log: (m) => logs.push(m),
    onVcpuRemoved: (v) => removed.push(v),
    onRemovalFailed: (a) => failed.push(a),
  });
  return { vm, cgroup, job, removed, failed, logs, ctl };
}

/** A fake QEMU with `bootCpus` present and a controller connected to it over QMP. */
export async function fakeDomain(spec: string, options: FakeQemuOptions = {}) {
  const bootCpus = [...spec].filter((c) => c === "N").length;
  const qemu = new FakeQemu({ sockets: spec.length, bootCpus, ...options });
  const qmp = await QmpClient.open(qemu.connect());
  const monitor = new QemuMonitor(qmp);
  const rig = controllerFor(vcpuList(spec), monitor, qemu.pid);
  qmp.onEvent((ev) => rig.ctl.handleEvent(ev));
  await startupVcpus(rig.ctl.ctx);
  rig.cgroup.calls.length = 0;
  return { ...rig, qemu, qmp, monitor, close: () => qmp.close() };
}

/** Online flags as a string of 1/0, for compact assertions. */
export function onlineMap(vm: LiveVcpus): string {
  return vm.vcpus.map((v) => (v.online ? "1" : "0")).join("");
}
