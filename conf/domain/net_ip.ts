/**
 * The `<ip>` and `<route>` children of a domain interface (its guest side) or of its `<source>`
 * (the host side of an ethernet interface), checked as libvirt 9.0's virDomainNetIPInfoParseXML
 * reads them: each address with its family, prefix and peer (virDomainNetIPParseXML), then each
 * route with the network driver's own parser and errors, prefixed with `source`.
 *
 * @example
 * ```ts
 * import { netIPInfo } from "./net_ip.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * netIPInfo(parse("<interface><ip address='10.0.0.2'/></interface>"), "guest interface")[0]
 *   .attributes; // { address: "10.0.0.2", family: "ipv4" }
 * ```
 * @module
 */
import { VirError } from "../../util/errors.ts";
import { children, element, type XmlElement } from "../../util/xml/mod.ts";
import { type IpFamily, parseIpAddress } from "../common/mod.ts";
import { parseRoute, routeElement } from "../network/route.ts";

const xmlErr = (msg: string) => VirError.report("DOMAIN", "XML_ERROR", msg);

/** virSocketAddrParse of `text` in `family` (any numeric address when none is known). */
function inFamily(text: string, family: IpFamily | undefined): boolean {
  const a = parseIpAddress(text);
  return a !== undefined && (family === undefined || a.family === family);
}

/** One `<ip>` checked as virDomainNetIPParseXML does, written back as virNetDevIPInfoFormat. */
function ipElement(el: XmlElement): XmlElement {
  const { address, family: familyAttr, prefix, peer } = el.attributes;
  if (address === undefined) throw xmlErr("Missing required address in <ip>");
  // Only the two family names count; otherwise the address's own family is taken.
  const family = familyAttr === "ipv4" || familyAttr === "ipv6"
    ? familyAttr
    : parseIpAddress(address)?.family;
  if (family === undefined || !inFamily(address, family)) {
    throw xmlErr(`Invalid address '${address}' in <ip>`);
  }
  let bits = 0;
  if (prefix !== undefined) {
    // virStrToLong_ui: blanks first, then digits to the end.
    const m = /^[ \t\n\v\f\r]*\+?([0-9]+)$/.exec(prefix);
    bits = m ? Number(m[1]) : NaN;
    if (!(bits <= 0xffffffff) || bits > (family === "ipv6" ? 128 : 32)) {
      throw xmlErr(`Invalid prefix value '${prefix}' in <ip>`);
    }
  }
  if (peer !== undefined && !inFamily(peer, family)) {
    throw VirError.report("DOMAIN", "INVALID_ARG", `Invalid peer '${peer}' in <ip>`);
  }
  return element("ip", {
    address: parseIpAddress(address)!.text,
    family,
    prefix: bits || undefined,
    peer: peer === undefined ? undefined : parseIpAddress(peer)!.text,
  });
}

/**
 * The `<ip>`s, then the `<route>`s, under `el`, checked and written back as libvirt does;
 * `source` names the side in errors.
 */
export function netIPInfo(el: XmlElement, source: string): XmlElement[] {
  const ips = children(el, "ip").map(ipElement);
  const routes = children(el, "route").map((r) => routeElement(parseRoute(r, source)));
  return [...ips, ...routes];
}
