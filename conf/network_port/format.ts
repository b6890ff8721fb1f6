/**
 * libvirt's `virNetworkPortDefFormat`: a {@link NetworkPortDef} as `<networkport>` XML.
 *
 * @module
 */
import { element, stringify } from "../../util/xml/mod.ts";
import {
  formatBandwidth,
  formatPciAddress,
  formatVirtualPort,
  formatVlan,
  yesNo,
} from "../common/mod.ts";
import type { NetworkPortDef, PortPlug } from "./model.ts";

function formatPlug(plug: PortPlug) {
  switch (plug.type) {
    case "none":
      return undefined;
    case "network":
    case "bridge":
      return element("plug", {
        type: plug.type,
        bridge: plug.bridge,
        macTableManager: plug.macTableManager,
      });
    case "direct":
      return element("plug", { type: plug.type, dev: plug.dev, mode: plug.mode });
    case "hostdev-pci":
      return element("plug", { type: plug.type, managed: yesNo(plug.managed) }, [
        plug.driver !== undefined && element("driver", { name: plug.driver }),
        formatPciAddress(plug.address, false),
      ]);
  }
}

/**
 * Formats a network port as libvirt does.
 *
 * @example
 * ```ts
 * import { formatNetworkPortXML } from "./format.ts";
 * formatNetworkPortXML({ uuid: "5d744f21-ba4a-4d6e-bdb2-30a35ff3207d", ownerName: "vm",
 *   ownerUUID: "d54df46f-1ab5-4a22-8618-4560ef5fac2c", mac: "52:54:00:7b:35:93",
 *   plug: { type: "network", bridge: "virbr0" } }).includes("<plug type='network' bridge='virbr0'/>"); // true
 * ```
 */
export function formatNetworkPortXML(def: NetworkPortDef): string {
  return stringify(element("networkport", {}, [
    element("uuid", {}, [def.uuid]),
    element("owner", {}, [
      element("name", {}, [def.ownerName]),
      element("uuid", {}, [def.ownerUUID]),
    ]),
    def.group !== undefined && element("group", {}, [def.group]),
    element("mac", { address: def.mac }),
    def.virtualPort && formatVirtualPort(def.virtualPort),
    def.bandwidth && formatBandwidth(def.bandwidth),
    def.vlan && formatVlan(def.vlan),
    def.isolatedPort !== undefined && element("port", { isolated: yesNo(def.isolatedPort) }),
    def.trustGuestRxFilters !== undefined &&
    element("rxfilters", { trustGuest: yesNo(def.trustGuestRxFilters) }),
    formatPlug(def.plug),
  ]));
}
