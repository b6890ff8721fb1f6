/**
 * `<memory>` devices as libvirt 9.0 starts and plugs them with QEMU 7.2
 * (`qemuBuildMemoryDeviceCommandLine`, `qemuBuildMemoryDeviceProps`): each device's backend
 * object (`mem<alias>`, see `memory_args.ts`) then its `pc-dimm`, `nvdimm` or `virtio-mem-pci`
 * device at its DIMM slot or PCI address. What libvirt 9.0 cannot run is refused with its
 * error: a virtio-pmem (its start fails reading QEMU's answer about it) and SGX EPC sections
 * (no SGX here).
 *
 * @module
 */
import type { DomainDef } from "../../../conf/domain/def.ts";
import { VirError } from "../../../util/errors.ts";
import { child, textOf, type XmlElement } from "../../../util/xml/mod.ts";
import { definedProps } from "../json_props.ts";
import type { HugepageFolder } from "../memory_dir.ts";
import { keyvalDevice } from "./escape.ts";
import { memoryDeviceBackend } from "./memory_args.ts";
import { unsupportedDevice } from "./unsupported.ts";

/** QEMU's device for each model libvirt 9.0 starts. */
const DEVICES: Record<string, string> = {
  dimm: "pc-dimm",
  nvdimm: "nvdimm",
  "virtio-mem": "virtio-mem-pci",
};

/**
 * libvirt's refusal of a memory device it cannot run: a virtio-pmem starts, but libvirt 9.0
 * fails on QEMU's `query-memory-devices` entry for it (`qemuMonitorJSONGetMemoryDeviceInfo`);
 * an SGX EPC section needs the host's SGX, which QEMU's `sgx-epc` lacks here.
 */
function refuse(mem: XmlElement): VirError {
  const model = mem.attributes.model;
  if (model === "virtio-pmem") {
    return VirError.report(
      "QEMU",
      "INTERNAL_ERROR",
      "virtio-pmem memory device info is not handled yet",
    );
  }
  return unsupportedDevice(mem, model === "sgx-epc" ? "sgx-epc" : model);
}

const kib = (el: XmlElement | undefined) => Number(textOf(el) ?? 0);

/**
 * The `device_add` (and `-device`) properties of memory device `mem`, in libvirt's order: node,
 * label, block and requested sizes, the NVDIMM's UUID and `unarmed`, its backend, the id, then
 * the DIMM slot and base address or the PCI address (`at`, as `pciProps` gives it).
 *
 * @example
 * ```ts
 * import { memoryDeviceProps } from "./memory_device_args.ts";
 * import { parse } from "../../../util/xml/mod.ts";
 * const dimm = parse(
 *   "<memory model='dimm'><target><size unit='KiB'>131072</size><node>0</node></target>" +
 *     "<alias name='dimm0'/><address type='dimm' slot='0'/></memory>",
 * );
 * memoryDeviceProps(dimm, {});
 * // { driver: "pc-dimm", node: 0, memdev: "memdimm0", id: "dimm0", slot: 0 }
 * ```
 */
export function memoryDeviceProps(
  mem: XmlElement,
  at: Record<string, unknown>,
): Record<string, unknown> {
  const driver = DEVICES[mem.attributes.model];
  const alias = child(mem, "alias")?.attributes.name;
  if (!driver || !alias) throw refuse(mem);
  const target = child(mem, "target");
  const node = textOf(child(target, "node"));
  const address = child(mem, "address")?.attributes;
  const dimm = address?.type === "dimm"
    ? { slot: Number(address.slot ?? 0), addr: address.base ? Number(address.base) : undefined }
    : {};
  return definedProps({
    driver,
    node: node === undefined ? undefined : Number(node),
    "label-size": kib(child(child(target, "label"), "size")) * 1024 || undefined,
    "block-size": kib(child(target, "block")) * 1024 || undefined,
    "requested-size": kib(child(target, "requested")) * 1024 || undefined,
    uuid: textOf(child(mem, "uuid")),
    unarmed: child(target, "readonly") ? true : undefined,
    memdev: `mem${alias}`,
    id: alias,
    ...dimm,
    ...at,
  });
}

/**
 * The arguments of memory device `mem`: its backend's `-object`s, then its `-device` at `at`
 * (the PCI placement, empty for a DIMM); file-backed memory goes into `dir`, huge pages into the
 * domain's `hugepages` folders.
 *
 * @example
 * ```ts
 * import { memoryDeviceArgs } from "./memory_device_args.ts";
 * declare const def: import("../../../conf/domain/def.ts").DomainDef;
 * declare const mem: import("../../../util/xml/mod.ts").XmlElement;
 * memoryDeviceArgs(def, mem, "", "/run/ram/1-vm", []);
 * // ["-object", '{"qom-type":"memory-backend-ram","id":"memdimm0",…}', "-device", "pc-dimm,…"]
 * ```
 */
export function memoryDeviceArgs(
  def: DomainDef,
  mem: XmlElement,
  at: string,
  dir: string,
  hugepages: readonly HugepageFolder[],
): string[] {
  const device = memoryDeviceProps(mem, {});
  const objects = memoryDeviceBackend(def, mem, String(device.id), dir, hugepages);
  return [
    ...objects.flatMap((o) => ["-object", JSON.stringify(o)]),
    "-device",
    keyvalDevice(device) + at,
  ];
}
