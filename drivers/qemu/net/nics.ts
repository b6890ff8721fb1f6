/**
 * The host side of a domain's NICs at start and stop (libvirt's
 * `qemuProcessNetworkPrepareDevices`, `qemuInterfaceBridgeConnect` and the NIC part of
 * `qemuProcessStop`): a network NIC gets its port from the network driver, a network or bridge
 * NIC a tap on its bridge; both go again when the domain stops. What was made is recorded per
 * NIC so that a restarted driver finds it again. An unprivileged driver has QEMU make the taps
 * with the bridge helper (`bridge_helper.ts`) and learns their names once QEMU holds them.
 *
 * @module
 */
import type { DomainDef, DomainInterface } from "../../../conf/domain/def.ts";
import { MACVLAN_MODES } from "../../../conf/network_port/parse.ts";
import type { XmlElement } from "../../../util/xml/mod.ts";
import { VirError } from "../../../util/errors.ts";
import { unsupported } from "../command/unsupported.ts";
import { validateQemuNic } from "./nic_validate.ts";
import type { QemuSecondaries } from "../secondaries.ts";
import {
  allocatePort,
  applyActualDevice,
  type HeldPort,
  reclaimPort,
  releasePort,
} from "./port.ts";
import { checkBridgeHelper, type HeldTap } from "./bridge_helper.ts";
import { instantiateNicFilter, teardownNicFilter } from "./nwfilter.ts";
import { type TapHost, tapMac } from "./tap.ts";
import { addHostAddresses, connectEthernet } from "./ethernet.ts";
import { dropEmptyBandwidth, nicBandwidth } from "../../../conf/domain/nic_bandwidth.ts";
import { clearBandwidth, setBandwidth, setRootQdisc } from "../../../util/netdev_bandwidth.ts";

/** What the driver made on the host for one NIC. */
export interface NicRuntime {
  /** The NIC's position in `<devices>`. */
  index: number;
  /** The tap QEMU uses. */
  ifname?: string;
  /**
   * QEMU makes the tap with the bridge helper and owns it: its name is learnt once QEMU holds
   * it, and it goes with QEMU's descriptor (the driver removes nothing).
   */
  helper?: boolean;
  /** The network port the NIC holds. */
  port?: HeldPort;
  /** The port device of the nwfilter binding made for the NIC's `<filterref>`. */
  binding?: string;
  /** A macvtap (`type='direct'`): its device node, its parent and the parent's own MAC. */
  macvtap?: HeldMacvtap;
  /** The descriptor QEMU gets the macvtap's device on (set for each start). */
  fd?: number;
  /**
   * An ethernet NIC's tap that existed before (`<target managed='no'>`): the driver neither
   * configured it nor removes it.
   */
  unmanaged?: boolean;
  /** An ethernet NIC's `<downscript>`, run with the tap's name when the NIC goes. */
  downscript?: string;
  /**
   * The device node of an unmanaged ethernet NIC's macvtap, which QEMU gets open as a direct
   * NIC's (the driver never removes it).
   */
  device?: string;
}

/** A macvtap the driver made for a `type='direct'` NIC. */
export interface HeldMacvtap {
  /** `/dev/tapIFINDEX`. */
  device: string;
  /** The host device it sits on. */
  parent: string;
  /** The parent's MAC before a passthrough macvtap gave it the guest's (put back at stop). */
  savedMac?: string;
}

/**
 * The interface types the driver starts: user networking, taps on bridges, macvtaps, taps of
 * their own (ethernet).
 */
const STARTABLE = new Set(["user", "network", "bridge", "direct", "ethernet"]);

/**
 * libvirt's `virNetDevGenerateName`: `vnetN` for taps, `macvtapN` for macvtaps, N counting up
 * per prefix from the last name given (names found on a restart count as given), skipping
 * names the host already has.
 *
 * @example
 * ```ts
 * import { TapNamer } from "./nics.ts";
 * const namer = new TapNamer();
 * namer.next(new Set(["vnet0"])); // "vnet1"
 * namer.next(new Set(), "macvtap"); // "macvtap0"
 * ```
 */
export class TapNamer {
  #last = new Map<string, number>();

  /** Counts a name in use (found again after a restart). */
  reserve(name: string): void {
    const m = name.match(/^(vnet|macvtap)(\d+)$/);
    if (m) this.#last.set(m[1], Math.max(this.#last.get(m[1]) ?? -1, Number(m[2])));
  }

  /** The next name with `prefix` not `taken`. */
  next(taken: { has(name: string): boolean }, prefix = "vnet"): string {
    for (;;) {
      const n = (this.#last.get(prefix) ?? -1) + 1;
      this.#last.set(prefix, n);
      const name = `${prefix}${n}`;
      if (!taken.has(name)) return name;
    }
  }
}

/** What preparing NICs needs from the driver. */
export interface NicContext {
  secondaries: QemuSecondaries;
  taps: TapHost;
  namer: TapNamer;
  log: (message: string) => void;
}

/**
 * Whether the start honours an `<interface>` child: its name and place (alias, address, boot
 * order), the link state (a link down is set with `set_link` once the device exists), and the
 * userspace backend (what runs without vhost), the bandwidth of a tap (shaped with `tc`), and
 * the filter (its instantiation on the tap answers for it, `nwfilter.ts`). Any other (MTU,
 * virtual port, ROM, scripts …) would be lost on the way.
 */
function honoured(el: XmlElement, net: DomainInterface): boolean {
  const a = el.attributes;
  switch (el.name) {
    case "bandwidth":
      return net.type !== "user";
    // An ethernet tap's MTU (a virtio NIC's host_mtu too) and the scripts run on it.
    case "mtu":
    case "script":
      return net.type === "ethernet";
    // libvirt runs a downscript for an ethernet NIC only and lets any other NIC have one unused.
    case "downscript":
      return true;
    case "alias":
    case "address":
    case "boot":
    case "filterref":
      return true;
    case "link":
      return ["up", "down"].includes(a.state ?? "up");
    case "driver":
      return !el.children.length && Object.keys(a).every((k) => k === "name") &&
        (a.name ?? "qemu") === "qemu";
    default:
      return false;
  }
}

/**
 * The refusal of a NIC the driver cannot start, before anything is made for any NIC.
 *
 * @example
 * ```ts
 * import { checkStartableNics } from "./nics.ts";
 * import type { DomainDef } from "../../../conf/domain/def.ts";
 * declare const def: DomainDef;
 * checkStartableNics(def); // throws for <interface type='direct'>
 * ```
 */
export function checkStartableNics(def: DomainDef): void {
  for (const net of def.devices.interfaces) checkStartableNic(net);
}

/**
 * The refusal of one NIC the driver cannot start (or plug into a running domain).
 *
 * @example
 * ```ts
 * import { checkStartableNic } from "./nics.ts";
 * checkStartableNic({ type: "user", extra: [] }); // no error
 * ```
 */
export function checkStartableNic(net: DomainInterface): void {
  if (!STARTABLE.has(net.type)) {
    throw unsupported(`interface type '${net.type}' is not supported with this QEMU binary`);
  }
  validateQemuNic(net);
  // qemuBuildHostNetProps: QEMU runs no script of any other type (a tap's is libvirt's to run).
  if (net.type !== "ethernet" && net.extra.some((e) => e.name === "script")) {
    throw unsupported(`scripts are not supported on interfaces of type ${net.type}`);
  }
  const lost = net.extra.find((e) => !honoured(e, net));
  if (lost) {
    throw unsupported(`interface <${lost.name}> is not supported with this QEMU binary`);
  }
  // libvirt copies a trusting guest's receive filter to the host's tap; nothing here does.
  if (net.type !== "user" && net.trustGuestRxFilters === "yes") {
    throw unsupported("trustGuestRxFilters is not supported with this QEMU binary");
  }
}

/** Makes the tap of one network or bridge NIC on its bridge. */
async function connectTap(
  def: DomainDef,
  net: DomainInterface,
  ctx: NicContext,
  nic: NicRuntime,
): Promise<void> {
  const bridge = net.source?.bridge;
  if (!bridge) {
    throw VirError.report("QEMU", "INTERNAL_ERROR", "Missing bridge name for interface");
  }
  if (!ctx.taps.privileged) {
    checkBridgeHelper();
    // The helper names the tap, overriding any <target dev> as libvirt's session does.
    delete net.target;
    nic.helper = true;
    // libvirt's helper has made the tap by now: the filter comes next.
    await instantiateNicFilter(def, net, undefined, false, ctx.secondaries);
    // A session cannot shape the helper's tap: libvirt's refusal, before QEMU runs.
    await shapeTap(net, ctx, undefined);
    return;
  }
  const links = await ctx.taps.links();
  // libvirt reads the bridge's MTU for the tap first: a missing bridge fails there.
  const mtu = links.get(bridge);
  if (mtu === undefined) {
    throw VirError.bare(
      "NONE",
      "SYSTEM_ERROR",
      `Cannot get interface MTU on '${bridge}': No such device`,
    );
  }
  const name = net.target ?? ctx.namer.next(links);
  await ctx.taps.create(name, tapMac(net.mac ?? ""), bridge, mtu);
  nic.ifname = name;
  net.target = name;
  nic.binding = await instantiateNicFilter(def, net, name, true, ctx.secondaries);
  await shapeTap(net, ctx, name);
}

/**
 * What `qemuBuildInterfaceConnect` does to a tap once it exists: the privileged driver gives it
 * the `noqueue` root qdisc (`qemuDomainInterfaceSetDefaultQDisc`), then the interface's
 * bandwidth is set with the guest's inbound on the tap's egress (`virNetDevBandwidthSet`,
 * swapped: the guest is across the tap).
 */
async function shapeTap(
  net: DomainInterface,
  ctx: NicContext,
  ifname: string | undefined,
): Promise<void> {
  const tc = (args: readonly string[]) => ctx.taps.tc(args);
  if (ctx.taps.privileged && ifname) await setRootQdisc(tc, ifname, "noqueue");
  await setBandwidth(tc, ifname, nicBandwidth(net), {
    privileged: ctx.taps.privileged,
    swapped: !sharesHostView(net),
  });
}

/**
 * `virDomainNetTypeSharesHostView`: a macvtap's traffic is the host's view of the guest's (its
 * inbound is the macvtap's receive side), a tap's the other way round.
 *
 * @example
 * ```ts
 * import { sharesHostView } from "./nics.ts";
 * sharesHostView({ type: "direct", extra: [] }); // true
 * ```
 */
export function sharesHostView(net: DomainInterface): boolean {
  return net.type === "direct";
}

/**
 * `qemuInterfaceDirectConnect`: the macvtap of a `type='direct'` NIC on its source device, with
 * the guest's MAC (a passthrough one gives the parent the guest's MAC first, as
 * `virNetDevSetNetConfig`), then shaped as a tap is. The session driver may not create links:
 * libvirt's netlink refusal.
 */
async function connectMacvtap(
  net: DomainInterface,
  ctx: NicContext,
  nic: NicRuntime,
): Promise<void> {
  const parent = net.source?.dev ?? "";
  // The parser took only a known mode; the first is the default.
  const mode = net.source?.mode ?? MACVLAN_MODES[0];
  net.source = { ...net.source, dev: parent, mode };
  const links = await ctx.taps.links();
  if (!links.has(parent)) {
    throw VirError.bare(
      "NONE",
      "SYSTEM_ERROR",
      `Unable to get index for interface ${parent}: No such device`,
    );
  }
  const name = net.target ?? ctx.namer.next(links, "macvtap");
  const mac = net.mac ?? "";
  if (!ctx.taps.privileged) {
    throw VirError.bare(
      "NONE",
      "SYSTEM_ERROR",
      `error creating macvtap interface ${name}@${parent} (${mac}): Operation not permitted`,
    );
  }
  const held: HeldMacvtap = { device: "", parent };
  if (mode === "passthrough") {
    held.savedMac = await ctx.taps.linkMac(parent);
    nic.macvtap = held;
    await ctx.taps.setLinkMac(parent, mac);
  }
  held.device = await ctx.taps.createMacvtap(name, parent, mode, mac);
  nic.macvtap = held;
  nic.ifname = name;
  net.target = name;
  await shapeTap(net, ctx, name);
}

/**
 * Gets every network and bridge NIC of the live definition `def` onto its bridge: ports for
 * network NICs (the live `<source>` then names the port and bridge), taps for both (the live
 * `<target dev>` names it). On failure what was made is undone and the error goes up.
 *
 * @example
 * ```ts
 * import { prepareNics } from "./nics.ts";
 * import type { NicContext } from "./nics.ts";
 * import type { DomainDef } from "../../../conf/domain/def.ts";
 * declare const def: DomainDef, ctx: NicContext;
 * const nics = await prepareNics(def, ctx);
 * ```
 */
export async function prepareNics(def: DomainDef, ctx: NicContext): Promise<NicRuntime[]> {
  checkStartableNics(def);
  const nics: NicRuntime[] = [];
  try {
    for (const [index, net] of def.devices.interfaces.entries()) {
      if (net.type === "user") continue;
      nics.push(await prepareNic(def, net, index, ctx));
    }
  } catch (err) {
    await releaseNics(nics, ctx, def);
    throw err;
  }
  return nics;
}

/**
 * Gets one network or bridge NIC (`def.devices.interfaces[index]`, or the one about to be
 * placed there) onto its bridge: the port, then the tap. On failure what was made is undone.
 *
 * @example
 * ```ts
 * import { prepareNic } from "./nics.ts";
 * import type { NicContext } from "./nics.ts";
 * import type { DomainDef } from "../../../conf/domain/def.ts";
 * declare const def: DomainDef, ctx: NicContext;
 * const nic = await prepareNic(def, def.devices.interfaces[0], 0, ctx);
 * ```
 */
export async function prepareNic(
  def: DomainDef,
  net: DomainInterface,
  index: number,
  ctx: NicContext,
): Promise<NicRuntime> {
  const nic: NicRuntime = { index };
  try {
    if (net.type === "network") {
      nic.port = await allocatePort(ctx.secondaries, def, net);
      applyActualDevice(net, nic.port);
      // The live NIC has its port's bandwidth (virDomainNetGetActualBandwidth): a port has no
      // empty one.
      dropEmptyBandwidth(net);
    }
    if (net.type === "direct") await connectMacvtap(net, ctx, nic);
    else if (net.type === "ethernet") {
      await connectEthernet(net, ctx, nic);
      nic.binding = await instantiateNicFilter(
        def,
        net,
        nic.ifname,
        ctx.taps.privileged,
        ctx.secondaries,
      );
      await shapeTap(net, ctx, nic.ifname);
      await addHostAddresses(net, nic.ifname!, ctx);
    } else await connectTap(def, net, ctx, nic);
  } catch (err) {
    await releaseNics([nic], ctx, def);
    throw err;
  }
  return nic;
}

/**
 * Removes the taps and deletes the ports of a stopped domain's NICs; what fails is logged (the
 * domain is stopped whatever happens), as libvirt's `qemuProcessStop` does. With the live
 * definition `def`, the taps of NICs with a `<bandwidth>` are cleared first
 * (`virDomainClearNetBandwidth`).
 *
 * @example
 * ```ts
 * import { releaseNics } from "./nics.ts";
 * import type { NicContext } from "./nics.ts";
 * declare const ctx: NicContext;
 * await releaseNics([{ index: 0, ifname: "vnet0" }], ctx);
 * ```
 */
export async function releaseNics(
  nics: readonly NicRuntime[],
  ctx: NicContext,
  def?: DomainDef,
): Promise<void> {
  for (const nic of nics) {
    // virDomainConfVMNWFilterTeardown: the filter goes before the tap does.
    if (nic.binding !== undefined) {
      await teardownNicFilter(nic.binding, ctx.secondaries).catch((e) =>
        ctx.log(`cannot delete the nwfilter binding of ${nic.binding}: ${e}`)
      );
    }
    const net = def?.devices.interfaces[nic.index];
    if (nic.ifname && !nic.helper && net?.extra.some((e) => e.name === "bandwidth")) {
      await clearBandwidth((args) => ctx.taps.tc(args), nic.ifname);
    }
    // qemuExtDevicesStop runs an ethernet NIC's downscript before the taps go.
    if (nic.downscript && nic.ifname) {
      await ctx.taps.runScript(nic.downscript, nic.ifname).catch((e) =>
        ctx.log(`downscript of ${nic.ifname} failed: ${e}`)
      );
    }
    if (nic.macvtap) {
      await releaseMacvtap(nic, nic.macvtap, ctx);
    } else if (nic.ifname && !nic.helper && !nic.unmanaged) {
      await ctx.taps.remove(nic.ifname).catch((e) =>
        ctx.log(`cannot remove tap ${nic.ifname}: ${e}`)
      );
    }
    if (nic.port) {
      await releasePort(ctx.secondaries, nic.port).catch((e) =>
        ctx.log(`cannot delete network port ${nic.port!.uuid}: ${e}`)
      );
    }
  }
}

/**
 * `virNetDevMacVLanDeleteWithVPortProfile`: the macvtap goes, a passthrough parent gets its
 * own MAC back (`virNetDevRestoreNetConfig`).
 */
async function releaseMacvtap(nic: NicRuntime, held: HeldMacvtap, ctx: NicContext) {
  if (nic.ifname) {
    await ctx.taps.removeMacvtap(nic.ifname).catch((e) =>
      ctx.log(`cannot remove macvtap ${nic.ifname}: ${e}`)
    );
  }
  if (held.savedMac) {
    await ctx.taps.setLinkMac(held.parent, held.savedMac).catch((e) =>
      ctx.log(`cannot restore the MAC of ${held.parent}: ${e}`)
    );
  }
}

/**
 * The devices QEMU gets open, in descriptor order from 3: each macvtap NIC's (a direct NIC's, or
 * an unmanaged ethernet NIC's), its `fd` set.
 *
 * @example
 * ```ts
 * import { tapFds } from "./nics.ts";
 * tapFds([{ index: 0, ifname: "macvtap0", macvtap: { device: "/dev/tap7", parent: "eth0" } }]);
 * // ["/dev/tap7"]
 * ```
 */
export function tapFds(nics: NicRuntime[]): string[] {
  const devices: string[] = [];
  for (const nic of nics) {
    const device = nic.macvtap?.device ?? nic.device;
    if (!device) continue;
    nic.fd = 3 + devices.length;
    devices.push(device);
  }
  return devices;
}

/**
 * After a driver restart: the recorded taps and ports go back into the live definition (its
 * XML keeps neither), tap names count as given, and every port the network driver lost is
 * created again (libvirt's `virDomainNetNotifyActualDevice`); a failure there is logged.
 *
 * @example
 * ```ts
 * import { reconnectNics } from "./nics.ts";
 * import type { NicContext } from "./nics.ts";
 * import type { DomainDef } from "../../../conf/domain/def.ts";
 * declare const def: DomainDef, ctx: NicContext;
 * await reconnectNics(def, [{ index: 0, ifname: "vnet0" }], ctx);
 * ```
 */
export async function reconnectNics(
  def: DomainDef,
  nics: readonly NicRuntime[],
  ctx: NicContext,
): Promise<void> {
  for (const nic of nics) {
    const net = def.devices.interfaces[nic.index];
    if (!net) continue;
    if (nic.ifname) {
      net.target = nic.ifname;
      ctx.namer.reserve(nic.ifname);
    }
    if (!nic.port) continue;
    applyActualDevice(net, nic.port);
    await reclaimPort(ctx.secondaries, def, net, nic.port).catch((e) =>
      ctx.log(`cannot reclaim network port ${nic.port!.uuid} of '${def.name}': ${e}`)
    );
  }
}

/**
 * Names the taps QEMU made with the bridge helper for `pending` (helper NICs of the domain
 * `def` without a name yet, in definition order), from the taps QEMU (`pid`) holds that no
 * NIC of `named` has: the live `<target dev>` and the runtime record get the name. QEMU holding
 * other taps than expected is an internal error, never a guess.
 *
 * @example
 * ```ts
 * import { nameHelperTaps } from "./nics.ts";
 * import type { NicContext } from "./nics.ts";
 * import type { DomainDef } from "../../../conf/domain/def.ts";
 * declare const def: DomainDef, ctx: NicContext;
 * await nameHelperTaps(def, [{ index: 0, helper: true }], [], 1234, ctx); // def's NIC 0 → tap0
 * ```
 */
export async function nameHelperTaps(
  def: DomainDef,
  pending: readonly NicRuntime[],
  named: readonly NicRuntime[],
  pid: number,
  ctx: NicContext,
): Promise<void> {
  const waiting = pending.filter((n) => n.helper && !n.ifname);
  if (!waiting.length) return;
  const known = new Set(named.map((n) => n.ifname));
  // Oldest first: QEMU ran the helpers in definition order (see bridge_helper.ts).
  const fresh: HeldTap[] = (await ctx.taps.heldTaps(pid)).filter((t) => !known.has(t.name))
    .sort((a, b) => a.ifindex - b.ifindex);
  if (fresh.length !== waiting.length) {
    throw VirError.report(
      "QEMU",
      "INTERNAL_ERROR",
      `QEMU holds ${fresh.length} new tap(s) of the bridge helper, expected ${waiting.length}`,
    );
  }
  waiting.forEach((nic, i) => {
    nic.ifname = fresh[i].name;
    const net = def.devices.interfaces[nic.index];
    if (net) net.target = nic.ifname;
  });
}
