/**
 * A network's static `<route>`s: virNetDevIPRouteParseXML / virNetDevIPRouteCreate (every
 * message prefixed with the network name) and virNetworkDefParseXML's check that each gateway
 * is reachable through one of the network's own addresses.
 *
 * @example
 * ```ts
 * import { parseRoute } from "./route.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * parseRoute(parse("<route address='10.1.0.0' prefix='16' gateway='10.0.0.2'/>"), "net").prefix;
 * // 16
 * ```
 * @module
 */
import { VirError } from "../../util/errors.ts";
import type { XmlElement } from "../../util/xml/mod.ts";
import { element } from "../../util/xml/mod.ts";
import { ipAddressBits, parseIpAddress, xmlPropUInt } from "../common/mod.ts";
import type { NetworkIp, NetworkRoute } from "./model.ts";
import { ipPrefix, maskByPrefix } from "./ip_prefix.ts";

const xmlErr = (msg: string) => VirError.report("NETWORK", "XML_ERROR", msg);

/** Parses one `<route>` of network `net`. */
export function parseRoute(el: XmlElement, net: string): NetworkRoute {
  const { family, address, netmask, gateway } = el.attributes;
  const prefix = xmlPropUInt(el, "prefix");
  const metric = xmlPropUInt(el, "metric");
  if (metric === 0) {
    throw VirError.report(
      "XML",
      "XML_ERROR",
      "Invalid value for attribute 'metric' in element 'route': Zero is not permitted",
    );
  }
  if (address === undefined) {
    throw xmlErr(`${net}: Missing required address attribute in route definition`);
  }
  if (gateway === undefined) {
    throw xmlErr(`${net}: Missing required gateway attribute in route definition`);
  }
  const a = ipAddressBits(address);
  if (!a) throw xmlErr(`${net}: Bad network address '${address}' in route definition`);
  const g = ipAddressBits(gateway);
  if (!g) throw xmlErr(`${net}: Bad gateway address '${gateway}' in route definition`);
  const p = prefix ?? 0;
  let mask: ReturnType<typeof ipAddressBits>;
  if (family === undefined || family === "ipv4") {
    const what = family === undefined ? "No family specified" : "IPv4 family specified";
    if (a.family !== "ipv4") {
      throw xmlErr(`${net}: ${what} for non-IPv4 address '${address}' in route definition`);
    }
    // libvirt names the address, not the gateway, in this message.
    if (g.family !== "ipv4") {
      throw xmlErr(`${net}: ${what} for non-IPv4 gateway '${address}' in route definition`);
    }
    if (netmask !== undefined) {
      mask = ipAddressBits(netmask);
      if (!mask) throw xmlErr(`${net}: Bad netmask address '${netmask}' in route definition`);
      if (mask.family !== "ipv4") {
        throw xmlErr(
          `${net}: Invalid netmask '${netmask}' for address '${address}' (both must be IPv4)`,
        );
      }
      if (prefix !== undefined) {
        throw xmlErr(`${net}: Route definition cannot have both a prefix and a netmask`);
      }
    }
    if (p > 32) {
      throw xmlErr(
        `${net}: Invalid prefix ${p} specified in route definition, must be 0 - 32`,
      );
    }
  } else if (family === "ipv6") {
    if (a.family !== "ipv6") {
      throw xmlErr(
        `${net}: ipv6 family specified for non-IPv6 address '${address}' in route definition`,
      );
    }
    if (netmask !== undefined) {
      throw xmlErr(
        `${net}: Specifying netmask invalid for IPv6 address '${address}' in route definition`,
      );
    }
    if (g.family !== "ipv6") {
      throw xmlErr(
        `${net}: ipv6 specified for non-IPv6 gateway address '${gateway}' in route definition`,
      );
    }
    if (p > 128) {
      throw xmlErr(
        `${net}: Invalid prefix ${p} specified in route definition, must be 0 - 128`,
      );
    }
  } else {
    throw xmlErr(`${net}: Unrecognized family '${family}' in route definition`);
  }
  const network = mask ? a.value & mask.value : maskByPrefix(a, p);
  if (network !== a.value) {
    throw xmlErr(`${net}: Address '${address}' in route definition is not a network address`);
  }
  return {
    family,
    address: parseIpAddress(address)!.text,
    netmask: netmask === undefined ? undefined : parseIpAddress(netmask)!.text,
    prefix,
    gateway: parseIpAddress(gateway)!.text,
    metric,
  };
}

/** Each route's gateway must be on the subnet of one of the network's addresses. */
export function checkRouteGateways(routes: NetworkRoute[], ips: NetworkIp[], net: string): void {
  for (const route of routes) {
    const gw = ipAddressBits(route.gateway)!;
    const reachable = ips.some((ip) => {
      const a = ip.address === undefined ? undefined : ipAddressBits(ip.address);
      if (!a || a.family !== gw.family) return false;
      const prefix = ipPrefix(ip, a);
      const net1 = maskByPrefix(a, prefix);
      return net1 !== undefined && net1 === maskByPrefix(gw, prefix);
    });
    if (!reachable) {
      throw VirError.report(
        "NETWORK",
        "CONFIG_UNSUPPORTED",
        `unreachable static route gateway '${route.gateway}' specified for network '${net}'`,
      );
    }
  }
}

/**
 * A `<route>` as virNetDevIPRouteFormat writes it (networks' and domain interfaces' alike).
 *
 * @example
 * ```ts
 * import { routeElement } from "./route.ts";
 * routeElement({ address: "10.1.0.0", prefix: 16, gateway: "10.0.0.2" }).name; // "route"
 * ```
 */
export function routeElement(r: NetworkRoute): XmlElement {
  return element("route", {
    family: r.family,
    address: r.address,
    netmask: r.netmask,
    prefix: r.prefix,
    gateway: r.gateway,
    metric: r.metric,
  });
}
