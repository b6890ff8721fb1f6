/**
 * The host network devices of a virtual network, as libvirt's virnetdev*.c helpers drive them
 * (through netlink and /proc there, through `ip` and `sysctl` here, all via the
 * {@link HostRunner}): the bridge, its addresses, routes and sysctls, IP forwarding. Errors
 * carry libvirt's messages with the kernel's reason.
 *
 * @module
 */
import type { NetworkDef, NetworkIp, NetworkRoute } from "../../conf/network/mod.ts";
import { VirError } from "../../util/errors.ts";
import { broadcastOf, ipPrefix, isIPv6, networkCIDR } from "./addr.ts";
import type { CommandResult, HostRunner } from "./runner.ts";

/** The kernel's reason in a failed `ip`/`sysctl` command (`strerror` text). */
function reason(r: CommandResult): string {
  const text = r.stderr.trim().split("\n").pop() ?? "";
  return text.replace(/^RTNETLINK answers: /, "").replace(/^(Error|sysctl): /, "").replace(
    /\.$/,
    "",
  );
}

async function must(runner: HostRunner, argv: string[], message: string): Promise<void> {
  const r = await runner.run(argv);
  if (r.code !== 0) throw VirError.bare("NONE", "SYSTEM_ERROR", `${message}: ${reason(r)}`);
}

/**
 * `virNetDevExists`: whether a network device of this name exists.
 *
 * @example
 * ```ts
 * import { deviceExists } from "./netdev.ts";
 * import { hostRunner } from "./runner.ts";
 * await deviceExists(hostRunner(), "lo"); // true
 * ```
 */
export async function deviceExists(runner: HostRunner, name: string): Promise<boolean> {
  return (await runner.run(["ip", "link", "show", "dev", name])).code === 0;
}

/**
 * `virNetDevBridgeCreate` with the bridge's MAC, then its MTU, STP delay and STP.
 *
 * @example
 * ```ts
 * import { createBridge } from "./netdev.ts";
 * declare const runner: import("./runner.ts").HostRunner;
 * declare const def: import("../../conf/network/mod.ts").NetworkDef;
 * await createBridge(runner, def);
 * ```
 */
export async function createBridge(runner: HostRunner, def: NetworkDef): Promise<void> {
  const br = def.bridge.name!;
  await must(
    runner,
    ["ip", "link", "add", "name", br, ...(def.mac ? ["address", def.mac] : []), "type", "bridge"],
    `error creating bridge interface ${br}`,
  );
  if (def.mtu) {
    await must(
      runner,
      ["ip", "link", "set", "dev", br, "mtu", String(def.mtu)],
      `Cannot set interface MTU on '${br}'`,
    );
  }
  // The kernel counts the forward delay in hundredths of a second.
  await must(
    runner,
    [
      "ip",
      "link",
      "set",
      "dev",
      br,
      "type",
      "bridge",
      "forward_delay",
      String(def.bridge.delay * 100),
    ],
    `Unable to set STP delay on ${br}`,
  );
  await must(
    runner,
    ["ip", "link", "set", "dev", br, "type", "bridge", "stp_state", def.bridge.stp ? "1" : "0"],
    `Unable to set STP on ${br}`,
  );
}

/**
 * `networkSetIPv6Sysctls`: IPv6 off on a bridge without IPv6 addresses, else no RA/autoconf.
 *
 * @example
 * ```ts
 * import { setIPv6Sysctls } from "./netdev.ts";
 * declare const runner: import("./runner.ts").HostRunner;
 * declare const def: import("../../conf/network/mod.ts").NetworkDef;
 * await setIPv6Sysctls(runner, def);
 * ```
 */
export async function setIPv6Sysctls(runner: HostRunner, def: NetworkDef): Promise<void> {
  const br = def.bridge.name!;
  const v6 = def.ips.some((ip) => ip.address !== undefined && isIPv6(ip));
  const key = (k: string) => `net.ipv6.conf.${br.replaceAll(".", "/")}.${k}`;
  // A kernel without IPv6 has no such keys: libvirt then leaves IPv6 alone too.
  if ((await runner.run(["sysctl", "-n", key("disable_ipv6")])).code !== 0) {
    if (v6) {
      throw VirError.bare(
        "NONE",
        "SYSTEM_ERROR",
        `Cannot enable IPv6 on bridge ${br}: No such file or directory`,
      );
    }
    return;
  }
  const sets = v6 ? [["disable_ipv6", "0"], ["accept_ra", "0"], ["autoconf", "0"]] : [[
    "disable_ipv6",
    "1",
  ]];
  for (const [k, v] of sets) {
    await must(
      runner,
      ["sysctl", "-w", `${key(k)}=${v}`],
      `cannot write to '/proc/sys/net/ipv6/conf/${br}/${k}' on bridge '${br}'`,
    );
  }
}

/**
 * `networkAddAddrToBridge`.
 *
 * @example
 * ```ts
 * import { addAddress } from "./netdev.ts";
 * declare const runner: import("./runner.ts").HostRunner;
 * await addAddress(runner, "virbr0", { address: "10.0.0.1", prefix: 24, ranges: [], hosts: [] });
 * ```
 */
export async function addAddress(runner: HostRunner, br: string, ip: NetworkIp): Promise<void> {
  const prefix = ipPrefix(ip);
  if (prefix < 0) {
    throw VirError.report(
      "NETWORK",
      "INTERNAL_ERROR",
      `bridge '${br}' has an invalid netmask or IP address`,
    );
  }
  const bcast = isIPv6(ip) ? undefined : broadcastOf(ip);
  await must(
    runner,
    [
      "ip",
      ...(isIPv6(ip) ? ["-6"] : []),
      "addr",
      "add",
      `${ip.address}/${prefix}`,
      ...(bcast ? ["broadcast", bcast] : []),
      "dev",
      br,
    ],
    `Failed to add IP address ${ip.address}/${prefix}${bcast ? ` bcast ${bcast}` : ""} to ${br}`,
  );
}

/**
 * `networkAddRouteToBridge`; libvirt goes on when a route fails, and so does this.
 *
 * @example
 * ```ts
 * import { addRoute } from "./netdev.ts";
 * declare const runner: import("./runner.ts").HostRunner;
 * await addRoute(runner, "virbr0", { address: "10.1.0.0", prefix: 16, gateway: "10.0.0.2" });
 * ```
 */
export async function addRoute(runner: HostRunner, br: string, r: NetworkRoute): Promise<void> {
  const prefix = ipPrefix({
    address: r.address,
    netmask: r.netmask,
    prefix: r.prefix,
    ranges: [],
    hosts: [],
  });
  await runner.run([
    "ip",
    ...(r.address.includes(":") ? ["-6"] : []),
    "route",
    "add",
    `${r.address}/${prefix}`,
    "via",
    r.gateway,
    "dev",
    br,
    "metric",
    // virNetDevIPRouteGetMetric: 1 unless the XML gives a positive one.
    String(r.metric && r.metric > 0 ? r.metric : 1),
  ]);
}

/**
 * `virNetDevSetOnline`.
 *
 * @example
 * ```ts
 * import { setOnline } from "./netdev.ts";
 * declare const runner: import("./runner.ts").HostRunner;
 * await setOnline(runner, "virbr0", true);
 * ```
 */
export async function setOnline(runner: HostRunner, br: string, up: boolean): Promise<void> {
  await must(
    runner,
    ["ip", "link", "set", "dev", br, up ? "up" : "down"],
    `Cannot set interface flags on '${br}'`,
  );
}

/**
 * `virNetDevBridgeDelete`.
 *
 * @example
 * ```ts
 * import { deleteBridge } from "./netdev.ts";
 * declare const runner: import("./runner.ts").HostRunner;
 * await deleteBridge(runner, "virbr0");
 * ```
 */
export async function deleteBridge(runner: HostRunner, br: string): Promise<void> {
  await must(runner, ["ip", "link", "del", "dev", br], `error destroying bridge interface ${br}`);
}

/**
 * `networkEnableIPForwarding`: the namespace's IPv4 and/or IPv6 forwarding on.
 *
 * @example
 * ```ts
 * import { enableForwarding } from "./netdev.ts";
 * declare const runner: import("./runner.ts").HostRunner;
 * await enableForwarding(runner, true, false);
 * ```
 */
export async function enableForwarding(
  runner: HostRunner,
  v4: boolean,
  v6: boolean,
): Promise<void> {
  const keys = [
    ...(v4 ? ["net.ipv4.ip_forward"] : []),
    ...(v6 ? ["net.ipv6.conf.all.forwarding"] : []),
  ];
  for (const k of keys) {
    await must(runner, ["sysctl", "-w", `${k}=1`], "failed to enable IP forwarding");
  }
}

/**
 * `networkCheckRouteCollision`: a network whose IPv4 subnet, or one of whose static routes,
 * is already routed through an interface of the host (of its namespace) is refused, so that
 * starting it cannot break the host's own networking.
 *
 * @example
 * ```ts
 * import { checkRouteCollision } from "./netdev.ts";
 * declare const runner: import("./runner.ts").HostRunner;
 * declare const def: import("../../conf/network/mod.ts").NetworkDef;
 * await checkRouteCollision(runner, def);
 * ```
 */
export async function checkRouteCollision(runner: HostRunner, def: NetworkDef): Promise<void> {
  const r = await runner.run(["ip", "-4", "-j", "route", "show", "table", "main"]);
  if (r.code !== 0 || !r.stdout.trim()) return;
  const routes = JSON.parse(r.stdout) as { dst: string; dev?: string }[];
  const cidr = (address: string, prefix: number) =>
    networkCIDR({ address, prefix, ranges: [], hosts: [] });
  for (const route of routes) {
    if (route.dst === "default" || !route.dev) continue;
    const dst = route.dst.includes("/") ? route.dst : `${route.dst}/32`;
    for (const ip of def.ips.filter((i) => i.address !== undefined && !isIPv6(i))) {
      if (networkCIDR(ip) === dst) {
        throw VirError.report(
          "NETWORK",
          "INTERNAL_ERROR",
          `Network is already in use by interface ${route.dev}`,
        );
      }
    }
    for (const rt of def.routes.filter((x) => !x.address.includes(":"))) {
      const prefix = ipPrefix({ ...rt, ranges: [], hosts: [] });
      const net = cidr(rt.address, prefix);
      if (net === dst) {
        throw VirError.report(
          "NETWORK",
          "INTERNAL_ERROR",
          `Route address '${net.split("/")[0]}' conflicts with IP address for '${route.dev}'`,
        );
      }
    }
  }
}

/**
 * `virNetDevIPCheckIPv6Forwarding`: turning IPv6 forwarding on makes the kernel flush the
 * routes it learnt from router advertisements on interfaces whose `accept_ra` is not 2, which
 * would cut the host off; such a host is refused.
 *
 * @example
 * ```ts
 * import { checkIPv6Forwarding } from "./netdev.ts";
 * declare const runner: import("./runner.ts").HostRunner;
 * await checkIPv6Forwarding(runner);
 * ```
 */
export async function checkIPv6Forwarding(runner: HostRunner): Promise<void> {
  const r = await runner.run(["ip", "-6", "-j", "route", "show", "table", "all"]);
  if (r.code !== 0 || !r.stdout.trim()) return;
  const acceptRA = async (dev: string) => {
    const out = await runner.run(["sysctl", "-n", `net.ipv6.conf.${dev}.accept_ra`]);
    return out.code === 0 ? Number(out.stdout.trim()) : -1;
  };
  const all = await acceptRA("all");
  const devs = (JSON.parse(r.stdout) as { dev?: string; protocol?: string }[])
    .filter((x) => x.protocol === "ra" && x.dev).map((x) => x.dev!);
  for (const dev of new Set(devs)) {
    const v = await acceptRA(dev);
    if (v === 1 || (v === 0 && all === 1)) {
      throw VirError.report(
        "NONE",
        "INTERNAL_ERROR",
        `Check the host setup: interface ${dev} has kernel autoconfigured IPv6 routes and enabling forwarding  without accept_ra set to 2 will cause the kernel to flush them, breaking networking.`,
      );
    }
  }
}
