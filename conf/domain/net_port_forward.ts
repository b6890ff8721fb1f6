/**
 * A user NIC's `<portForward>` elements (virDomainNetPortForwardsParseXML and
 * virDomainNetPortForwardsFormat): the protocol (required), an optional host address and
 * device, and `<range>`s of ports with where they go and whether they are excluded. libvirt
 * keeps them in every definition; only its passt backend, which edgevirt refuses, uses them.
 *
 * @module
 */
import { VirError } from "../../util/errors.ts";
import { children, element, type XmlElement } from "../../util/xml/mod.ts";
import { parseIpAddress, parseYesNo, xmlPropEnum, xmlPropUInt } from "../common/mod.ts";

function parseRange(el: XmlElement): XmlElement {
  const num = (attr: string) => xmlPropUInt(el, attr, 0xffffffff, { nonZero: true });
  const [start, end, to] = [num("start"), num("end"), num("to")];
  const exclude = parseYesNo(el.attributes.exclude, "XML", "exclude", "range");
  return element("range", {
    start,
    end,
    to,
    exclude: exclude === undefined ? undefined : exclude ? "yes" : "no",
  });
}

/**
 * The `<portForward>` children of interface `dev`, checked and written back as libvirt does.
 *
 * @example
 * ```ts
 * import { parsePortForwards } from "./net_port_forward.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * parsePortForwards(parse("<interface><portForward proto='tcp'><range start='22'/>" +
 *   "</portForward></interface>"))[0].attributes.proto; // "tcp"
 * ```
 */
export function parsePortForwards(dev: XmlElement): XmlElement[] {
  return children(dev, "portForward").map((pf) => {
    const proto = xmlPropEnum(pf, "proto", ["tcp", "udp"] as const, true);
    const given = pf.attributes.address;
    const address = given === undefined ? undefined : parseIpAddress(given)?.text;
    if (given !== undefined && !address) {
      throw VirError.report("DOMAIN", "XML_ERROR", `Invalid address '${given}' in <portForward>`);
    }
    return element(
      "portForward",
      { proto, address, dev: pf.attributes.dev },
      children(pf, "range").map(parseRange),
    );
  });
}
