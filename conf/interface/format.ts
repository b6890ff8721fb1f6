import { element, stringify, type XmlElement } from "../../util/xml/mod.ts";
import type { InterfaceDef, InterfaceProtocol } from "./model.ts";

/** `<protocol>`, `<bridge>` and `<bond>` are written as open and close tags even when empty. */
function open(el: XmlElement): XmlElement {
  el.keepOpen = true;
  return el;
}

function formatProtocol(p: InterfaceProtocol): XmlElement {
  return open(element("protocol", { family: p.family }, [
    p.autoconf && element("autoconf"),
    p.dhcp &&
    element("dhcp", {
      peerdns: p.dhcp.peerdns === undefined ? undefined : p.dhcp.peerdns ? "yes" : "no",
    }),
    ...p.ips.filter((ip) => ip.address !== undefined).map((ip) =>
      element("ip", { address: ip.address, prefix: ip.prefix || undefined })
    ),
    p.gateway !== undefined && element("route", { gateway: p.gateway }),
  ]));
}

function formatDev(def: InterfaceDef, topLevel: boolean): XmlElement {
  // libvirt prints no link for a bridge (virInterfaceDefDevFormat), even when it knows one.
  const link = def.type !== "bridge" && def.link && (def.link.speed || def.link.state) &&
    element("link", { speed: def.link.speed || undefined, state: def.link.state });
  const bond = def.bond;
  const el = element("interface", { type: def.type, name: def.name }, [
    topLevel && def.startMode && element("start", { mode: def.startMode }),
    topLevel && def.mtu ? element("mtu", { size: def.mtu }) : undefined,
    ...(topLevel ? def.protocols.map(formatProtocol) : []),
    link || undefined,
    def.type === "ethernet" && def.mac !== undefined && element("mac", { address: def.mac }),
    def.bridge && open(element("bridge", {
      stp: def.bridge.stp === undefined ? undefined : def.bridge.stp ? "on" : "off",
      delay: def.bridge.delay,
    }, def.bridge.interfaces.map((i) => formatDev(i, false)))),
    bond && open(element("bond", { mode: bond.mode }, [
      bond.miimon && element("miimon", {
        freq: bond.miimon.freq,
        downdelay: bond.miimon.downdelay && bond.miimon.downdelay > 0
          ? bond.miimon.downdelay
          : undefined,
        updelay: bond.miimon.updelay && bond.miimon.updelay > 0 ? bond.miimon.updelay : undefined,
        carrier: bond.miimon.carrier,
      }),
      !bond.miimon && bond.arpmon && element("arpmon", {
        interval: bond.arpmon.interval,
        target: bond.arpmon.target,
        validate: bond.arpmon.validate,
      }),
      ...bond.interfaces.map((i) => formatDev(i, false)),
    ])),
    def.vlan && element("vlan", { tag: def.vlan.tag }, [
      element("interface", { name: def.vlan.devName }),
    ]),
  ]);
  return open(el);
}

/**
 * Formats a host interface like libvirt 9.0's virInterfaceDefFormat.
 *
 * @example
 * ```ts
 * import { formatInterfaceXML, parseInterfaceXML } from "./mod.ts";
 * formatInterfaceXML(parseInterfaceXML("<interface type='ethernet' name='eth0'/>"));
 * // "<interface type='ethernet' name='eth0'>\n</interface>\n"
 * ```
 */
export function formatInterfaceXML(def: InterfaceDef, _flags = 0): string {
  return stringify(formatDev(def, true));
}
