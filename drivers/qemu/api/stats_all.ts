/**
 * `qemuConnectGetAllDomainStats` (virsh `domstats`): per domain, libvirt's statistics groups
 * in libvirt's order and with its field names, from `qemuDomainGetStatsState`, `…Cpu`,
 * `…Balloon`, `…Vcpu`, `…Interface`, `…Block`, `…IOThread` and `…DirtyRate`. The other groups
 * (perf, memory bandwidth, vm) are not gathered here: asked with ENFORCE_STATS they are refused,
 * otherwise left out, as libvirt does with a group its QEMU lacks.
 *
 * @module
 */
import { isActive, refOf } from "../../../conf/objects/domain_obj.ts";
import { DOMAIN_LIST_FILTERS_ALL } from "../../../conf/objects/domain_obj_list.ts";
import { disks, diskTarget, memballoon } from "../../../conf/domain/device_lookup.ts";
import type { XmlElementJSON } from "../../../conf/domain/def.ts";
import { child } from "../../../util/xml/mod.ts";
import { VIR } from "../../../util/constants.ts";
import type { DomainStatsRecord, TypedParams } from "../../../util/driver.ts";
import { checkFlags, VirError } from "../../../util/errors.ts";
import type { QemuDomainObj } from "../domain_private.ts";
import type { QemuDriverState } from "../driver_state.ts";
import { diskAlias, memoryStatsOf, netCounters } from "./stats_domain.ts";
import { type InterfaceCounters, procStat, schedDelay, schedWait } from "./stats_proc.ts";
import { type BlockCounters, queryBlockCounters } from "./stats_qmp.ts";
import { queryIOThreads } from "../iothread_live.ts";
import { dirtyRateGroup } from "./dirty_rate.ts";

const E = VIR;
/** The groups gathered here. */
const SUPPORTED = E.DOMAIN_STATS_STATE | E.DOMAIN_STATS_CPU_TOTAL | E.DOMAIN_STATS_BALLOON |
  E.DOMAIN_STATS_VCPU | E.DOMAIN_STATS_INTERFACE | E.DOMAIN_STATS_BLOCK |
  E.DOMAIN_STATS_IOTHREAD | E.DOMAIN_STATS_DIRTYRATE;
const ALLOWED = DOMAIN_LIST_FILTERS_ALL | E.CONNECT_GET_ALL_DOMAINS_STATS_NOWAIT |
  E.CONNECT_GET_ALL_DOMAINS_STATS_BACKING | E.CONNECT_GET_ALL_DOMAINS_STATS_ENFORCE_STATS;

/** `balloon.NAME` for each memory statistic libvirt stores (`actual` is not one of them). */
const BALLOON_FIELDS: Record<string, string> = {
  swap_in: "swap_in",
  swap_out: "swap_out",
  major_fault: "major_fault",
  minor_fault: "minor_fault",
  unused: "unused",
  available: "available",
  rss: "rss",
  last_update: "last-update",
  usable: "usable",
  disk_caches: "disk_caches",
  hugetlb_pgalloc: "hugetlb_pgalloc",
  hugetlb_pgfail: "hugetlb_pgfail",
};

/** `net.N.…` fields and the counters they come from, in libvirt's order. */
const NET_FIELDS: [string, keyof InterfaceCounters][] = [
  ["rx.bytes", "rx_bytes"],
  ["rx.pkts", "rx_packets"],
  ["rx.errs", "rx_errs"],
  ["rx.drop", "rx_drop"],
  ["tx.bytes", "tx_bytes"],
  ["tx.pkts", "tx_packets"],
  ["tx.errs", "tx_errs"],
  ["tx.drop", "tx_drop"],
];

/** `block.N.…` fields of a running disk and their counters, in libvirt's order. */
const BLOCK_FIELDS: [string, keyof BlockCounters][] = [
  ["rd.reqs", "rd_req"],
  ["rd.bytes", "rd_bytes"],
  ["rd.times", "rd_total_times"],
  ["wr.reqs", "wr_req"],
  ["wr.bytes", "wr_bytes"],
  ["wr.times", "wr_total_times"],
  ["fl.reqs", "flush_req"],
  ["fl.times", "flush_total_times"],
  ["allocation", "wr_highest_offset"],
];

/** Copies `fields` of `source` into `p` as `prefix.NAME`. */
function putAll<T>(p: TypedParams, prefix: string, source: T, fields: [string, keyof T][]) {
  for (const [name, key] of fields) p[`${prefix}.${name}`] = source[key] as number;
}

/** A group's gatherer; without `monitor` (NOWAIT while a job runs) it asks QEMU nothing. */
type Group = (obj: QemuDomainObj, p: TypedParams, monitor: boolean) => Promise<void> | void;

function stateGroup(obj: QemuDomainObj, p: TypedParams): void {
  p["state.state"] = obj.state;
  p["state.reason"] = obj.reason;
}

/**
 * CPU time from the domain's cgroup (`qemuDomainGetStatsCpuCgroup`: each figure only when it
 * reads), else from /proc, no cache monitors, and KVM's halt-polling times when QEMU's
 * `query-stats` has them (none under TCG: zero).
 */
async function cpuGroup(obj: QemuDomainObj, p: TypedParams, monitor: boolean): Promise<void> {
  if (obj.cgroup) {
    const usage = await obj.cgroup.cpuacctUsage().catch(() => undefined);
    if (usage !== undefined) p["cpu.time"] = usage;
    const times = await obj.cgroup.cpuacctStat().catch(() => undefined);
    if (times) {
      p["cpu.user"] = times.user;
      p["cpu.system"] = times.system;
    }
  } else {
    const stat = obj.proc && procStat(obj.proc.pid);
    if (stat) {
      p["cpu.time"] = stat.cpuTime;
      p["cpu.user"] = stat.userTime;
      p["cpu.system"] = stat.sysTime;
    }
  }
  if (!isActive(obj)) return;
  p["cpu.cache.monitor.count"] = 0;
  if (!monitor) return;
  const names = ["halt_poll_success_ns", "halt_poll_fail_ns"];
  const vcpus = await obj.proc!.monitor.run<{ stats: { name: string; value: number }[] }[]>(
    "query-stats",
    { target: "vcpu", providers: [{ provider: "kvm", names }] },
  ).catch(() => undefined);
  if (!vcpus) return;
  const total = (name: string) =>
    vcpus.reduce((n, v) => n + (v.stats.find((s) => s.name === name)?.value ?? 0), 0);
  p["cpu.haltpoll.success.time"] = total(names[0]);
  p["cpu.haltpoll.fail.time"] = total(names[1]);
}

async function balloonGroup(obj: QemuDomainObj, p: TypedParams, monitor: boolean) {
  const mem = obj.def.memory;
  p["balloon.current"] = memballoon(obj.def) ? mem.current : mem.total;
  p["balloon.maximum"] = mem.total;
  if (!isActive(obj) || !monitor) return;
  const stats = await memoryStatsOf(obj).catch(() => undefined);
  for (const [tag, value] of Object.entries(stats ?? {})) {
    if (BALLOON_FIELDS[tag]) p[`balloon.${BALLOON_FIELDS[tag]}`] = value;
  }
}

function vcpuGroup(obj: QemuDomainObj, p: TypedParams): void {
  const vm = obj.vcpus?.ctx.vm;
  const current = vm ? vm.vcpus.filter((v) => v.online).length : obj.def.vcpu.current;
  p["vcpu.current"] = current;
  p["vcpu.maximum"] = vm ? vm.vcpus.length : obj.def.vcpu.max;
  // libvirt's qemuDomainHelperGetVcpus needs every vCPU thread; without them nothing more.
  if (!vm || !obj.proc || vm.vcpus.some((v) => v.online && !v.priv.tid)) return;
  const pid = obj.proc.pid;
  vm.vcpus.forEach((v, i) => {
    if (!v.online) return;
    p[`vcpu.${i}.state`] = E.VCPU_RUNNING;
    p[`vcpu.${i}.time`] = procStat(pid, v.priv.tid)?.cpuTime ?? 0;
    p[`vcpu.${i}.wait`] = schedWait(pid, v.priv.tid!);
    p[`vcpu.${i}.delay`] = schedDelay(pid, v.priv.tid!);
  });
}

function interfaceGroup(obj: QemuDomainObj, p: TypedParams): void {
  if (!isActive(obj)) return;
  const nets = obj.def.devices.interfaces;
  p["net.count"] = nets.length;
  nets.forEach((net, i) => {
    if (!net.target) return;
    p[`net.${i}.name`] = net.target;
    let c;
    try {
      c = netCounters(net);
    } catch {
      return;
    }
    putAll(p, `net.${i}`, c, NET_FIELDS);
  });
}

/**
 * Size and allocated bytes of a local image file; the virtual size of a qcow2 from its header
 * (`qemuStorageLimitsRefresh`).
 *
 * @example
 * ```ts ignore
 * import { fileLimits } from "./stats_all.ts";
 * fileLimits("/var/lib/images/vm.qcow2"); // { capacity: 10737418240, allocation: 196608, physical: 196616 }
 * ```
 */
export function fileLimits(
  path: string,
): { capacity: number; allocation: number; physical: number } {
  const st = Deno.statSync(path);
  const f = Deno.openSync(path, { read: true });
  // A block device has no size of its own in stat: its end is its size, and all of it is
  // allocated (virStorageSourceUpdateBackingSizes).
  const end = st.isBlockDevice ? f.seekSync(0, Deno.SeekMode.End) : st.size;
  if (st.isBlockDevice) f.seekSync(0, Deno.SeekMode.Start);
  let capacity = end;
  try {
    const head = new Uint8Array(32);
    // The magic "QFI\xfb" as bytes: 0xfb is no UTF-8 and would not survive a TextDecoder.
    const view = new DataView(head.buffer);
    if (f.readSync(head) === 32 && view.getUint32(0) === 0x514649fb) {
      capacity = Number(view.getBigUint64(24));
    }
  } finally {
    f.close();
  }
  const allocation = st.isBlockDevice ? end : (st.blocks ?? 0) * 512;
  return { capacity, allocation, physical: end };
}

/**
 * The physical size of a disk's file or block device (`virStorageSourceUpdatePhysicalSize`):
 * a file's size, a block device's end.
 *
 * @example
 * ```ts
 * import { physicalSize } from "./stats_all.ts";
 * physicalSize("/dev/loop0"); // 4194304 for a loop device on a 4 MiB image
 * ```
 */
export function physicalSize(path: string): number {
  const st = Deno.statSync(path);
  if (!st.isBlockDevice) return st.size;
  const f = Deno.openSync(path, { read: true });
  try {
    return f.seekSync(0, Deno.SeekMode.End);
  } finally {
    f.close();
  }
}

function blockHeader(disk: XmlElementJSON, i: number, live: boolean, p: TypedParams): void {
  p[`block.${i}.name`] = diskTarget(disk);
  const file = child(disk, "source")?.attributes.file;
  if (file) p[`block.${i}.path`] = file;
  // The running top image is the chain's index 1 (libvirt numbers sources when it starts them).
  if (live && file) p[`block.${i}.backingIndex`] = 1;
}

function blockLive(
  c: BlockCounters | undefined,
  file: string | undefined,
  i: number,
  p: TypedParams,
) {
  if (!c) return;
  putAll(p, `block.${i}`, c, BLOCK_FIELDS);
  if (c.capacity) p[`block.${i}.capacity`] = c.capacity;
  try {
    if (file) p[`block.${i}.physical`] = Deno.statSync(file).size;
  } catch {
    // libvirt leaves out what it cannot stat.
  }
}

async function blockGroup(obj: QemuDomainObj, p: TypedParams, monitor: boolean) {
  const live = isActive(obj);
  const counters = live && monitor
    ? await queryBlockCounters(obj.proc!.monitor).catch(() => undefined)
    : undefined;
  const list = disks(obj.def);
  p["block.count"] = list.length;
  list.forEach((disk, i) => {
    blockHeader(disk, i, live, p);
    const file = child(disk, "source")?.attributes.file;
    if (live) {
      const alias = diskAlias(disk);
      return blockLive(alias ? counters?.get(alias) : undefined, file, i, p);
    }
    if (!file) return;
    try {
      const l = fileLimits(file);
      if (l.allocation) p[`block.${i}.allocation`] = l.allocation;
      if (l.capacity) p[`block.${i}.capacity`] = l.capacity;
      if (l.physical) p[`block.${i}.physical`] = l.physical;
    } catch {
      // A missing image: the header alone, as libvirt.
    }
  });
}

/** `qemuDomainGetStatsIOThread`: QEMU's IOThreads, with the polling values it reports. */
async function iothreadGroup(obj: QemuDomainObj, p: TypedParams, monitor: boolean) {
  if (!monitor || !isActive(obj)) return;
  const threads = await queryIOThreads(obj.proc!.monitor);
  if (!threads.length) return;
  p["iothread.count"] = threads.length;
  for (const t of threads) {
    if (t.pollMaxNs === undefined || t.pollGrow === undefined || t.pollShrink === undefined) {
      continue;
    }
    p[`iothread.${t.id}.poll-max-ns`] = t.pollMaxNs;
    p[`iothread.${t.id}.poll-grow`] = t.pollGrow;
    p[`iothread.${t.id}.poll-shrink`] = t.pollShrink;
  }
}

const GROUPS: [number, Group][] = [
  [E.DOMAIN_STATS_STATE, stateGroup],
  [E.DOMAIN_STATS_CPU_TOTAL, cpuGroup],
  [E.DOMAIN_STATS_BALLOON, balloonGroup],
  [E.DOMAIN_STATS_VCPU, vcpuGroup],
  [E.DOMAIN_STATS_INTERFACE, interfaceGroup],
  [E.DOMAIN_STATS_BLOCK, blockGroup],
  [E.DOMAIN_STATS_IOTHREAD, iothreadGroup],
  [E.DOMAIN_STATS_DIRTYRATE, dirtyRateGroup],
];

/**
 * `qemuConnectGetAllDomainStats` over the domains the list flags select.
 *
 * @example
 * ```ts ignore
 * import { allDomainStats } from "./stats_all.ts";
 * declare const state: import("../driver_state.ts").QemuDriverState;
 * await allDomainStats(state, 0, 0); // [{ dom, params: { "state.state": 1, … } }]
 * ```
 */
export async function allDomainStats(
  state: QemuDriverState,
  stats: number,
  flags: number,
): Promise<DomainStatsRecord[]> {
  checkFlags(flags, ALLOWED, "qemuConnectGetAllDomainStats", "QEMU");
  if (stats && flags & E.CONNECT_GET_ALL_DOMAINS_STATS_ENFORCE_STATS && stats & ~SUPPORTED) {
    throw VirError.report(
      "QEMU",
      "ARGUMENT_UNSUPPORTED",
      `Stats types bits 0x${(stats & ~SUPPORTED).toString(16)} are not supported by this ` +
        "daemon or QEMU",
    );
  }
  const want = stats ? stats & SUPPORTED : SUPPORTED;
  const records: DomainStatsRecord[] = [];
  const nowait = (flags & E.CONNECT_GET_ALL_DOMAINS_STATS_NOWAIT) !== 0;
  for (const obj of state.domains.export(flags & DOMAIN_LIST_FILTERS_ALL)) {
    const params: TypedParams = {};
    const gather = async (monitor: boolean) => {
      for (const [bit, group] of GROUPS) if (want & bit) await group(obj, params, monitor);
    };
    // NOWAIT: a domain busy with a job gives what needs no monitor (libvirt's
    // virDomainObjBeginJobNowait failing), instead of waiting for the job.
    if (nowait && !obj.job.idle) await gather(false);
    else await obj.job.run(() => gather(true));
    records.push({ dom: refOf(obj), params });
  }
  return records;
}
