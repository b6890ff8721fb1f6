/**
 * `<interface type='ethernet'>`: a tap of the NIC's own on no bridge, as libvirt 9.0's
 * `qemuInterfaceEthernetConnect` makes it — named by `<target dev>` or the next `vnetN`, with
 * the guest's MAC turned into the host's (`tapMac`), its `<mtu>`, up, then its `<script>` run
 * with the tap's name — or, with `<target managed='no'>`, a tap that exists already, which
 * the driver neither configures nor deletes. The host side's `<source><ip>`/`<route>`s go on
 * the tap as `qemuInterfaceStartDevice` puts them (`addHostAddresses`). At the stop the
 * `<downscript>` runs (`qemuExtDevicesStop`) before a tap of the driver's goes.
 *
 * QEMU opens the tap by name, as it does a bridge NIC's (see `tap.ts`); an unmanaged macvtap it
 * gets open on a descriptor, as a direct NIC's.
 *
 * @module
 */
import type { DomainInterface } from "../../../conf/domain/def.ts";
import { ipAddressBits } from "../../../conf/common/mod.ts";
import { ipPrefix, maskByPrefix } from "../../../conf/network/ip_prefix.ts";
import { VirError } from "../../../util/errors.ts";
import type { XmlElement } from "../../../util/xml/mod.ts";
import type { NicContext, NicRuntime } from "./nics.ts";
import { tapMac } from "./tap.ts";

/** The `path` of an ethernet NIC's `<script>` or `<downscript>`, if any. */
function scriptOf(net: DomainInterface, name: "script" | "downscript"): string | undefined {
  return net.extra.find((e) => e.name === name)?.attributes.path;
}

/** `<mtu size>`, if any. */
function mtuOf(net: DomainInterface): number | undefined {
  const size = net.extra.find((e) => e.name === "mtu")?.attributes.size;
  return size === undefined ? undefined : Number(size);
}

/**
 * `qemuBuildNicDevProps`' `host_mtu`: a virtio NIC tells the guest its `<mtu>`.
 *
 * @example
 * ```ts
 * import { hostMtu } from "./ethernet.ts";
 * import { element } from "../../../util/xml/mod.ts";
 * hostMtu({ type: "ethernet", model: "virtio", extra: [element("mtu", { size: "1400" })] });
 * // 1400
 * ```
 */
export function hostMtu(net: DomainInterface): number | undefined {
  return net.model === "virtio" ? mtuOf(net) : undefined;
}

/**
 * The tap of an ethernet NIC: made (or, unmanaged, found), its script run; the NIC's runtime
 * record and live `<target dev>` name it.
 *
 * @example
 * ```ts
 * import { connectEthernet } from "./ethernet.ts";
 * import type { NicContext, NicRuntime } from "./nics.ts";
 * declare const ctx: NicContext;
 * const nic: NicRuntime = { index: 0 };
 * await connectEthernet({ type: "ethernet", mac: "52:54:00:00:00:01", extra: [] }, ctx, nic);
 * nic.ifname; // "vnet0"
 * ```
 */
export async function connectEthernet(
  net: DomainInterface,
  ctx: NicContext,
  nic: NicRuntime,
): Promise<void> {
  const links = await ctx.taps.links();
  if (net.targetManaged === "no") {
    if (!net.target) {
      throw VirError.report(
        "QEMU",
        "INTERNAL_ERROR",
        "target dev must be supplied when managed='no'",
      );
    }
    if (!links.has(net.target)) {
      throw VirError.report(
        "QEMU",
        "INTERNAL_ERROR",
        "target managed='no' but specified dev doesn't exist",
      );
    }
    nic.ifname = net.target;
    nic.unmanaged = true;
    // A macvtap is opened through its device node (virNetDevMacVLanTapOpen), a tap by name.
    const device = ctx.taps.macvtapOf(net.target);
    if (device) nic.device = device;
  } else {
    // virNetDevTapCreate: a name given must be free; a generated one is.
    const name = net.target ?? ctx.namer.next(links);
    if (net.target !== undefined && links.has(name)) {
      throw VirError.report("NONE", "OPERATION_INVALID", `The ${name} interface already exists`);
    }
    // virNetDevTapCreate opens /dev/net/tun (a session daemon may not), then its TUNSETIFF of
    // a new device needs CAP_NET_ADMIN, which a session daemon lacks.
    const denied = ctx.taps.privileged ? undefined : ctx.taps.tunDenied();
    if (denied) {
      throw VirError.bare(
        "NONE",
        "SYSTEM_ERROR",
        `Unable to open /dev/net/tun, is tun module loaded?: ${denied}`,
      );
    }
    if (!ctx.taps.privileged) {
      throw VirError.bare(
        "NONE",
        "SYSTEM_ERROR",
        `Unable to create tap device ${name}: Operation not permitted`,
      );
    }
    await ctx.taps.create(name, tapMac(net.mac ?? ""), undefined, mtuOf(net));
    nic.ifname = name;
    net.target = name;
  }
  const downscript = scriptOf(net, "downscript");
  if (downscript) nic.downscript = downscript;
  // virNetDevRunEthernetScript: an empty path is no script.
  const script = scriptOf(net, "script");
  if (script) await ctx.taps.runScript(script, nic.ifname);
}

/**
 * `virNetDevIPInfoAddToDev`: each `<ip>` of the host side (its prefix, else its class's; an
 * IPv4 one without a peer gets its broadcast), then each `<route>` (to the default destination
 * without an address), put on the tap `ifname`. The first failure is libvirt's error.
 *
 * @example
 * ```ts
 * import { addHostAddresses } from "./ethernet.ts";
 * import type { NicContext } from "./nics.ts";
 * declare const ctx: NicContext;
 * await addHostAddresses({ type: "ethernet", extra: [] }, "vnet0", ctx);
 * ```
 */
export async function addHostAddresses(
  net: DomainInterface,
  ifname: string,
  ctx: NicContext,
): Promise<void> {
  for (const ip of (net.hostIP ?? []).filter((e) => e.name === "ip")) {
    const { args, shown } = addressArgs(ip);
    await ctx.taps.addIP(ifname, args).catch(() => {
      throw VirError.report(
        "NONE",
        "SYSTEM_ERROR",
        `Failed to add IP address ${shown} to ${ifname}`,
      );
    });
  }
  for (const route of (net.hostIP ?? []).filter((e) => e.name === "route")) {
    await ctx.taps.addIP(ifname, routeArgs(route)).catch((err) => {
      throw VirError.bare(
        "NONE",
        "SYSTEM_ERROR",
        `Error adding route to ${ifname}: ${routeReason(String(err))}`,
      );
    });
  }
}

/** The errno behind what `ip route` says (the kernel's extended message or strerror(3)). */
const ROUTE_ERRNOS: [RegExp, number][] = [
  [/File exists/, 17],
  [/No such device/, 19],
  [/Invalid argument/, 22],
  [/Nexthop has invalid gateway|Network is unreachable/, 101],
];

/**
 * What libvirt 9.0 appends to a route's error: it hands netlink's negative errno to
 * `virReportSystemError`, whose strerror(3) knows no negative numbers.
 */
function routeReason(text: string): string {
  const errno = ROUTE_ERRNOS.find(([re]) => re.test(text))?.[1];
  return errno === undefined ? text.replace(/^Error: /, "") : `Unknown error -${errno}`;
}

/** An IPv4 address's dotted quad. */
function dottedQuad(value: bigint): string {
  return [24n, 16n, 8n, 0n].map((s) => String((value >> s) & 0xffn)).join(".");
}

/** `ip addr add` of one `<ip>` and the address as libvirt's error names it. */
function addressArgs(ip: XmlElement): { args: string[]; shown: string } {
  const { address = "", prefix, peer } = ip.attributes;
  const a = ipAddressBits(address)!;
  const bits = ipPrefix({ address, prefix: Number(prefix ?? 0), ranges: [], hosts: [] }, a);
  let shown = `${address}/${bits}`;
  const args = ["addr", "add", `${address}/${bits}`];
  if (peer) {
    args.push("peer", peer);
    shown += ` peer ${peer}`;
  } else if (a.family === "ipv4") {
    const net = maskByPrefix(a, bits) ?? 0n;
    const broadcast = dottedQuad(net | ((1n << BigInt(32 - bits)) - 1n));
    args.push("broadcast", broadcast);
    shown += ` bcast ${broadcast}`;
  }
  return { args, shown };
}

/**
 * `ip route add` of one `<route>` as `virNetDevIPRouteAdd` sends it over netlink: to its
 * network (the default one without an address), via its gateway, `proto boot`, with its
 * metric when positive.
 */
function routeArgs(route: XmlElement): string[] {
  const { address, prefix, netmask, gateway = "", metric } = route.attributes;
  const family = ipAddressBits(gateway)?.family ?? "ipv4";
  const dest = address ?? (family === "ipv4" ? "0.0.0.0" : "::");
  const a = ipAddressBits(dest)!;
  const bits = prefix !== undefined
    ? Number(prefix)
    : a.value === 0n && (netmask === undefined || ipAddressBits(netmask)?.value === 0n)
    ? 0
    : ipPrefix({ address: dest, netmask, ranges: [], hosts: [] }, a);
  const args = ["route", "add", `${dest}/${bits}`, "via", gateway, "proto", "boot"];
  if (Number(metric ?? 0) > 0) args.push("metric", String(metric));
  return args;
}
