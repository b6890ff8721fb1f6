/**
 * What a domain's VNC and SPICE servers get from the host before QEMU starts (libvirt 9.0's
 * `qemuProcessGraphicsSetupListen`, `qemuProcessGraphicsReservePorts`,
 * `qemuProcessGraphicsAllocatePorts`, the release in `qemuProcessStop`): a listen address left
 * out becomes the configured one (`vnc_listen`, `spice_listen`: loopback), written into the live
 * definition; a SPICE port the definition names is kept from other domains, an automatic one is
 * handed out from the display range and written there too; the ports go back when QEMU ends.
 * VNC ports need no allocation: QEMU picks its own display and the driver reads it back.
 *
 * @module
 */
import type { DomainDef } from "../../conf/domain/def.ts";
import { children, type XmlElement } from "../../util/xml/mod.ts";
import { allocateSpicePorts } from "./command/spice_args.ts";
import { DISPLAY_PORTS } from "./port_range.ts";

const spiceServers = (def: DomainDef): XmlElement[] =>
  def.devices.other.filter((d) => d.name === "graphics" && d.attributes.type === "spice");

const portsOf = (g: XmlElement) =>
  [g.attributes.port, g.attributes.tlsPort].map(Number).filter((p) => p > 0);

/** libvirt's default `vnc_listen` and `spice_listen`. */
const DEFAULT_LISTEN = "127.0.0.1";

/**
 * Gives every VNC and SPICE server of `def` (a live definition about to start) the configured
 * address where it listens on an address it does not name, then reserves the SPICE servers'
 * ports, or none when that fails.
 *
 * @example
 * ```ts
 * import { setupGraphics } from "./graphics_setup.ts";
 * import type { DomainDef } from "../../conf/domain/def.ts";
 * declare const def: DomainDef;
 * setupGraphics(def);
 * ```
 */
export function setupGraphics(def: DomainDef): void {
  for (const g of def.devices.other) {
    if (g.name !== "graphics" || (g.attributes.type !== "vnc" && g.attributes.type !== "spice")) {
      continue;
    }
    for (const listen of children(g, "listen")) {
      const a = listen.attributes;
      if ((a.type ?? "address") === "address" && a.address === undefined) {
        a.address = DEFAULT_LISTEN;
      }
    }
    // The element's own `listen` is its first listen address, as libvirt writes it.
    const first = children(g, "listen")[0]?.attributes;
    if (first?.type === "address") g.attributes.listen = first.address;
  }
  const taken: number[] = [];
  try {
    for (const g of spiceServers(def)) {
      if (g.attributes.autoport !== "yes") {
        for (const port of portsOf(g)) DISPLAY_PORTS.setUsed(port);
        taken.push(...portsOf(g));
      }
      taken.push(...allocateSpicePorts(g));
    }
  } catch (err) {
    for (const port of taken) DISPLAY_PORTS.release(port);
    throw err;
  }
  for (const g of def.devices.other) {
    if (g.name === "graphics") g.attributes = ordered(g.attributes);
  }
}

/** virDomainGraphicsDefFormat's order of the attributes of a VNC or SPICE server. */
const ATTRIBUTE_ORDER = [
  "type",
  "socket",
  "port",
  "tlsPort",
  "autoport",
  "websocket",
  "listen",
  "keymap",
  "sharePolicy",
  "powerControl",
  "defaultMode",
  "passwd",
  "passwdValidTo",
  "connected",
];

/** The attributes in libvirt's order, once the start has added some. */
function ordered(attrs: Record<string, string>): Record<string, string> {
  const rank = (k: string) => {
    const i = ATTRIBUTE_ORDER.indexOf(k);
    return i < 0 ? ATTRIBUTE_ORDER.length : i;
  };
  return Object.fromEntries(Object.entries(attrs).sort(([a], [b]) => rank(a) - rank(b)));
}

/**
 * Marks the ports of a running domain's SPICE servers taken (a domain found running when the
 * driver starts).
 *
 * @example
 * ```ts
 * import { markGraphicsPortsUsed } from "./graphics_setup.ts";
 * import type { DomainDef } from "../../conf/domain/def.ts";
 * declare const def: DomainDef;
 * markGraphicsPortsUsed(def);
 * ```
 */
export function markGraphicsPortsUsed(def: DomainDef): void {
  for (const g of spiceServers(def)) for (const port of portsOf(g)) DISPLAY_PORTS.setUsed(port);
}

/**
 * Gives back the ports of the SPICE servers of a live definition whose QEMU ended.
 *
 * @example
 * ```ts
 * import { releaseGraphicsPorts } from "./graphics_setup.ts";
 * import type { DomainDef } from "../../conf/domain/def.ts";
 * declare const def: DomainDef;
 * releaseGraphicsPorts(def);
 * ```
 */
export function releaseGraphicsPorts(def: DomainDef): void {
  for (const g of spiceServers(def)) for (const port of portsOf(g)) DISPLAY_PORTS.release(port);
}
