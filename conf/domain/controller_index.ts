/**
 * libvirt 9.0's virDomainAssignControllerIndexes: a controller given no index gets the lowest
 * one its type does not use yet, but a USB2 companion (ICH9 EHCI/UHCI) that follows another
 * USB2 controller joins that one's index unless a controller of its own model already has it.
 *
 * @example
 * ```ts
 * import { assignControllerIndexes } from "./controller_index.ts";
 * import { element } from "../../util/xml/mod.ts";
 * const pci = [element("controller", { type: "pci", index: "0" }), element("controller", { type: "pci" })];
 * assignControllerIndexes(pci);
 * pci[1].attributes.index; // "1"
 * ```
 * @module
 */
import type { XmlElement } from "../../util/xml/mod.ts";

const USB2 = ["ich9-ehci1", "ich9-uhci1", "ich9-uhci2", "ich9-uhci3"];

const isUsb2 = (c: XmlElement) =>
  c.attributes.type === "usb" && USB2.includes(c.attributes.model ?? "");

/**
 * Gives each of `controllers` (in definition order) without an index its index, in place.
 *
 * @example
 * ```ts
 * import { assignControllerIndexes } from "./controller_index.ts";
 * import { element } from "../../util/xml/mod.ts";
 * const usb = element("controller", { type: "usb", model: "ich9-uhci1" });
 * assignControllerIndexes([element("controller", { type: "usb", index: "0", model: "ich9-ehci1" }), usb]);
 * usb.attributes.index; // "0": the EHCI master's companion
 * ```
 */
export function assignControllerIndexes(controllers: XmlElement[]): void {
  controllers.forEach((cont, i) => {
    if (cont.attributes.index !== undefined) return;
    const { type } = cont.attributes;
    let index: string | undefined;
    if (i > 0 && isUsb2(cont)) {
      const prev = controllers.slice(0, i).findLast((c) => c.attributes.type === "usb");
      const taken = prev &&
        controllers.some((c) =>
          c.attributes.type === "usb" && c.attributes.index === prev.attributes.index &&
          c.attributes.model === cont.attributes.model
        );
      if (prev && isUsb2(prev) && !taken) index = prev.attributes.index;
    }
    if (index === undefined) {
      let n = 0;
      while (
        controllers.some((c) => c.attributes.type === type && c.attributes.index === String(n))
      ) n++;
      index = String(n);
    }
    const { type: t, ...rest } = cont.attributes;
    cont.attributes = { type: t, index, ...rest };
  });
}
