/**
 * A disk plugged into a running QEMU as libvirt 9.0's `qemuDomainAttachDiskGeneric` plugs it:
 * its image's nodes (`blockdev-add`), for a `<transient/>` disk read-only under a new overlay
 * that takes the writes, then its frontend (`device_add`); what was added goes again when a
 * step fails. A hotplug uses it, and so does the start for the transient disks that share their
 * backing image, which the command line leaves out (`qemuProcessSetupDisksTransientHotplug`).
 *
 * @module
 */
import type { DomainDef } from "../../../conf/domain/def.ts";
import { child, type XmlElement } from "../../../util/xml/mod.ts";
import type { QemuDomainObj } from "../domain_private.ts";
import { shareBacking } from "../disk_transient_validate.ts";
import { blockdevProps, chainIndexes, diskDeviceProps, diskNodes } from "./device_disk.ts";
import {
  plugTransientOverlay,
  removeOverlayFiles,
  takeTransientOverlays,
} from "./transient_disks.ts";

/**
 * Plugs `disk`, placed and named in `def` (its source index given), into the domain's QEMU.
 *
 * @example
 * ```ts
 * import { plugDisk } from "./disk_plug.ts";
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * declare const disk: import("../../../util/xml/mod.ts").XmlElement;
 * await plugDisk(obj, obj.def, disk);
 * ```
 */
export async function plugDisk(obj: QemuDomainObj, def: DomainDef, disk: XmlElement) {
  const [storage, format] = blockdevProps(disk);
  // A transient disk's image is only read: its overlay takes the writes.
  const transient = !!child(disk, "transient");
  if (transient) format["read-only"] = true;
  const mon = obj.proc!.monitor;
  const added: string[] = [];
  try {
    await mon.run("blockdev-add", storage);
    added.unshift(storage["node-name"] as string);
    await mon.run("blockdev-add", format);
    added.unshift(format["node-name"] as string);
    if (transient) {
      await plugTransientOverlay(obj, disk);
      const overlay = diskNodes(chainIndexes(disk)[0]);
      added.unshift(overlay.format, overlay.storage);
    }
    await mon.run("device_add", diskDeviceProps(def, disk));
  } catch (err) {
    // qemuBlockStorageSourceChainDetach: what was added goes, top node first; its own
    // failures are not what the caller needs to hear.
    for (const node of added) await mon.run("blockdev-del", { "node-name": node }).catch(() => {});
    // libvirt leaves the overlay file of a disk that never got plugged; this run made it.
    await removeOverlayFiles(takeTransientOverlays(obj, disk));
    throw err;
  }
}

/**
 * Plugs the starting domain's transient disks that share their backing image, then resets the
 * machine so that its firmware sees them as boot devices (libvirt's `system_reset` there).
 *
 * @example
 * ```ts
 * import { plugSharedBackingDisks } from "./disk_plug.ts";
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * await plugSharedBackingDisks(obj);
 * ```
 */
export async function plugSharedBackingDisks(obj: QemuDomainObj): Promise<void> {
  const shared = obj.def.devices.other.filter((d) => d.name === "disk" && shareBacking(d));
  for (const disk of shared) await plugDisk(obj, obj.def, disk);
  if (shared.length) await obj.proc!.monitor.systemReset();
}
