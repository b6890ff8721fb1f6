/**
 * Traffic shaping of a host interface with `tc`, as libvirt 9.0's `virnetdevbandwidth.c` does
 * it (`virNetDevBandwidthSet`, `virNetDevBandwidthClear`, `virNetDevBandwidthSetRootQDisc`):
 * the same commands, in the same order, with the same arguments, so that what `tc` shows of a
 * libvirt-shaped tap and of ours is the same. Rates are kilobytes per second (`tc`'s `kbps`),
 * bursts kilobytes (`kb`).
 *
 * The commands run through a {@link TcRunner}: the drivers bind it to their host (a network
 * namespace in tests) or to a recording fake.
 *
 * @module
 */
import { VirError } from "./errors.ts";

/**
 * One direction of a shaping (`virNetDevBandwidthRate`): kilobytes per second, burst in
 * kilobytes. conf's parsed `<inbound>`/`<outbound>` is one.
 */
export interface BandwidthRate {
  average?: number;
  peak?: number;
  floor?: number;
  burst?: number;
}

/** A shaping (`virNetDevBandwidth`): conf's parsed `<bandwidth>` is one. */
export interface Bandwidth {
  inbound?: BandwidthRate;
  outbound?: BandwidthRate;
}

/** What one `tc` run gave back. */
export interface TcResult {
  /** The exit status. */
  code: number;
  /** Its standard error, as `tc` wrote it. */
  stderr: string;
}

/** Runs `tc` with the given arguments. */
export type TcRunner = (args: readonly string[]) => Promise<TcResult>;

/**
 * `virNetDevBandwidthCmdAddOptimalQuantum`: the HTB quantum for a rate, the bytes per MTU
 * (1500) of its rate, at least 1.
 */
function quantum(rate: BandwidthRate): string[] {
  const r2q = Math.floor((rate.average ?? 0) * 1024 / 8 / 1500);
  return ["quantum", String(r2q || 1)];
}

/**
 * The `tc` commands of `virNetDevBandwidthSet` after its clearing of the interface: the
 * guest's receive direction (`inbound` unless `swapped`… as libvirt says, the domain's view)
 * shaped by an HTB class on the interface's egress, the other policed on its ingress. A
 * `hierarchical` class (a network's bridge, for `floor`) puts a 1:1 parent above the 1:2
 * class that unguaranteed traffic goes to.
 *
 * @example
 * ```ts
 * import { bandwidthSetCommands } from "./netdev_bandwidth.ts";
 * bandwidthSetCommands("vnet0", { outbound: { average: 1024 } }, false, true)[0];
 * // ["qdisc", "add", "dev", "vnet0", "root", "handle", "1:", "htb", "default", "1"]
 * ```
 */
export function bandwidthSetCommands(
  ifname: string,
  bw: Bandwidth,
  hierarchical: boolean,
  swapped: boolean,
): string[][] {
  const rx = swapped ? bw.outbound : bw.inbound;
  const tx = swapped ? bw.inbound : bw.outbound;
  const cmds: string[][] = [];
  const dev = ["dev", ifname];
  if (tx?.average) {
    const average = `${tx.average}kbps`;
    const peak = tx.peak ? `${tx.peak}kbps` : undefined;
    cmds.push([
      "qdisc",
      "add",
      ...dev,
      "root",
      "handle",
      "1:",
      "htb",
      "default",
      hierarchical ? "2" : "1",
    ]);
    if (hierarchical) {
      cmds.push([
        "class",
        "add",
        ...dev,
        "parent",
        "1:",
        "classid",
        "1:1",
        "htb",
        "rate",
        average,
        "ceil",
        peak ?? average,
        ...quantum(tx),
      ]);
    }
    cmds.push([
      "class",
      "add",
      ...dev,
      "parent",
      hierarchical ? "1:1" : "1:",
      "classid",
      hierarchical ? "1:2" : "1:1",
      "htb",
      "rate",
      average,
      ...(peak ? ["ceil", peak] : []),
      ...(tx.burst ? ["burst", `${tx.burst}kb`] : []),
      ...quantum(tx),
    ]);
    cmds.push([
      "qdisc",
      "add",
      ...dev,
      "parent",
      hierarchical ? "1:2" : "1:1",
      "handle",
      "2:",
      "sfq",
      "perturb",
      "10",
    ]);
    cmds.push([
      "filter",
      "add",
      ...dev,
      "parent",
      "1:0",
      "protocol",
      "all",
      "prio",
      "1",
      "handle",
      "1",
      "fw",
      "flowid",
      "1",
    ]);
  }
  if (rx) {
    // tc keeps the burst in bytes in a uint: without a burst of its own, the average (in KiB)
    // is the burst, at most UINT_MAX bytes.
    const burst = rx.burst || Math.min(rx.average ?? 0, Math.floor(0xffffffff / 1024));
    cmds.push(["qdisc", "add", ...dev, "ingress"]);
    cmds.push([
      "filter",
      "add",
      ...dev,
      "parent",
      "ffff:",
      "protocol",
      "all",
      "u32",
      "match",
      "u32",
      "0",
      "0",
      "police",
      "rate",
      `${rx.average ?? 0}kbps`,
      "burst",
      `${burst}kb`,
      "mtu",
      "64kb",
      "drop",
      "flowid",
      ":1",
    ]);
  }
  return cmds;
}

/**
 * `virNetDevBandwidthClear`'s commands: the root and the ingress qdisc go (either may be
 * missing: their failures are ignored).
 *
 * @example
 * ```ts
 * import { bandwidthClearCommands } from "./netdev_bandwidth.ts";
 * bandwidthClearCommands("vnet0").length; // 2
 * ```
 */
export function bandwidthClearCommands(ifname: string): string[][] {
  return [
    ["qdisc", "del", "dev", ifname, "root"],
    ["qdisc", "del", "dev", ifname, "ingress"],
  ];
}

/** libvirt's `virCommandRun` failure of a `tc` that exited non-zero (its stderr kept as is). */
function tcFailed(args: readonly string[], r: TcResult): VirError {
  return VirError.report(
    "NONE",
    "INTERNAL_ERROR",
    `Child process (tc ${args.join(" ")}) unexpected exit status ${r.code}: ${r.stderr}`,
  );
}

/**
 * `virNetDevBandwidthClear`: removes any shaping from `ifname`.
 *
 * @example
 * ```ts
 * import { clearBandwidth } from "./netdev_bandwidth.ts";
 * await clearBandwidth(() => Promise.resolve({ code: 0, stderr: "" }), "vnet0");
 * ```
 */
export async function clearBandwidth(tc: TcRunner, ifname: string): Promise<void> {
  for (const args of bandwidthClearCommands(ifname)) await tc(args);
}

/** How {@link setBandwidth} shapes. */
export interface BandwidthSetOptions {
  /** Whether this process may shape (root); libvirt refuses in session mode. */
  privileged: boolean;
  /** A network bridge's hierarchy for `floor` (see {@link bandwidthSetCommands}). */
  hierarchical?: boolean;
  /** Whether the guest's inbound is the interface's egress (a tap: the guest is across it). */
  swapped: boolean;
}

/**
 * `virNetDevBandwidthSet`: nothing without a bandwidth; else the session refusal, the
 * interface cleared, then the commands of {@link bandwidthSetCommands}, stopping at the first
 * that fails (what ran before it stays, as in libvirt).
 *
 * @example
 * ```ts
 * import { setBandwidth } from "./netdev_bandwidth.ts";
 * const ran: string[][] = [];
 * const tc = (args: readonly string[]) => (ran.push([...args]), Promise.resolve({ code: 0, stderr: "" }));
 * await setBandwidth(tc, "vnet0", { inbound: { average: 1000 } }, { privileged: true, swapped: true });
 * ran.length; // 6
 * ```
 */
export async function setBandwidth(
  tc: TcRunner,
  ifname: string | undefined,
  bw: Bandwidth | undefined,
  opts: BandwidthSetOptions,
): Promise<void> {
  if (!bw) return;
  if (!opts.privileged) {
    throw VirError.report(
      "NONE",
      "OPERATION_UNSUPPORTED",
      "Network bandwidth tuning is not available in session mode",
    );
  }
  if (!ifname) {
    throw VirError.report(
      "NONE",
      "OPERATION_UNSUPPORTED",
      "Unable to set bandwidth for interface because device name is unknown",
    );
  }
  await clearBandwidth(tc, ifname);
  for (const args of bandwidthSetCommands(ifname, bw, opts.hierarchical ?? false, opts.swapped)) {
    const r = await tc(args);
    if (r.code !== 0) throw tcFailed(args, r);
  }
}

/**
 * `virNetDevBandwidthSetRootQDisc`: gives `ifname` the root qdisc `qdisc` (libvirt's taps get
 * `noqueue`); a `tc` that refuses is no error, as in libvirt.
 *
 * @example
 * ```ts
 * import { setRootQdisc } from "./netdev_bandwidth.ts";
 * await setRootQdisc(() => Promise.resolve({ code: 0, stderr: "" }), "vnet0", "noqueue");
 * ```
 */
export async function setRootQdisc(tc: TcRunner, ifname: string, qdisc: string): Promise<void> {
  await tc(["qdisc", "add", "dev", ifname, "root", "handle", "0:", qdisc]);
}

/** A floor class's `tc` identifiers (libvirt's `1:%x`, `%x:` and u32 handle `800::%u`). */
function floorIds(id: number): { classId: string; qdiscId: string; filterId: string } {
  if (id <= 2) throw VirError.report("NONE", "INTERNAL_ERROR", `Invalid class ID ${id}`);
  const hex = id.toString(16);
  // u32 handles live in hash table 800: and start at 800 (libvirt: "Don't ask").
  return { classId: `1:${hex}`, qdiscId: `${hex}:`, filterId: `800::${800 + id}` };
}

/** The ceiling of every class under a network's 1:1: its inbound peak, else its average. */
const ceilOf = (net: Bandwidth) => `${net.inbound?.peak || net.inbound?.average || 0}kbps`;

/**
 * `virNetDevBandwidthPlug`'s commands: the class `1:ID` under the bridge's 1:1 guaranteeing
 * the port's inbound `floor` (up to the network's ceiling), its sfq, and the u32 filter that
 * sends IPv4 frames from the port's MAC (the Ethernet header before the IP one) into it.
 *
 * @example
 * ```ts
 * import { bandwidthPlugCommands } from "./netdev_bandwidth.ts";
 * const net = { inbound: { average: 1000 } }, port = { inbound: { floor: 300 } };
 * bandwidthPlugCommands("virbr0", net, "52:54:00:00:00:01", port, 3)[0].join(" ");
 * // "class add dev virbr0 parent 1:1 classid 1:3 htb rate 300kbps ceil 1000kbps quantum 1"
 * ```
 */
export function bandwidthPlugCommands(
  brname: string,
  net: Bandwidth | undefined,
  mac: string,
  bw: Bandwidth,
  id: number,
): string[][] {
  const { classId, qdiscId, filterId } = floorIds(id);
  if (!net?.inbound) {
    throw VirError.report(
      "NONE",
      "CONFIG_UNSUPPORTED",
      `Bridge '${brname}' has no QoS set, therefore unable to set 'floor' on '${mac}'`,
    );
  }
  const b = mac.split(":");
  const dev = ["dev", brname];
  return [
    [
      "class",
      "add",
      ...dev,
      "parent",
      "1:1",
      "classid",
      classId,
      "htb",
      "rate",
      `${bw.inbound?.floor ?? 0}kbps`,
      "ceil",
      ceilOf(net),
      ...quantum(bw.inbound ?? {}),
    ],
    ["qdisc", "add", ...dev, "parent", classId, "handle", qdiscId, "sfq", "perturb", "10"],
    [
      "filter",
      "add",
      ...dev,
      "protocol",
      "ip",
      "prio",
      "2",
      "handle",
      filterId,
      "u32",
      "match",
      "u16",
      "0x0800",
      "0xffff",
      "at",
      "-2",
      "match",
      "u32",
      `0x${b.slice(2).join("")}`,
      "0xffffffff",
      "at",
      "-12",
      "match",
      "u16",
      `0x${b.slice(0, 2).join("")}`,
      "0xffff",
      "at",
      "-14",
      "flowid",
      classId,
    ],
  ];
}

/**
 * `virNetDevBandwidthPlug`: {@link bandwidthPlugCommands} run in order, the first that fails
 * ending it with libvirt's error (what ran before stays: the caller unplugs).
 *
 * @example
 * ```ts
 * import { plugBandwidth } from "./netdev_bandwidth.ts";
 * const tc = () => Promise.resolve({ code: 0, stderr: "" });
 * await plugBandwidth(tc, "virbr0", { inbound: { average: 1000 } }, "52:54:00:00:00:01", { inbound: { floor: 300 } }, 3);
 * ```
 */
export async function plugBandwidth(
  tc: TcRunner,
  brname: string,
  net: Bandwidth | undefined,
  mac: string,
  bw: Bandwidth,
  id: number,
): Promise<void> {
  for (const args of bandwidthPlugCommands(brname, net, mac, bw, id)) {
    const r = await tc(args);
    if (r.code !== 0) throw tcFailed(args, r);
  }
}

/**
 * `virNetDevBandwidthUnplug`: the class `1:ID`'s qdisc, filter and class removed, each `tc`
 * that fails ignored so that as much as possible goes.
 *
 * @example
 * ```ts
 * import { unplugBandwidth } from "./netdev_bandwidth.ts";
 * await unplugBandwidth(() => Promise.resolve({ code: 0, stderr: "" }), "virbr0", 3);
 * ```
 */
export async function unplugBandwidth(tc: TcRunner, brname: string, id: number): Promise<void> {
  const { classId, qdiscId, filterId } = floorIds(id);
  const dev = ["dev", brname];
  await tc(["qdisc", "del", ...dev, "handle", qdiscId]);
  await tc(["filter", "del", ...dev, "prio", "2", "handle", filterId, "u32"]);
  await tc(["class", "del", ...dev, "classid", classId]);
}

/**
 * `virNetDevBandwidthUpdateRate`: the class `1:ID` of `ifname` gets `rate` kilobytes per
 * second, its ceiling and quantum from the network's inbound.
 *
 * @example
 * ```ts
 * import { updateBandwidthRate } from "./netdev_bandwidth.ts";
 * await updateBandwidthRate(() => Promise.resolve({ code: 0, stderr: "" }), "virbr0", 2, { inbound: { average: 1000 } }, 700);
 * ```
 */
export async function updateBandwidthRate(
  tc: TcRunner,
  ifname: string,
  id: number,
  net: Bandwidth,
  rate: number,
): Promise<void> {
  const args = [
    "class",
    "change",
    "dev",
    ifname,
    "classid",
    `1:${id.toString(16)}`,
    "htb",
    "rate",
    `${rate}kbps`,
    "ceil",
    ceilOf(net),
    ...quantum(net.inbound ?? {}),
  ];
  const r = await tc(args);
  if (r.code !== 0) throw tcFailed(args, r);
}
