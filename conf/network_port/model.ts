/**
 * libvirt's `virNetworkPortDef` (src/conf/virnetworkportdef.h): a port of a virtual network, made
 * for one guest NIC, as plain JSON.
 *
 * @module
 */
import type { Bandwidth, PciAddress, VirtualPort, Vlan } from "../common/mod.ts";

/** How the NIC plugs into the network (`<plug type=…>`). */
export type PortPlug =
  | { type: "none" }
  | { type: "network" | "bridge"; bridge: string; macTableManager?: "kernel" | "libvirt" }
  | { type: "direct"; dev: string; mode: string }
  | { type: "hostdev-pci"; managed?: boolean; driver?: string; address: PciAddress };

/** A network port definition. */
export interface NetworkPortDef {
  /** The port's UUID (canonical form). */
  uuid: string;
  /** The name of the domain owning it. */
  ownerName: string;
  /** The UUID of the domain owning it. */
  ownerUUID: string;
  /** The network's `<portgroup>` it uses. */
  group?: string;
  /** The NIC's MAC address (canonical form). */
  mac: string;
  virtualPort?: VirtualPort;
  bandwidth?: Bandwidth;
  vlan?: Vlan;
  /** `<port isolated>`. */
  isolatedPort?: boolean;
  /** `<rxfilters trustGuest>`. */
  trustGuestRxFilters?: boolean;
  plug: PortPlug;
}
