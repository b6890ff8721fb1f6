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
import type { QemuDriverState } from "../driver_state.ts";
import { shareBacking } from "../disk_transient_validate.ts";
import { authOf, encryptionOf, prepareDiskSecrets, removeDiskSecrets } from "../disk_secret.ts";
import { unsupportedEncryption } from "../command/unsupported.ts";
import { chainBlockdevs, chainIndexes, diskDeviceProps, diskNodes } from "./device_disk.ts";
import { diskLayers } from "./disk_layers.ts";
import {
  plugTransientOverlay,
  removeOverlayFiles,
  takeTransientOverlays,
} from "./transient_disks.ts";

/**
 * Plugs `disk`, placed and named in `def` (its chain numbered), into the domain's QEMU; `volume`
 * is a volume disk's path from the storage driver.
 *
 * @example
 * ```ts
 * import { plugDisk } from "./disk_plug.ts";
 * declare const state: import("../driver_state.ts").QemuDriverState;
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * declare const disk: import("../../../util/xml/mod.ts").XmlElement;
 * await plugDisk(state, obj, obj.def, disk);
 * ```
 */
export async function plugDisk(
  s: QemuDriverState,
  obj: QemuDomainObj,
  def: DomainDef,
  disk: XmlElement,
  volume?: string,
): Promise<void> {
  // The top image's credentials and key, as at start: secret objects read from 0600 files.
  const secrets = await prepareDiskSecrets(def, s.secondaries, s.paths.runDir, [disk]);
  // A transient disk's image is only read: its overlay takes the writes.
  const transient = !!child(disk, "transient");
  const mon = obj.proc!.monitor;
  const added: string[] = [];
  const objects: string[] = [];
  try {
    const auth = authOf(disk);
    const key = secrets.get(disk);
    const encryption = encryptionOf(disk);
    if (encryption && !key) throw unsupportedEncryption(encryption);
    const layers = diskLayers(disk, volume, (auth && secrets.get(auth)) || undefined);
    const nodes = chainBlockdevs(disk, layers, true, key?.id);
    const top = diskNodes(layers[0].index!);
    for (const node of nodes) {
      // qemuBlockStorageSourceAttachApply: an image's secrets go in just before its nodes.
      if (node["node-name"] === top.storage) {
        for (const secret of secrets.values()) {
          await mon.run("object-add", {
            "qom-type": "secret",
            id: secret.id,
            file: secret.file,
            format: "raw",
          });
          objects.unshift(secret.id);
        }
      }
      if (transient && node["node-name"] === top.format) node["read-only"] = true;
      await mon.run("blockdev-add", node);
      added.unshift(node["node-name"] as string);
    }
    if (transient) {
      await plugTransientOverlay(obj, disk);
      const overlay = diskNodes(chainIndexes(disk)[0]);
      added.unshift(overlay.format, overlay.storage);
    }
    await mon.run("device_add", diskDeviceProps(def, disk));
  } catch (err) {
    // qemuBlockStorageSourceChainDetach: what was added goes, top node first, then the
    // secrets; its own failures are not what the caller needs to hear.
    for (const node of added) await mon.run("blockdev-del", { "node-name": node }).catch(() => {});
    for (const id of objects) await mon.run("object-del", { id }).catch(() => {});
    // libvirt leaves the overlay file of a disk that never got plugged; this run made it.
    await removeOverlayFiles(takeTransientOverlays(obj, disk));
    throw err;
  } finally {
    // QEMU read each key when its object was added.
    await removeDiskSecrets(secrets);
  }
}

/**
 * Plugs the starting domain's transient disks that share their backing image, then resets the
 * machine so that its firmware sees them as boot devices (libvirt's `system_reset` there).
 *
 * @example
 * ```ts
 * import { plugSharedBackingDisks } from "./disk_plug.ts";
 * declare const state: import("../driver_state.ts").QemuDriverState;
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * await plugSharedBackingDisks(state, obj);
 * ```
 */
export async function plugSharedBackingDisks(
  s: QemuDriverState,
  obj: QemuDomainObj,
): Promise<void> {
  const shared = obj.def.devices.other.filter((d) => d.name === "disk" && shareBacking(d));
  // A transient disk is a file's (qemuValidateDomainDeviceDefDiskTransient): no volume to resolve.
  for (const disk of shared) await plugDisk(s, obj, obj.def, disk);
  if (shared.length) await obj.proc!.monitor.systemReset();
}
