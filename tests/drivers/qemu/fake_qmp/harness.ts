/**
 * Wiring for hotplug tests: a fake QEMU, the real QMP client and monitor, a vCPU controller
 * with a recording cgroup, and the domain job.
 *
 * @module
 */
import { waitFor as poll } from "../../../wait.ts";
import assert from "node:assert/strict";
import { VirError } from "../../../../util/errors.ts";
import { QemuMonitor, QmpClient } from "../../../../drivers/qemu/monitor/mod.ts";
import {
  FakeQemu,
  type FakeQemuOptions,
  RecordingCgroup,
} from "../../../../drivers/qemu/testing/mod.ts";
import {
  emptyPrivate,
  type LiveVcpus,
  planVcpuCount,
  planVcpuSelection,
  setVcpusLive,
  startupVcpus,
  VcpuController,
  type VcpuMonitor,
  type VcpuState,
} from "../../../../drivers/qemu/hotplug/mod.ts";
import { DomainJob } from "../../../../drivers/qemu/process/job.ts";
import type { CpuInfoFast, HotpluggableCpu } from "../../../../drivers/qemu/monitor/mod.ts";

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
export function controllerFor(
  vcpus: VcpuState[],
  monitor: VcpuMonitor,
  pid: number,
  cgroup = new RecordingCgroup(),
  unplugTimeoutMs = 60,
) {
  const vm: LiveVcpus = { pid, vcpus, individual: false };
  const job = new DomainJob();
  const removed: number[] = [];
  const failed: string[] = [];
  const logs: string[] = [];
  const ctl = new VcpuController({
    vm,
    monitor,
    cgroup,
    runJob: (fn) => job.run(fn),
    unplugTimeoutMs,
    log: (m) => logs.push(m),
    onVcpuRemoved: (v) => removed.push(v),
    onRemovalFailed: (a) => failed.push(a),
  });
  return { vm, cgroup, job, removed, failed, logs, ctl };
}

/** A fake QEMU with `bootCpus` present and a controller connected to it over QMP. */
export async function fakeDomain(
  spec: string,
  options: FakeQemuOptions = {},
  cgroup?: RecordingCgroup,
) {
  const bootCpus = [...spec].filter((c) => c === "N").length;
  const qemu = new FakeQemu({ sockets: spec.length, bootCpus, ...options });
  const qmp = await QmpClient.open(qemu.connect());
  const monitor = new QemuMonitor(qmp);
  const rig = controllerFor(vcpuList(spec), monitor, qemu.pid, cgroup);
  qmp.onEvent((ev) => rig.ctl.handleEvent(ev));
  await startupVcpus(rig.ctl.ctx);
  rig.cgroup.calls.length = 0;
  return { ...rig, qemu, qmp, monitor, close: () => qmp.close() };
}

/** Every vCPU's `order=` (0 = none). */
export function orders(d: { vm: LiveVcpus }): number[] {
  return d.vm.vcpus.map((v) => v.order);
}

/** Every vCPU's device alias ("" = none). */
export function aliases(d: { vm: LiveVcpus }): string[] {
  return d.vm.vcpus.map((v) => v.priv.alias ?? "");
}

/** The VirError `p` rejects with, as [code, domain, message]. */
export async function failure(p: Promise<unknown>): Promise<[number, number, string]> {
  const e = await p.then(() => undefined, (e) => e);
  assert.ok(e instanceof VirError, `expected a VirError, got ${e}`);
  return [e.code, e.domain, e.message];
}

/** Online flags as a string of 1/0, for compact assertions. */
export function onlineMap(vm: Pick<LiveVcpus, "vcpus">): string {
  return vm.vcpus.map((v) => (v.online ? "1" : "0")).join("");
}

/**
 * A monitor double with fixed query replies, for entities of several vCPUs (ppc64-like cores)
 * the x86 fake cannot model: `afterAdd` entries appear after a device_add; `onDel` runs when
 * device_del arrives, before its reply.
 */
export function stubMonitor(hotplug: HotpluggableCpu[], cpus: CpuInfoFast[]) {
  const mon: VcpuMonitor & { afterAdd: CpuInfoFast[]; onDel?: (id: string) => void } = {
    afterAdd: [],
    queryHotpluggableCpus: () => Promise.resolve(hotplug),
    queryCpusFast: () => Promise.resolve(cpus),
    deviceAdd: (props) => {
      const entry = hotplug.find((h) => !h["qom-path"] && h.props["core-id"] !== undefined)!;
      entry["qom-path"] = `/machine/peripheral/${props.id}`;
      cpus.push(...mon.afterAdd);
      return Promise.resolve();
    },
    deviceDel: (id) => {
      mon.onDel?.(id);
      return Promise.resolve(true);
    },
  };
  return mon;
}

/** Polls `cond` every 2 ms (the fake peer answers at once), failing after `ms`. */
export const waitFor = (cond: () => boolean, ms = 2000): Promise<void> => poll(cond, ms, 2);

/** libvirt's message for an unplug whose DEVICE_DELETED did not come in time. */
export const UNPLUG_TIMEOUT = "Timed out during operation: vcpu unplug request timed out. " +
  "Unplug result must be manually inspected in the domain";

/** A domain of {@link fakeDomain} (or alike) with its job and controller. */
export type FakeDomain = Pick<Awaited<ReturnType<typeof fakeDomain>>, "vm" | "job" | "ctl">;

/** A live vCPU count change, in the domain job (`setvcpus N --live`). */
export async function setCount(d: FakeDomain, n: number): Promise<void> {
  const { entities, enable } = planVcpuCount(d.vm, n);
  await d.job.run(() => setVcpusLive(d.ctl.ctx, entities, enable));
}

/** A live change of one vCPU, in the domain job (`setvcpu ID --enable|--disable --live`). */
export async function setOne(d: FakeDomain, id: number, state: boolean): Promise<void> {
  const entities = planVcpuSelection(d.vm, [id], state);
  await d.job.run(() => setVcpusLive(d.ctl.ctx, entities, state));
}
