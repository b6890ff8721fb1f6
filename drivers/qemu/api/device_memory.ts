/**
 * `<memory>` devices plugged into and out of a domain as libvirt 9.0 does it: the persistent
 * attach and detach (`qemuDomainAttachDeviceConfig` / `qemuDomainDetachDeviceConfig`), the live
 * attach (`qemuDomainAttachMemory`: checks, DIMM slot or PCI address, alias, `object-add` of the
 * backend then `device_add`, the backend taken back if the device fails), the removal once QEMU
 * let go of the device (`qemuDomainRemoveMemoryDevice`: `object-del`), and a virtio-mem's new
 * requested size (`qemuDomainChangeMemoryLive`: `qom-set`). The guest's memory total follows
 * each device, as `virDomainMemoryInsert` / `virDomainMemoryRemove` keep it.
 *
 * @module
 */
import type { DomainDef } from "../../../conf/domain/def.ts";
import { memballoon } from "../../../conf/domain/device_lookup.ts";
import { VirError } from "../../../util/errors.ts";
import { child, element, textOf, type XmlElement } from "../../../util/xml/mod.ts";
import { memoryAlias } from "../alias.ts";
import { memoryDeviceBackend } from "../command/memory_args.ts";
import { memoryDeviceProps } from "../command/memory_device_args.ts";
import type { QemuDomainObj } from "../domain_private.ts";
import type { QemuDriverState } from "../driver_state.ts";
import { memoryDirs } from "../memory_dir.ts";
import { refreshMemoryDevices, setVirtioMemCurrent } from "../memory_devices_live.ts";
import { validateMemoryHotplug } from "../memory_hotplug.ts";
import { qemuPostParse } from "../postparse.ts";
import { pciProps } from "./device_disk.ts";
import { insertParsedDevice, sameAddress } from "./device_parse.ts";
import { ensureQ35Port } from "./device_pci.ts";

const kib = (mem: XmlElement, name: string) =>
  Number(textOf(child(child(mem, "target"), name)) ?? 0);
const sizeOf = (mem: XmlElement) => kib(mem, "size");
const memories = (def: DomainDef) => def.devices.other.filter((d) => d.name === "memory");

/** `virDomainMemoryInsert`: a free address, the device added, the total grown by its size. */
function memoryInsert(def: DomainDef, mem: XmlElement): void {
  const at = child(mem, "address");
  if (at && def.devices.other.some((d) => sameAddress(child(d, "address"), at))) {
    throw VirError.report(
      "DOMAIN",
      "OPERATION_INVALID",
      "Domain already contains a device with the same address",
    );
  }
  insertParsedDevice(def, mem);
  def.memory.total += sizeOf(mem);
}

/** `virDomainMemoryRemove`: the device gone, the total shrunk by its size. */
function memoryRemove(def: DomainDef, mem: XmlElement): void {
  def.devices.other.splice(def.devices.other.indexOf(mem), 1);
  def.memory.total -= sizeOf(mem);
}

/**
 * `virDomainMemoryFindByDef`: the device of the same model, target node and sizes (and source
 * where the model has one), at the caller's address and of the caller's alias if given.
 */
function findMemory(def: DomainDef, wanted: XmlElement): XmlElement | undefined {
  const at = child(wanted, "address");
  const alias = child(wanted, "alias")?.attributes.name;
  const key = (m: XmlElement) =>
    JSON.stringify([
      m.attributes.model,
      textOf(child(child(m, "target"), "node")),
      ...["size", "block", "requested"].map((n) => kib(m, n)),
      textOf(child(child(m, "source"), "path")),
      textOf(child(child(m, "source"), "pagesize")),
      textOf(child(child(m, "source"), "nodemask")),
    ]);
  return memories(def).find((m) =>
    (!at || sameAddress(at, child(m, "address"))) &&
    (!alias || child(m, "alias")?.attributes.name === alias) && key(m) === key(wanted)
  );
}

/**
 * `virDomainDefCompatibleDevice`'s memory checks: the definition must have `<maxMemory>`, and an
 * attached device must fit in it.
 */
function checkCompatible(def: DomainDef, mem: XmlElement, attach: boolean): void {
  const max = def.memory.max?.size ?? 0;
  if (!(max || def.memory.max?.slots)) {
    throw VirError.report(
      "DOMAIN",
      "CONFIG_UNSUPPORTED",
      "cannot use/hotplug a memory device when domain 'maxMemory' is not defined",
    );
  }
  if (attach && def.memory.total + sizeOf(mem) > max) {
    throw VirError.report(
      "DOMAIN",
      "CONFIG_UNSUPPORTED",
      `Attaching memory device with size '${sizeOf(mem)}' would exceed domain's maxMemory ` +
        `config size '${max}'`,
    );
  }
}

/**
 * `qemuProcessRefreshBalloonState` after a plug or unplug: without a balloon the current memory
 * is the total, else what the balloon reports.
 */
async function refreshBalloon(obj: QemuDomainObj): Promise<void> {
  const def = obj.def;
  if (!memballoon(def)) {
    def.memory.current = def.memory.total;
    return;
  }
  const info = await obj.proc?.monitor.run<{ actual: number }>("query-balloon").catch(() => {});
  if (info) def.memory.current = Math.ceil(info.actual / 1024);
}

/**
 * The persistent attach of memory device `mem`: refused once every slot is taken, else the
 * current memory and the total grow by its size; the post-parse then places it and checks the
 * definition (`qemuDomainDefValidateMemoryHotplug`).
 *
 * @example
 * ```ts
 * import { attachMemoryConfig } from "./device_memory.ts";
 * declare const vmdef: import("../../../conf/domain/def.ts").DomainDef;
 * declare const mem: import("../../../util/xml/mod.ts").XmlElement;
 * attachMemoryConfig(vmdef, mem);
 * ```
 */
export function attachMemoryConfig(vmdef: DomainDef, mem: XmlElement): void {
  checkCompatible(vmdef, mem, true);
  if (memories(vmdef).length === (vmdef.memory.max?.slots ?? 0)) {
    throw VirError.report("QEMU", "CONFIG_UNSUPPORTED", "no free memory device slot available");
  }
  vmdef.memory.current = vmdef.memory.current + sizeOf(mem);
  memoryInsert(vmdef, mem);
  qemuPostParse(vmdef);
}

/**
 * The persistent detach of the memory device `mem` matches.
 *
 * @example
 * ```ts
 * import { detachMemoryConfig } from "./device_memory.ts";
 * declare const vmdef: import("../../../conf/domain/def.ts").DomainDef;
 * declare const mem: import("../../../util/xml/mod.ts").XmlElement;
 * detachMemoryConfig(vmdef, mem);
 * ```
 */
export function detachMemoryConfig(vmdef: DomainDef, mem: XmlElement): void {
  const found = findMemory(vmdef, mem);
  if (!found) {
    throw VirError.report("QEMU", "DEVICE_MISSING", "matching memory device was not found");
  }
  memoryRemove(vmdef, found);
  vmdef.memory.current -= sizeOf(found);
}

/**
 * The live memory device `mem` matches, for its unplug (`qemuDomainDetachPrepMemory`).
 *
 * @example
 * ```ts
 * import { findMemoryToUnplug } from "./device_memory.ts";
 * declare const def: import("../../../conf/domain/def.ts").DomainDef;
 * declare const mem: import("../../../util/xml/mod.ts").XmlElement;
 * findMemoryToUnplug(def, mem);
 * ```
 */
export function findMemoryToUnplug(def: DomainDef, mem: XmlElement): XmlElement {
  const found = findMemory(def, mem);
  if (!found) {
    throw VirError.report(
      "QEMU",
      "DEVICE_MISSING",
      `model '${mem.attributes.model}' memory device not present in the domain configuration`,
    );
  }
  return found;
}

/**
 * Plugs memory device `mem` into the running domain `obj`; returns the alias libvirt announces
 * in DEVICE_ADDED, which is the backend's (`mem<alias>`).
 *
 * @example
 * ```ts
 * import { attachMemoryLive } from "./device_memory.ts";
 * declare const state: import("../driver_state.ts").QemuDriverState;
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * declare const mem: import("../../../util/xml/mod.ts").XmlElement;
 * await attachMemoryLive(state, obj, mem); // "memdimm1"
 * ```
 */
export async function attachMemoryLive(
  s: QemuDriverState,
  obj: QemuDomainObj,
  mem: XmlElement,
): Promise<string> {
  checkCompatible(obj.def, mem, true);
  // qemuDomainMemoryDeviceAlignSize: whole MiB on x86.
  const size = child(child(mem, "target"), "size")!;
  size.children = [{ type: "text", text: String(Math.ceil(sizeOf(mem) / 1024) * 1024) }];
  validateMemoryHotplug(obj.def, mem);
  // The slot or PCI address as the start would give it, found in a copy.
  const copy = structuredClone(obj.def);
  insertParsedDevice(copy, mem);
  qemuPostParse(copy, { live: true });
  if (mem.attributes.model === "virtio-mem") ensureQ35Port(copy, mem);
  if (!child(mem, "alias")) {
    const at = mem.children.findIndex((c) => c.type === "element" && c.name === "address");
    const alias = element("alias", { name: memoryAlias(obj.def, mem) });
    if (at < 0) mem.children.push(alias);
    else mem.children.splice(at, 0, alias);
  }
  const address = child(mem, "address")?.attributes;
  const device = memoryDeviceProps(mem, address?.type === "pci" ? pciProps(copy, address) : {});
  const alias = String(device.id);
  const dirs = memoryDirs(s.paths.memoryBackingDir, s.hugetlbfs, obj.def.id, obj.def.name);
  const objects = memoryDeviceBackend(obj.def, mem, alias, dirs.dir, dirs.hugepages);
  const mon = obj.proc!.monitor;
  const added: string[] = [];
  try {
    for (const o of objects) {
      await mon.run("object-add", o);
      added.push(String(o.id));
    }
    await mon.run("device_add", device);
  } catch (err) {
    for (const id of added.reverse()) await mon.run("object-del", { id }).catch(() => {});
    throw err;
  }
  memoryInsert(obj.def, mem);
  await refreshBalloon(obj);
  // Best effort, as libvirt's: the device is in, whatever QEMU answers about it.
  await refreshMemoryDevices(obj.def, mon).catch(() => {});
  return `mem${alias}`;
}

/**
 * `qemuDomainRemoveMemoryDevice`: once QEMU let go of the device, its backend leaves QEMU and
 * the device the live definition.
 *
 * @example
 * ```ts
 * import { removeMemoryLive } from "./device_memory.ts";
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * declare const mem: import("../../../util/xml/mod.ts").XmlElement;
 * await removeMemoryLive(obj, mem);
 * ```
 */
export async function removeMemoryLive(obj: QemuDomainObj, mem: XmlElement): Promise<void> {
  const alias = child(mem, "alias")?.attributes.name;
  if (obj.proc && alias) await obj.proc.monitor.run("object-del", { id: `mem${alias}` });
  memoryRemove(obj.def, mem);
  await refreshBalloon(obj);
}

/** What of a memory device `qemuDomainChangeMemoryLiveValidateChange` lets no update change. */
const FIXED: [string, (m: XmlElement) => unknown][] = [
  ["model", (m) => m.attributes.model],
  ["access", (m) => m.attributes.access],
  ["discard", (m) => m.attributes.discard],
  ["pagesize", (m) => Number(textOf(child(child(m, "source"), "pagesize")) ?? 0)],
  ["targetNode", (m) => Number(textOf(child(child(m, "target"), "node")) ?? -1)],
  ["size", (m) => kib(m, "size")],
  ["block size", (m) => kib(m, "block")],
];

/**
 * A running virtio-mem's new `<requested>` size (`qemuDomainChangeMemoryLive`): the device
 * found by its alias or address, nothing else of it changed, then QEMU's `requested-size`.
 *
 * @example
 * ```ts
 * import { updateMemoryLive } from "./device_memory.ts";
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * declare const mem: import("../../../util/xml/mod.ts").XmlElement;
 * await updateMemoryLive(obj, mem);
 * ```
 */
export async function updateMemoryLive(obj: QemuDomainObj, mem: XmlElement): Promise<void> {
  const alias = child(mem, "alias")?.attributes.name;
  const at = child(mem, "address");
  const old = memories(obj.def).find((m) =>
    (alias ? child(m, "alias")?.attributes.name === alias : true) &&
    (at ? sameAddress(at, child(m, "address")) : !!alias)
  );
  if (!old) {
    throw VirError.report("QEMU", "CONFIG_UNSUPPORTED", `memory '${alias ?? "(null)"}' not found`);
  }
  checkCompatible(obj.def, mem, false);
  if (old.attributes.model !== "virtio-mem") {
    throw VirError.report(
      "QEMU",
      "CONFIG_UNSUPPORTED",
      `cannot modify memory of model '${old.attributes.model}'`,
    );
  }
  for (const [what, value] of FIXED) {
    if (value(old) !== value(mem)) {
      throw VirError.report(
        "QEMU",
        "CONFIG_UNSUPPORTED",
        `cannot modify memory ${what} from '${value(old) ?? "(null)"}' to '${
          value(mem) ?? "(null)"
        }'`,
      );
    }
  }
  const requested = kib(mem, "requested");
  await obj.proc!.monitor.run("qom-set", {
    path: `/machine/peripheral/${child(old, "alias")!.attributes.name}`,
    property: "requested-size",
    value: requested * 1024,
  });
  const el = child(child(old, "target"), "requested");
  if (el) el.children = [{ type: "text", text: String(requested) }];
}

/**
 * QEMU's MEMORY_DEVICE_SIZE_CHANGE (`processMemoryDeviceSizeChange`): the virtio-mem's
 * `<current>` and the domain's current memory follow what the guest plugged; the event to
 * announce, none for a device the domain does not have.
 *
 * @example
 * ```ts
 * import { memoryDeviceSizeChanged } from "./device_memory.ts";
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * memoryDeviceSizeChanged(obj, "virtiomem0", 67108864); // { alias: "virtiomem0", size: 65536 }
 * ```
 */
export function memoryDeviceSizeChanged(
  obj: QemuDomainObj,
  alias: string,
  bytes: number,
): { alias: string; size: number } | undefined {
  const mem = memories(obj.def).find((m) => child(m, "alias")?.attributes.name === alias);
  if (!mem) return undefined;
  const before = kib(mem, "current");
  const size = Math.ceil(bytes / 1024);
  setVirtioMemCurrent(mem, bytes);
  obj.def.memory.current = obj.def.memory.current - before + size;
  return { alias, size };
}
