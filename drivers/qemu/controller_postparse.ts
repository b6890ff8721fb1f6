/**
 * libvirt 9.0's `qemuDomainControllerDefPostParse` for an x86 guest: the default model of a SCSI
 * controller (`lsilogic`: QEMU 7.2 has the LSI device) and of a USB one (`piix3-uhci`), the USB
 * and PCI controller models and options QEMU refuses.
 *
 * @module
 */
import type { DomainDef } from "../../conf/domain/def.ts";
import { VirError } from "../../util/errors.ts";
import { child, children, textOf, type XmlElement } from "../../util/xml/mod.ts";
import { isQ35 } from "./default_devices.ts";

/** `QEMU_USB_XHCI_MAXPORTS`: the root hub ports of an XHCI controller. */
const XHCI_MAX_PORTS = 15;

const unsupported = (message: string) => VirError.report("QEMU", "CONFIG_UNSUPPORTED", message);

/** Sets `model` first among the attributes after `type` and `index`, as libvirt writes it. */
function setModel(dev: XmlElement, model: string): void {
  const { type, index, ...rest } = dev.attributes;
  dev.attributes = { type, index, model, ...rest };
}

/** `qemuDomainIsI440FX`: the machine types of the i440fx chipset. */
const isI440fx = (def: DomainDef) =>
  /^pc$|^pc-(?:0\.|1\.|i440fx-)|^rhel/.test(def.os.machine ?? "");

/** Each controller type's defaults and checks; the other types have none. */
const BY_TYPE: Record<string, (dev: XmlElement, def: DomainDef) => void> = {
  scsi: (dev) => {
    if (!dev.attributes.model) setModel(dev, "lsilogic");
  },
  usb: (dev, def) => {
    if (!dev.attributes.model) setModel(dev, "piix3-uhci");
    const model = dev.attributes.model;
    if (model === "qusb1" || model === "qusb2") {
      throw unsupported(
        `USB controller model type 'qusb1' or 'qusb2' is not supported in ${def.type}`,
      );
    }
    if (
      (model === "nec-xhci" || model === "qemu-xhci") &&
      Number(dev.attributes.ports ?? 0) > XHCI_MAX_PORTS
    ) {
      throw unsupported(`'${model}' controller only supports up to '${XHCI_MAX_PORTS}' ports`);
    }
  },
  pci: (dev, def) => {
    const { model, index = "0" } = dev.attributes;
    if ((model === "pci-root" || model === "pcie-root") && Number(index) !== 0) {
      throw VirError.report(
        "QEMU",
        "XML_ERROR",
        "pci-root and pcie-root controllers should have index 0",
      );
    }
    if (model === "pci-expander-bus" && !isI440fx(def)) {
      throw unsupported(
        "pci-expander-bus controllers are only supported on 440fx-based machinetypes",
      );
    }
    if (model === "pcie-expander-bus" && !isQ35(def)) {
      throw unsupported("pcie-expander-bus controllers are not supported with this machine type");
    }
    const node = child(child(dev, "target"), "node");
    const cells = children(def.cpu?.extra.find((e) => e.name === "numa"), "cell").length;
    if (node && Number(textOf(node)) >= cells) {
      throw VirError.report(
        "QEMU",
        "XML_ERROR",
        `${model} with index ${index} is configured for a NUMA node (${textOf(node)}) ` +
          `not present in the domain's <cpu><numa> array (${cells})`,
      );
    }
  },
};

/**
 * Applies `qemuDomainControllerDefPostParse` to every controller of `def` (after the implicit
 * controllers were added, as libvirt adds them before the device callbacks).
 *
 * @example
 * ```ts
 * import { controllerPostParse } from "./controller_postparse.ts";
 * import type { DomainDef } from "../../conf/domain/def.ts";
 * declare const def: DomainDef; // with <controller type='scsi' index='0'/>
 * controllerPostParse(def); // its model is now lsilogic
 * ```
 */
export function controllerPostParse(def: DomainDef): void {
  for (const dev of def.devices.other) {
    if (dev.name === "controller") BY_TYPE[dev.attributes.type]?.(dev, def);
  }
}
