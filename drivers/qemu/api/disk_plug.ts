/**
 * A disk plugged into a running QEMU as libvirt 9.0's `qemuDomainAttachDiskGeneric` plugs it:
 * its chain's secrets and nodes (`object-add`, `blockdev-add`), for a `<transient/>` disk
 * read-only under a new overlay that takes the writes, then its frontend (`device_add`); what was
 * added goes again when a step fails. A hotplug uses it, and so does the start for the transient
 * disks that share their backing image, which the command line leaves out
 * (`qemuProcessSetupDisksTransientHotplug`); a media change adds its medium's chain the same way.
 *
 * @module
 */
import type { DomainDef } from "../../../conf/domain/def.ts";
import { child, type XmlElement } from "../../../util/xml/mod.ts";
import type { QemuDomainObj } from "../domain_private.ts";
import type { QemuDriverState } from "../driver_state.ts";
import { shareBacking } from "../disk_transient_validate.ts";
import {
  authOf,
  encryptionOf,
  prepareDiskSecrets,
  removeDiskSecrets,
  secretIds,
} from "../disk_secret.ts";
import { unsupportedEncryption } from "../command/unsupported.ts";
import {
  chainBlockdevs,
  chainIndexes,
  diskDeviceProps,
  diskNodes,
  frontendNode,
} from "./device_disk.ts";
import { diskLayers } from "./disk_layers.ts";
import { throttleDisk } from "./block_iotune.ts";
import {
  plugTransientOverlay,
  removeOverlayFiles,
  takeTransientOverlays,
} from "./transient_disks.ts";

/** What adding a disk's chain made in QEMU, newest first, for taking it back. */
export interface AddedNodes {
  nodes: string[];
  objects: string[];
}

/**
 * Adds `disk`'s chain to the domain's QEMU as `qemuBlockStorageSourceChainAttach` does: the
 * secrets of its credentials and key (read from 0600 files, removed once QEMU has read them) just
 * before the top image's nodes, then each image's nodes, bottom first; a transient disk's image
 * read-only. What it adds is recorded in `added` as it goes; it answers the node a frontend or a
 * tray takes. `volume` is a volume disk's path from the storage driver.
 *
 * @example
 * ```ts
 * import { addDiskChain } from "./disk_plug.ts";
 * declare const state: import("../driver_state.ts").QemuDriverState;
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * declare const disk: import("../../../util/xml/mod.ts").XmlElement;
 * const added = { nodes: [], objects: [] };
 * await addDiskChain(state, obj, obj.def, disk, undefined, added);
 * ```
 */
export async function addDiskChain(
  s: QemuDriverState,
  obj: QemuDomainObj,
  def: DomainDef,
  disk: XmlElement,
  volume: string | undefined,
  added: AddedNodes,
): Promise<string> {
  const secrets = await prepareDiskSecrets(def, s.secondaries, s.paths.runDir, [disk]);
  const mon = obj.proc!.monitor;
  try {
    const auth = authOf(disk);
    const key = secrets.get(disk);
    const encryption = encryptionOf(disk);
    if (encryption && !key) throw unsupportedEncryption(encryption);
    const layers = diskLayers(disk, volume, (auth && secrets.get(auth)) || undefined);
    const nodes = chainBlockdevs(disk, layers, true, key?.id);
    const top = diskNodes(layers[0].index!);
    // A transient disk's image is only read: its overlay takes the writes.
    const transient = !!child(disk, "transient");
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
          added.objects.unshift(secret.id);
        }
      }
      if (transient && node["node-name"] === top.format) node["read-only"] = true;
      await mon.run("blockdev-add", node);
      added.nodes.unshift(node["node-name"] as string);
    }
    return frontendNode(disk, layers[0].index!);
  } finally {
    // QEMU read each key when its object was added.
    await removeDiskSecrets(secrets);
  }
}

/**
 * Takes back what {@link addDiskChain} added (`qemuBlockStorageSourceChainDetach`): the nodes,
 * top first, then the secrets; its own failures are not what the caller needs to hear.
 *
 * @example
 * ```ts
 * import { removeAdded } from "./disk_plug.ts";
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * await removeAdded(obj, { nodes: ["libvirt-3-format", "libvirt-3-storage"], objects: [] });
 * ```
 */
export async function removeAdded(obj: QemuDomainObj, added: AddedNodes): Promise<void> {
  const mon = obj.proc!.monitor;
  for (const node of added.nodes) {
    await mon.run("blockdev-del", { "node-name": node }).catch(() => {});
  }
  for (const id of added.objects) await mon.run("object-del", { id }).catch(() => {});
}

/**
 * Takes a plugged disk's chain out of QEMU as `qemuBlockStorageSourceChainDetach` does: a
 * copy-on-read filter first, then each image's nodes, top first (a node can go once nothing sits
 * on it), then the secret objects of the top image's credentials and key. A failure is logged:
 * the device is gone either way.
 *
 * @example
 * ```ts
 * import { detachDiskChain } from "./disk_plug.ts";
 * declare const state: import("../driver_state.ts").QemuDriverState;
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * declare const disk: import("../../../util/xml/mod.ts").XmlElement;
 * await detachDiskChain(state, obj, disk);
 * ```
 */
export async function detachDiskChain(
  s: QemuDriverState,
  obj: QemuDomainObj,
  disk: XmlElement,
): Promise<void> {
  const mon = obj.proc!.monitor;
  const indexes = chainIndexes(disk);
  const nodes = indexes.map(diskNodes).flatMap((n) => [n.format, n.storage]);
  const filter = indexes.length ? frontendNode(disk, indexes[0]) : undefined;
  if (filter && filter !== nodes[0]) nodes.unshift(filter);
  const { auth, encryption } = secretIds(disk);
  const failed = (what: string) => (err: { message?: string }) =>
    s.log(`removing ${what} of '${obj.def.name}' failed: ${err?.message ?? err}`);
  for (const node of nodes) {
    await mon.run("blockdev-del", { "node-name": node }).catch(failed(`node '${node}'`));
  }
  for (const id of [auth, encryption]) {
    if (id) await mon.run("object-del", { id }).catch(failed(`object '${id}'`));
  }
}

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
  const added: AddedNodes = { nodes: [], objects: [] };
  try {
    await addDiskChain(s, obj, def, disk, volume, added);
    if (child(disk, "transient")) {
      await plugTransientOverlay(obj, disk);
      const overlay = diskNodes(chainIndexes(disk)[0]);
      added.nodes.unshift(overlay.format, overlay.storage);
    }
    await obj.proc!.monitor.run("device_add", diskDeviceProps(def, disk));
  } catch (err) {
    await removeAdded(obj, added);
    // libvirt leaves the overlay file of a disk that never got plugged; this run made it.
    await removeOverlayFiles(takeTransientOverlays(obj, disk));
    throw err;
  }
  // qemuDomainAttachDiskGeneric: the plugged disk's throttling; libvirt only warns when QEMU
  // refuses it, the disk stays.
  await throttleDisk(obj.proc!.monitor, disk).catch(() => false);
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
