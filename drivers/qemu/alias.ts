/**
 * Device aliases of a running domain (`qemuAssignDeviceAliases`): the ids QEMU knows the
 * devices by, shown as `<alias name='…'/>` in the live XML.
 *
 * @module
 */
import type { DomainDef } from "../../conf/domain/def.ts";
import { child, element, type XmlElement } from "../../util/xml/mod.ts";
import { isQ35 } from "./default_devices.ts";

function controllerAlias(dev: XmlElement, q35: boolean): string {
  const { type, index = "0", model } = dev.attributes;
  if (type === "pci") {
    if (model === "pcie-root") return "pcie.0";
    return `pci.${index}`;
  }
  if (type === "usb" && index === "0") return "usb";
  // The built-in IDE of i440fx and q35's built-in SATA are both QEMU's "ide".
  if (index === "0" && (type === "ide" || (type === "sata" && q35))) return "ide";
  return `${type}${index}`;
}

/** libvirt's `virDiskNameToIndex`: `vda` → 0, `sdd` → 3, `hdaa` → 26. */
function diskIndex(name: string): number {
  const letters = name.replace(/^(hd|sd|vd|xvd|ubd|fd)/, "");
  let index = -1;
  for (const c of letters) {
    if (c < "a" || c > "z") break;
    index = (index + 1) * 26 + c.charCodeAt(0) - 97;
  }
  return index;
}

/**
 * `qemuAssignDeviceDiskAlias`: a virtio or USB disk is named by its target's index, a disk on a
 * drive address by controller, bus (and target for SCSI) and unit.
 */
function diskAlias(dev: XmlElement): string | undefined {
  const target = child(dev, "target")?.attributes;
  if (!target?.dev) return undefined;
  if (target.bus === "virtio") return `virtio-disk${diskIndex(target.dev)}`;
  if (target.bus === "usb") return `usb-disk${diskIndex(target.dev)}`;
  const a = child(dev, "address")?.attributes;
  if (a?.type !== "drive") return undefined;
  const { controller = "0", bus = "0", target: t = "0", unit = "0" } = a;
  if (target.bus === "scsi") return `scsi${controller}-${bus}-${t}-${unit}`;
  return `${target.bus}${controller}-${bus}-${unit}`;
}

/** The alias prefix of each `<memory>` model (`qemuAssignDeviceMemoryAlias`). */
const MEMORY_PREFIXES: Record<string, string> = {
  dimm: "dimm",
  nvdimm: "nvdimm",
  "virtio-pmem": "virtiopmem",
  "virtio-mem": "virtiomem",
  "sgx-epc": "epc",
};

/**
 * `qemuAssignDeviceMemoryAlias`: a DIMM or NVDIMM is named after its slot, any other memory
 * device one more than the highest index of its prefix in use.
 *
 * @example
 * ```ts
 * import { memoryAlias } from "./alias.ts";
 * import { parseDomainXML } from "../../conf/domain/mod.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * const def = parseDomainXML(
 *   "<domain type='qemu'><name>a</name><memory>8192</memory><os><type>hvm</type></os></domain>",
 * );
 * memoryAlias(def, parse("<memory model='virtio-mem'/>")); // "virtiomem0"
 * ```
 */
export function memoryAlias(def: DomainDef, mem: XmlElement): string {
  const prefix = MEMORY_PREFIXES[mem.attributes.model];
  const address = child(mem, "address")?.attributes;
  if (address?.type === "dimm") return `${prefix}${Number(address.slot ?? 0)}`;
  let next = 0;
  for (const other of def.devices.other) {
    const m = child(other, "alias")?.attributes.name?.match(new RegExp(`^${prefix}(\\d+)$`));
    if (other.name === "memory" && m) next = Math.max(next, Number(m[1]) + 1);
  }
  return `${prefix}${next}`;
}

/**
 * Gives every device that has none the alias libvirt would: controllers by type and index,
 * inputs, serials, consoles, videos, sounds and NICs by position, the balloon `balloon0`, disks
 * by target (`virtio-disk0`, `usb-disk3`) or drive address (`sata0-0-1`, `ide0-1-0`). A user's
 * own alias (`ua-…`) stays.
 *
 * @example
 * ```ts
 * import { assignDeviceAliases } from "./alias.ts";
 * import type { DomainDef } from "../../conf/domain/def.ts";
 * declare const def: DomainDef;
 * assignDeviceAliases(def);
 * ```
 */
export function assignDeviceAliases(def: DomainDef): void {
  const counters = new Map<string, number>();
  const next = (kind: string) => {
    const n = counters.get(kind) ?? 0;
    counters.set(kind, n + 1);
    return `${kind}${n}`;
  };
  const q35 = isQ35(def);
  for (const dev of def.devices.other) {
    let alias: string | undefined;
    switch (dev.name) {
      case "controller":
        alias = controllerAlias(dev, q35);
        break;
      case "disk":
        alias = diskAlias(dev);
        break;
      case "console":
        // The first console is the first serial port's other face and shares its alias.
        alias = child(dev, "target")?.attributes.type === "serial" && !counters.has("console")
          ? "serial0"
          : next(dev.name);
        counters.set("console", counters.get("console") ?? 1);
        break;
      case "input":
      case "serial":
      case "channel":
      case "video":
      case "sound":
      case "watchdog":
      case "rng":
        alias = next(dev.name);
        break;
      case "filesystem":
        alias = next("fs");
        break;
      case "redirdev":
        alias = next("redir");
        break;
      case "parallel":
      case "hub":
      case "shmem":
      case "iommu":
      case "tpm":
        alias = next(dev.name);
        break;
      case "memballoon":
        if (dev.attributes.model !== "none") alias = "balloon0";
        break;
      case "memory":
        alias = memoryAlias(def, dev);
        break;
    }
    if (!alias || child(dev, "alias")) continue;
    const at = dev.children.findIndex((c) => c.type === "element" && c.name === "address");
    const el = element("alias", { name: alias });
    if (at < 0) dev.children.push(el);
    else dev.children.splice(at, 0, el);
  }
  def.devices.interfaces.forEach((net, i) => {
    if (net.extra.some((e) => e.name === "alias")) return;
    const at = net.extra.findIndex((e) => e.name === "address");
    const el = element("alias", { name: `net${i}` });
    if (at < 0) net.extra.push(el);
    else net.extra.splice(at, 0, el);
  });
}

/**
 * `qemuAssignDeviceNetAlias` for a NIC plugged into a running domain: one more than the
 * highest `net<N>` alias in use (a removed NIC's number is not reused before a higher one).
 *
 * @example
 * ```ts
 * import { nextNicAlias } from "./alias.ts";
 * import type { DomainDef } from "../../conf/domain/def.ts";
 * declare const def: DomainDef; // NICs net0 and net2
 * nextNicAlias(def); // "net3"
 * ```
 */
export function nextNicAlias(def: DomainDef): string {
  let max = -1;
  for (const net of def.devices.interfaces) {
    const m = net.extra.find((e) => e.name === "alias")?.attributes.name?.match(/^net(\d+)$/);
    if (m) max = Math.max(max, Number(m[1]));
  }
  return `net${max + 1}`;
}
