/**
 * spapr-vio addresses as libvirt 9.0's `qemuDomainAssignSpaprVIOAddresses` gives them whatever
 * the machine: a spapr-vlan NIC, an ibmvscsi SCSI controller and a spapr-vio serial port sit on
 * the spapr-vio bus, at the register QEMU defaults to for their kind (or the next one 0x1000 up
 * that no other device holds), a register the XML gives kept but refused when taken.
 *
 * @module
 */
import type { DomainDef } from "../../conf/domain/def.ts";
import { VirError } from "../../util/errors.ts";
import { child, element, type XmlElement } from "../../util/xml/mod.ts";

/** Where a device keeps its `<address>`: a NIC in `extra`, any other in its children. */
type Holder = { children: XmlElement["children"] };

const addressOf = (dev: Holder) =>
  dev.children.find((c): c is XmlElement => c.type === "element" && c.name === "address");

/** The register of a spapr-vio address, or undefined (another type, or none given). */
function regOf(dev: Holder): number | undefined {
  const a = addressOf(dev)?.attributes;
  return a?.type === "spapr-vio" && a.reg !== undefined ? Number(a.reg) : undefined;
}

/**
 * `qemuDomainAssignSpaprVIOAddress`: a device on the spapr-vio bus keeps the register it has
 * (refused when another device holds it) or gets `reg`, or the first one 0x1000 up that is free.
 */
function assign(holders: Holder[], dev: Holder, reg: number): void {
  const a = addressOf(dev);
  if (a?.attributes.type !== "spapr-vio") return;
  const taken = (r: number) => holders.some((h) => h !== dev && regOf(h) === r);
  const given = regOf(dev);
  if (given !== undefined) {
    if (taken(given)) {
      throw VirError.report(
        "QEMU",
        "XML_ERROR",
        `spapr-vio address 0x${given.toString(16)} already in use`,
      );
    }
    return;
  }
  while (taken(reg)) reg += 0x1000;
  a.attributes = { type: "spapr-vio", reg: `0x${reg.toString(16).padStart(8, "0")}` };
}

/** Puts `dev` on the spapr-vio bus (its register, unless it names one, yet to come). */
function onSpaprVio(dev: Holder): void {
  const a = addressOf(dev);
  if (a?.attributes.type === "spapr-vio") return;
  if (a) dev.children.splice(dev.children.indexOf(a), 1);
  dev.children.push(element("address", { type: "spapr-vio" }));
}

/**
 * Gives the spapr-vio devices of `def` their registers: NICs (0x1000), SCSI controllers
 * (0x2000), serial ports (0x30000000), in libvirt's order.
 *
 * @example
 * ```ts
 * import { assignSpaprVioAddresses } from "./spapr_vio_address.ts";
 * import type { DomainDef } from "../../conf/domain/def.ts";
 * declare const def: DomainDef;
 * assignSpaprVioAddresses(def); // an ibmvscsi controller gets reg='0x00002000'
 * ```
 */
export function assignSpaprVioAddresses(def: DomainDef): void {
  const nics = def.devices.interfaces.map((n) => ({
    holder: { children: n.extra },
    model: n.model,
  }));
  const holders: Holder[] = [...def.devices.other, ...nics.map((n) => n.holder)];
  for (const { holder, model } of nics) {
    if (model === "spapr-vlan") onSpaprVio(holder);
    assign(holders, holder, 0x1000);
  }
  for (const c of def.devices.other.filter((d) => d.name === "controller")) {
    if (c.attributes.type === "scsi" && c.attributes.model === "ibmvscsi") onSpaprVio(c);
    assign(holders, c, 0x2000);
  }
  for (const s of def.devices.other.filter((d) => d.name === "serial")) {
    if (child(s, "target")?.attributes.type === "spapr-vio-serial") onSpaprVio(s);
    assign(holders, s, 0x30000000);
  }
}
