/**
 * Merging `query-hotpluggable-cpus` and `query-cpus-fast` into one record per vCPU, as
 * libvirt's `qemuMonitorGetCPUInfo` does.
 *
 * @module
 */
import type { CpuInfoFast, HotpluggableCpu } from "../monitor/qmp_types.ts";
import type { VcpuPrivate } from "./types.ts";
import { emptyPrivate } from "./vcpu_model.ts";

/**
 * What QEMU says about one vCPU: what libvirt keeps of it ({@link VcpuPrivate}), with whether it
 * is online, whether it can be unplugged, and its QOM path.
 */
export interface CpuInfo extends VcpuPrivate {
  online: boolean;
  hotpluggable: boolean;
  qomPath?: string;
}

const PERIPHERAL = "/machine/peripheral/";

function blank(): CpuInfo {
  return { online: false, hotpluggable: false, ...emptyPrivate() };
}

function prop(props: Record<string, number>, name: string): number {
  return typeof props[name] === "number" ? props[name] : -1;
}

/**
 * Per-vCPU information for `maxvcpus` vCPUs. When the hotpluggable entities don't add up to
 * `maxvcpus` (no usable hotplug data), falls back to `query-cpus-fast` alone, where the listed
 * vCPUs are online in cpu-index order and nothing is hotpluggable.
 *
 * @example
 * ```ts
 * import { mergeCpuInfo } from "./cpu_info.ts";
 * const info = mergeCpuInfo([], [], 1);
 * ```
 */
export function mergeCpuInfo(
  hotplug: HotpluggableCpu[],
  cpus: CpuInfoFast[],
  maxvcpus: number,
): CpuInfo[] {
  const out = Array.from({ length: maxvcpus }, blank);
  const fast = cpus.map((c) => ({
    tid: c["thread-id"] ?? 0,
    qemuId: c["cpu-index"],
    // Multi-threaded entities list their threads as `<entity path>/thread[N]`.
    qomPath: c["qom-path"]?.replace(/\/thread.*$/, ""),
  }));
  const entities = hotplug.map((h) => ({
    type: h.type,
    vcpus: h["vcpus-count"],
    props: h.props,
    qomPath: h["qom-path"],
    alias: h["qom-path"]?.startsWith(PERIPHERAL)
      ? h["qom-path"].slice(PERIPHERAL.length)
      : undefined,
    socketId: prop(h.props, "socket-id"),
    dieId: prop(h.props, "die-id"),
    coreId: prop(h.props, "core-id"),
    threadId: prop(h.props, "thread-id"),
    nodeId: prop(h.props, "node-id"),
    enableId: 0,
  })).sort((a, b) =>
    a.socketId - b.socketId || a.dieId - b.dieId || a.coreId - b.coreId ||
    a.threadId - b.threadId
  );

  if (entities.reduce((n, e) => n + e.vcpus, 0) !== maxvcpus) {
    fast.slice(0, maxvcpus).forEach((c, i) => {
      Object.assign(out[i], { online: true, tid: c.tid, qemuId: c.qemuId });
    });
    return out;
  }

  // The order QEMU lists present vCPUs in is the order they were enabled.
  let order = 1;
  for (const c of fast) {
    const e = entities.find((e) => c.qomPath && e.qomPath === c.qomPath);
    if (e && e.enableId === 0) e.enableId = order++;
  }

  let first = 0;
  for (const e of entities) {
    const online = e.qomPath !== undefined;
    Object.assign(out[first], {
      online,
      hotpluggable: e.alias !== undefined || !online,
      socketId: e.socketId,
      dieId: e.dieId,
      coreId: e.coreId,
      threadId: e.threadId,
      nodeId: e.nodeId,
      vcpus: e.vcpus,
      type: e.type,
      props: e.props,
      alias: e.alias,
      qomPath: e.qomPath,
      enableId: e.enableId,
    });
    for (let sub = first + 1; sub < first + e.vcpus; sub++) {
      out[sub].online = online;
      out[sub].hotpluggable = out[first].hotpluggable;
    }
    first += e.vcpus;
  }

  for (const c of fast) {
    let i = out.findIndex((v) => c.qomPath && v.qomPath === c.qomPath);
    if (i < 0) continue;
    // Threads of a multi-vCPU entity fill its vCPUs in turn.
    if (out[i].vcpus !== 1) {
      const end = i + out[i].vcpus;
      while (i < end - 1 && out[i].tid !== 0) i++;
    }
    out[i].tid = c.tid;
    out[i].qemuId = c.qemuId;
  }
  return out;
}
