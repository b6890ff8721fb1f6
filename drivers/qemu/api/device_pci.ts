/**
 * PCI placement of a device plugged into a running q35 domain (libvirt's
 * `qemuDomainEnsurePCIAddress` there): a PCI Express endpoint takes an empty `pcie-root-port`.
 *
 * @module
 */
import type { DomainDef } from "../../../conf/domain/def.ts";
import { VirError } from "../../../util/errors.ts";
import { child, element, type XmlElement } from "../../../util/xml/mod.ts";
import { isQ35 } from "../default_devices.ts";

/** Where a device keeps its `<address>`: a NIC in `extra`, any other in its children. */
export interface PciEndpoint {
  children: XmlElement["children"];
}

/**
 * On q35 a PCI Express endpoint without an address plugs into an empty `pcie-root-port`
 * (libvirt keeps one spare): the first port no device sits behind. None left is libvirt's
 * "No more available PCI slots".
 *
 * @example
 * ```ts
 * import { ensureQ35Port } from "./device_pci.ts";
 * declare const def: import("../../../conf/domain/def.ts").DomainDef;
 * declare const disk: import("../../../util/xml/mod.ts").XmlElement;
 * ensureQ35Port(def, disk); // disk gets <address type='pci' bus='0x0N' slot='0x00' …/>
 * ```
 */
export function ensureQ35Port(def: DomainDef, dev: PciEndpoint): void {
  if (!isQ35(def) || child(dev as XmlElement, "address")) return;
  const busy = new Set(
    def.devices.other.concat(
      def.devices.interfaces.map((n) => ({ children: n.extra } as XmlElement)),
    )
      .map((d) => child(d, "address")?.attributes)
      .filter((a) => a?.type === "pci")
      .map((a) => Number(a!.bus)),
  );
  const port = def.devices.other.find((d) =>
    d.name === "controller" && d.attributes.model === "pcie-root-port" &&
    !busy.has(Number(d.attributes.index))
  );
  if (!port) {
    throw VirError.report("QEMU", "INTERNAL_ERROR", "No more available PCI slots");
  }
  const bus = `0x${Number(port.attributes.index).toString(16).padStart(2, "0")}`;
  dev.children.push(
    element("address", { type: "pci", domain: "0x0000", bus, slot: "0x00", function: "0x0" }),
  );
}
