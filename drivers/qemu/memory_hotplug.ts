/**
 * Memory hotplug as libvirt 9.0's QEMU driver sets it up: the checks of
 * `qemuDomainDefValidateMemoryHotplug` when a definition has `<maxMemory>` or memory devices, and
 * the `-m` slots and maximum QEMU gets for it (`qemuBuildMemCommandLine`), so a guest defined for
 * hotplug starts with room for it instead of silently without.
 *
 * @module
 */
import { scaleInteger, ULLONG_MAX } from "../../conf/common/mod.ts";
import type { DomainDef } from "../../conf/domain/def.ts";
import { child, children, element, textOf, type XmlElement } from "../../util/xml/mod.ts";
import { VirError } from "../../util/errors.ts";

const refuse = (message: string) => VirError.report("QEMU", "CONFIG_UNSUPPORTED", message);

const memoryDevices = (def: DomainDef) => def.devices.other.filter((d) => d.name === "memory");

/** A memory device's `<target><size>` in KiB. */
function sizeKiB(mem: XmlElement): number {
  const size = child(child(mem, "target"), "size");
  const bytes = scaleInteger(BigInt(textOf(size) ?? 0), size?.attributes.unit, 1024n, ULLONG_MAX);
  return Number(bytes / 1024n);
}

/** `virDomainDefHasMemoryHotplug`. */
const hasHotplug = (def: DomainDef) => !!(def.memory.max?.size || def.memory.max?.slots);

/** `virDomainDefGetMemoryInitial`: the memory without the memory devices', in KiB. */
const initialKiB = (def: DomainDef) =>
  def.memory.total - memoryDevices(def).reduce((sum, m) => sum + sizeKiB(m), 0);

/** qemuDomainDefValidateMemoryHotplugDevice for one device already in the definition. */
function validateDevice(def: DomainDef, mem: XmlElement, numaCells: number): void {
  const model = mem.attributes.model;
  const address = child(mem, "address")?.attributes;
  const slots = def.memory.max?.slots ?? 0;
  if (model === "dimm" || model === "nvdimm") {
    if (address && address.type !== "dimm") {
      throw refuse("only 'dimm' addresses are supported for the pc-dimm device");
    }
    if (address?.type === "dimm") {
      const slot = Number(address.slot ?? 0);
      if (slot >= slots) {
        throw refuse(`memory device slot '${slot}' exceeds slots count '${slots}'`);
      }
      const taken = memoryDevices(def).some((other) =>
        other !== mem && child(other, "address")?.attributes.type === "dimm" &&
        Number(child(other, "address")?.attributes.slot ?? 0) === slot
      );
      if (taken) {
        throw refuse(`memory device slot '${slot}' is already being used by another memory device`);
      }
    }
  } else if (model === "virtio-pmem" || model === "virtio-mem") {
    if (address && address.type !== "pci") {
      throw refuse(
        model === "virtio-pmem"
          ? "only 'pci' addresses are supported for the virtio-pmem device"
          : `only 'pci' addresses are supported for the ${model} device`,
      );
    }
  } else if (model === "sgx-epc") {
    return;
  }
  const node = child(child(mem, "target"), "node");
  if (model !== "virtio-pmem" && numaCells && !node) {
    throw refuse("target NUMA node needs to be specified for memory device");
  }
}

/**
 * `qemuDomainAssignMemorySlots`: each DIMM or NVDIMM without an address gets the first free
 * slot; none free is libvirt's internal error.
 *
 * @example
 * ```ts
 * import { assignMemorySlots } from "./memory_hotplug.ts";
 * import { parseDomainXML } from "../../conf/domain/mod.ts";
 * const def = parseDomainXML(
 *   "<domain type='qemu'><name>a</name><memory>8192</memory><os><type>hvm</type></os></domain>",
 * );
 * assignMemorySlots(def); // no <maxMemory>: nothing to place
 * ```
 */
export function assignMemorySlots(def: DomainDef): void {
  if (!hasHotplug(def)) return;
  const slots = def.memory.max?.slots ?? 0;
  const mems = memoryDevices(def);
  const used = new Set(
    mems.map((m) => child(m, "address")?.attributes).filter((a) => a?.type === "dimm")
      .map((a) => Number(a!.slot ?? 0)),
  );
  for (const mem of mems) {
    if (!["dimm", "nvdimm"].includes(mem.attributes.model) || child(mem, "address")) continue;
    let slot = 0;
    while (used.has(slot)) slot++;
    if (slot >= slots) {
      throw VirError.report("QEMU", "INTERNAL_ERROR", "failed to find an empty memory slot");
    }
    used.add(slot);
    mem.children.push(element("address", { type: "dimm", slot: String(slot) }));
  }
}

/**
 * `qemuDomainDefValidateMemoryHotplug` at define for an x86 guest, or for the hotplug of
 * `plugged` into it.
 *
 * @example
 * ```ts
 * import { validateMemoryHotplug } from "./memory_hotplug.ts";
 * import { parseDomainXML } from "../../conf/domain/mod.ts";
 * const def = parseDomainXML(
 *   "<domain type='qemu'><name>a</name><memory>8192</memory><os><type>hvm</type></os></domain>",
 * );
 * validateMemoryHotplug(def); // no <maxMemory>, no memory device: nothing to check
 * ```
 */
export function validateMemoryHotplug(def: DomainDef, plugged?: XmlElement): void {
  const mems = memoryDevices(def);
  const numaCells = children(def.cpu?.extra.find((e) => e.name === "numa"), "cell").length;
  // A device being plugged is checked first and counted; the others were checked before.
  if (plugged) validateDevice(def, plugged, numaCells);
  const count = mems.length + (plugged ? 1 : 0);
  if (!hasHotplug(def)) {
    if (count) {
      throw refuse("cannot use/hotplug a memory device when domain 'maxMemory' is not defined");
    }
    return;
  }
  if (!numaCells) {
    throw refuse("At least one numa node has to be configured when enabling memory hotplug");
  }
  const slots = def.memory.max?.slots ?? 0;
  if (count > slots) {
    throw refuse(`memory device count '${count}' exceeds slots count '${slots}'`);
  }
  let hotplugged = plugged ? sizeKiB(plugged) : 0;
  for (const mem of mems) {
    hotplugged += sizeKiB(mem);
    if (!plugged && mem.attributes.model !== "sgx-epc") validateDevice(def, mem, numaCells);
  }
  if (hotplugged > (def.memory.max?.size ?? 0) - initialKiB(def)) {
    throw refuse("memory device total size exceeds hotplug space");
  }
  // qemuValidateDomainDeviceDefMemory, after the domain's checks: QEMU finds no SGX here.
  if (mems.some((m) => m.attributes.model === "sgx-epc")) {
    throw refuse("sgx epc isn't supported by this QEMU binary");
  }
}

/**
 * The `-m` value: the initial memory, and for a definition with `<maxMemory>` its slots and
 * maximum (`size=…k,slots=…,maxmem=…k`).
 *
 * @example
 * ```ts
 * import { memorySizeArg } from "./memory_hotplug.ts";
 * import { parseDomainXML } from "../../conf/domain/mod.ts";
 * const def = parseDomainXML(
 *   "<domain type='qemu'><name>a</name><memory>8192</memory><os><type>hvm</type></os></domain>",
 * );
 * memorySizeArg(def); // "size=8192k"
 * ```
 */
export function memorySizeArg(def: DomainDef): string {
  const size = `size=${initialKiB(def)}k`;
  return hasHotplug(def)
    ? `${size},slots=${def.memory.max?.slots ?? 0},maxmem=${def.memory.max?.size ?? 0}k`
    : size;
}

/** libvirt's alignment of memory sizes on x86 (`qemuDomainGetMemorySizeAlignment`), KiB. */
const MEMORY_ALIGN_KIB = 1024;
/** QEMU's alignment of a DIMM's size on x86 (`qemuDomainGetMemoryModuleSizeAlignment`). */
const MODULE_ALIGN_KIB = 2048;

const roundUp = (kib: number, align: number) => Math.ceil(kib / align) * align;

/**
 * `qemuDomainAlignMemorySizes` at start: the guest cells' sizes rounded up to 1 MiB and the
 * initial memory their sum (else the initial memory rounded up), the maximum rounded up, each
 * memory device rounded up to 2 MiB, and the total the initial memory and the devices'.
 *
 * @example
 * ```ts
 * import { alignMemorySizes } from "./memory_hotplug.ts";
 * import { parseDomainXML } from "../../conf/domain/mod.ts";
 * const def = parseDomainXML(
 *   "<domain type='qemu'><name>a</name><memory>8000</memory><os><type>hvm</type></os></domain>",
 * );
 * alignMemorySizes(def);
 * def.memory.total; // 8192
 * ```
 */
export function alignMemorySizes(def: DomainDef): void {
  const cells = children(def.cpu?.extra.find((e) => e.name === "numa"), "cell");
  let initial = 0;
  for (const cell of cells) {
    const kib = roundUp(Number(cell.attributes.memory ?? 0), MEMORY_ALIGN_KIB);
    cell.attributes = { ...cell.attributes, memory: String(kib) };
    initial += kib;
  }
  if (!initial) initial = roundUp(initialKiB(def), MEMORY_ALIGN_KIB);
  if (def.memory.max?.size) def.memory.max.size = roundUp(def.memory.max.size, MEMORY_ALIGN_KIB);
  let hotplug = 0;
  for (const mem of memoryDevices(def)) {
    const aligned = roundUp(sizeKiB(mem), MODULE_ALIGN_KIB);
    const size = child(child(mem, "target"), "size");
    if (size) {
      size.attributes = { unit: "KiB" };
      size.children = [{ type: "text", text: String(aligned) }];
    }
    hotplug += aligned;
  }
  def.memory.total = initial + hotplug;
}
