/**
 * A domain's `<interface type='network'>` as a port of the host's network driver (libvirt's
 * `virDomainNetDefToNetworkPort`, `virNetworkPortDefFormat`, `virDomainNetCreatePort` and
 * `virDomainNetReleaseActualDevice`): the port is created at start from the interface, the
 * network driver answers where to plug the tap (`<plug type='network' bridge='virbr0'/>`), and
 * the port goes when the domain stops.
 *
 * @module
 */
import type { DomainDef, DomainInterface } from "../../../conf/domain/def.ts";
import type { NetworkRef } from "../../../util/contract/types.ts";
import { VIR } from "../../../util/constants.ts";
import { VirError } from "../../../util/errors.ts";
import { child, element, parse, stringify } from "../../../util/xml/mod.ts";
import type { QemuSecondaries } from "../secondaries.ts";

/** The `<interface>` children libvirt copies into the port, in the port's format order. */
const PORT_COPIES = ["virtualport", "bandwidth", "vlan", "port"];

/**
 * The `<networkport>` XML of an interface as libvirt's `virNetworkPortDefFormat` writes it:
 * the port's UUID, the owning domain, the portgroup, the MAC, then what the interface asks of
 * the port (virtual port profile, bandwidth, VLAN, isolation) and, when `plug` is given (a
 * port reclaimed after a restart), where it is plugged.
 *
 * @example
 * ```ts
 * import { networkPortXML } from "./port.ts";
 * import type { DomainDef } from "../../../conf/domain/def.ts";
 * declare const def: DomainDef;
 * networkPortXML(def, def.devices.interfaces[0], crypto.randomUUID());
 * ```
 */
export function networkPortXML(
  def: DomainDef,
  net: DomainInterface,
  uuid: string,
  plug?: Record<string, string>,
): string {
  const el = element("networkport", {}, [
    element("uuid", {}, [uuid]),
    element("owner", {}, [element("name", {}, [def.name]), element("uuid", {}, [def.uuid])]),
    net.source?.portgroup !== undefined && element("group", {}, [net.source.portgroup]),
    element("mac", { address: net.mac }),
    ...PORT_COPIES.flatMap((name) => net.extra.filter((e) => e.name === name)),
    plug && element("plug", plug),
  ]);
  return stringify(el);
}

/** Where the network driver plugged a port: its `<plug>` element's attributes. */
export type PortPlug = Record<string, string>;

/**
 * The `<plug>` of a port's XML. Only a tap on a bridge (`network` and `bridge` plugs) is
 * something this driver starts; a macvtap (`direct`) or a PCI function (`hostdev-pci`) is
 * refused as the QEMU binary's missing device, never started as something else.
 *
 * @example
 * ```ts
 * import { portPlug } from "./port.ts";
 * portPlug("<networkport><plug type='network' bridge='virbr0'/></networkport>");
 * // { type: "network", bridge: "virbr0" }
 * ```
 */
export function portPlug(xml: string): PortPlug {
  const plug = child(parse(xml), "plug")?.attributes;
  if (!plug?.type || plug.type === "none") {
    throw VirError.report("DOMAIN", "INTERNAL_ERROR", "Unexpected network port type none");
  }
  if ((plug.type !== "network" && plug.type !== "bridge") || !plug.bridge) {
    const device = plug.type === "direct" ? "macvtap" : "vfio-pci";
    throw VirError.report(
      "QEMU",
      "CONFIG_UNSUPPORTED",
      `The '${device}' device is not supported by this QEMU binary`,
    );
  }
  return { ...plug };
}

/** A port the driver holds for one interface. */
export interface HeldPort {
  network: string;
  uuid: string;
  plug: PortPlug;
}

/**
 * `virDomainNetAllocateActualDevice`: looks the interface's network up, creates its port and
 * reads back where it is plugged. libvirt's errors come from the network driver itself: no
 * network with that name, a network that is not active. A port whose plug cannot be used is
 * deleted again before the error goes up.
 *
 * @example
 * ```ts
 * import { allocatePort } from "./port.ts";
 * import type { QemuSecondaries } from "../secondaries.ts";
 * import type { DomainDef } from "../../../conf/domain/def.ts";
 * declare const secondaries: QemuSecondaries, def: DomainDef;
 * const port = await allocatePort(secondaries, def, def.devices.interfaces[0]);
 * port.plug.bridge; // "virbr0"
 * ```
 */
export async function allocatePort(
  secondaries: QemuSecondaries,
  def: DomainDef,
  net: DomainInterface,
  reclaim?: HeldPort,
): Promise<HeldPort> {
  const name = net.source?.network ?? "";
  const network = await secondaries.call("network", "networkLookupByName", name);
  const uuid = reclaim?.uuid ?? crypto.randomUUID();
  const xml = networkPortXML(def, net, uuid, reclaim?.plug);
  const flags = reclaim ? VIR.NETWORK_PORT_CREATE_RECLAIM : 0;
  const port = await secondaries.call("network", "networkPortCreateXML", network, xml, flags);
  try {
    const plug = portPlug(await secondaries.call("network", "networkPortGetXMLDesc", port, 0));
    return { network: name, uuid: port.uuid, plug };
  } catch (err) {
    await secondaries.call("network", "networkPortDelete", port, 0).catch(() => {});
    throw err;
  }
}

/**
 * `virDomainNetNotifyActualDevice` after a driver restart: a port the network driver still
 * has is kept; one it lost (its own restart) is created again with the same UUID and plug.
 *
 * @example
 * ```ts
 * import { reclaimPort } from "./port.ts";
 * import type { QemuSecondaries } from "../secondaries.ts";
 * import type { DomainDef } from "../../../conf/domain/def.ts";
 * declare const secondaries: QemuSecondaries, def: DomainDef;
 * const held = { network: "default", uuid: crypto.randomUUID(), plug: { type: "network", bridge: "virbr0" } };
 * await reclaimPort(secondaries, def, def.devices.interfaces[0], held);
 * ```
 */
export async function reclaimPort(
  secondaries: QemuSecondaries,
  def: DomainDef,
  net: DomainInterface,
  held: HeldPort,
): Promise<void> {
  const network: NetworkRef = await secondaries.call(
    "network",
    "networkLookupByName",
    held.network,
  );
  const found = await secondaries.call("network", "networkPortLookupByUUID", network, held.uuid)
    .then(() => true, (err) => {
      if (err instanceof VirError && err.code === VIR.ERR_NO_NETWORK_PORT) return false;
      throw err;
    });
  if (!found) await allocatePort(secondaries, def, net, held);
}

/**
 * `virDomainNetReleaseActualDevice`: the port goes with the domain's stop.
 *
 * @example
 * ```ts
 * import { releasePort } from "./port.ts";
 * import type { QemuSecondaries } from "../secondaries.ts";
 * declare const secondaries: QemuSecondaries;
 * await releasePort(secondaries, { network: "default", uuid: "…", plug: {} });
 * ```
 */
export async function releasePort(secondaries: QemuSecondaries, held: HeldPort): Promise<void> {
  const network = await secondaries.call("network", "networkLookupByName", held.network);
  const port = await secondaries.call("network", "networkPortLookupByUUID", network, held.uuid);
  await secondaries.call("network", "networkPortDelete", port, 0);
}

/**
 * The live `<interface>` of a network NIC as libvirt's public actual device shows it: the type
 * is the actual one (`bridge` for a network forwarding to a host bridge), the `<source>` names
 * the network, its port and the bridge the tap is on.
 *
 * @example
 * ```ts
 * import { applyActualDevice } from "./port.ts";
 * const net = { type: "network", source: { network: "default" }, extra: [] };
 * applyActualDevice(net, { network: "default", uuid: "u", plug: { type: "network", bridge: "virbr0" } });
 * net.source; // { network: "default", portid: "u", bridge: "virbr0" }
 * ```
 */
export function applyActualDevice(net: DomainInterface, held: HeldPort): void {
  const source: Record<string, string> = { network: held.network };
  if (net.source?.portgroup !== undefined) source.portgroup = net.source.portgroup;
  source.portid = held.uuid;
  source.bridge = held.plug.bridge;
  if (held.plug.macTableManager) source.macTableManager = held.plug.macTableManager;
  net.type = held.plug.type === "bridge" ? "bridge" : "network";
  net.source = source;
}
