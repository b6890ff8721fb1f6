/**
 * Facts the test driver needs about network definitions (bridge, first address), read from the
 * canonical XML, so the driver depends only on the `conf/` formatter for them.
 *
 * @module
 */
import { child, parse } from "../../util/xml/mod.ts";
import { formatNetworkXML, type NetworkDef } from "./conf_adapters.ts";

/**
 * The `<bridge name>` of a network, if it has one.
 *
 * @example
 * ```ts
 * import { networkBridge } from "./object_info.ts";
 * declare const def: import("./conf_adapters.ts").NetworkDef;
 * networkBridge(def); // "virbr0"
 * ```
 */
export function networkBridge(def: NetworkDef): string | undefined {
  return child(parse(formatNetworkXML(def, 0)), "bridge")?.attributes.name;
}

/**
 * The first `<ip>` of a network: address, prefix length and first DHCP range start.
 *
 * @example
 * ```ts
 * import { networkFirstIP } from "./object_info.ts";
 * declare const def: import("./conf_adapters.ts").NetworkDef;
 * networkFirstIP(def)?.address; // "192.168.122.1"
 * ```
 */
export function networkFirstIP(
  def: NetworkDef,
): { address: string; prefix: number; rangeStart?: string; family?: string } | undefined {
  const ip = child(parse(formatNetworkXML(def, 0)), "ip");
  if (!ip) return undefined;
  const { address, netmask, prefix, family } = ip.attributes;
  const bits = prefix !== undefined
    ? Number(prefix)
    : netmask !== undefined
    ? netmask.split(".").reduce(
      (n, o) => n + (Number(o) >>> 0).toString(2).replace(/0/g, "").length,
      0,
    )
    : 24;
  const range = child(child(ip, "dhcp"), "range");
  return { address, prefix: bits, rangeStart: range?.attributes.start, family };
}
