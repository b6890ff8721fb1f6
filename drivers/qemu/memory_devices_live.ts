/**
 * What QEMU reports of the memory devices, written into the live definition as libvirt 9.0's
 * `qemuDomainUpdateMemoryDeviceInfo` does after a start or a hotplug: each DIMM's and NVDIMM's
 * slot and base address, each virtio-mem's current size (what the guest plugged).
 *
 * @module
 */
import type { DomainDef } from "../../conf/domain/def.ts";
import { child, element, type XmlElement } from "../../util/xml/mod.ts";
import type { QemuMonitor } from "./monitor/qemu_monitor.ts";

/** One entry of QMP `query-memory-devices` (the members libvirt reads). */
interface MemoryDeviceInfo {
  type: string;
  data: { id?: string; addr?: number; slot?: number; size?: number };
}

/**
 * Sets virtio-mem `mem`'s `<current>` to `bytes` (rounded up to KiB), after its `<requested>`
 * where libvirt writes it.
 *
 * @example
 * ```ts
 * import { setVirtioMemCurrent } from "./memory_devices_live.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * const mem = parse("<memory model='virtio-mem'><target><size unit='KiB'>4096</size></target></memory>");
 * setVirtioMemCurrent(mem, 2097152); // <current unit='KiB'>2048</current>
 * ```
 */
export function setVirtioMemCurrent(mem: XmlElement, bytes: number): void {
  const target = child(mem, "target");
  if (!target) return;
  const current = element("current", { unit: "KiB" }, [String(Math.ceil(bytes / 1024))]);
  const kids = target.children.filter((c) => !(c.type === "element" && c.name === "current"));
  const requested = kids.findIndex((c) => c.type === "element" && c.name === "requested");
  kids.splice(requested < 0 ? kids.length : requested + 1, 0, current);
  target.children = kids;
}

/**
 * Reads `query-memory-devices` into `def`'s memory devices (matched by alias); nothing to ask
 * without any.
 *
 * @example
 * ```ts
 * import { refreshMemoryDevices } from "./memory_devices_live.ts";
 * declare const def: import("../../conf/domain/def.ts").DomainDef;
 * declare const monitor: import("./monitor/qemu_monitor.ts").QemuMonitor;
 * await refreshMemoryDevices(def, monitor);
 * ```
 */
export async function refreshMemoryDevices(def: DomainDef, monitor: QemuMonitor): Promise<void> {
  const mems = def.devices.other.filter((d) => d.name === "memory");
  if (!mems.length) return;
  const infos = await monitor.run<MemoryDeviceInfo[]>("query-memory-devices");
  for (const info of infos) {
    const mem = mems.find((m) => child(m, "alias")?.attributes.name === info.data.id);
    if (!mem) continue;
    if (info.type === "virtio-mem") setVirtioMemCurrent(mem, info.data.size ?? 0);
    if (info.type !== "dimm" && info.type !== "nvdimm") continue;
    const address = element("address", {
      type: "dimm",
      slot: String(info.data.slot ?? 0),
      base: `0x${(info.data.addr ?? 0).toString(16)}`,
    });
    const at = mem.children.findIndex((c) => c.type === "element" && c.name === "address");
    if (at < 0) mem.children.push(address);
    else mem.children[at] = address;
  }
}
