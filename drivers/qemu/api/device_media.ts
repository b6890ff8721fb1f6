/**
 * Changing the medium of a cdrom (`qemuDomainChangeEjectableMedia` /
 * `qemuDomainChangeMediaBlockdev` of libvirt 9.0): open the tray (and wait until QEMU says it
 * is open), remove the old medium, add the new one's nodes, insert it, close the tray. The tray
 * position QEMU reports (DEVICE_TRAY_MOVED) is kept in the live XML as libvirt shows it,
 * `<target tray='open'/>`.
 *
 * @module
 */
import { VirError } from "../../../util/errors.ts";
import { child, element, type XmlElement } from "../../../util/xml/mod.ts";
import type { QemuDomainObj } from "../domain_private.ts";
import type { QemuDriverState } from "../driver_state.ts";
import { newSourceIndex } from "./block_chain.ts";
import { addDiskChain, type AddedNodes, detachDiskChain, removeAdded } from "./disk_plug.ts";
import { throttleDisk } from "./block_iotune.ts";
import { diskLayers } from "./disk_layers.ts";
import { numberDiskChain, probeDiskChain } from "../disk_chains.ts";
import { resolveVolumeDisk } from "../volume_disk.ts";

/** libvirt's CHANGE_MEDIA_TIMEOUT: how long QEMU may take to open a tray. */
const CHANGE_MEDIA_TIMEOUT_MS = 5000;

const aliasOf = (disk: XmlElement) => child(disk, "alias")?.attributes.name;

/** Whether QEMU last reported the disk's tray open. */
function trayOpen(disk: XmlElement): boolean {
  return child(disk, "target")?.attributes.tray === "open";
}

/**
 * Whether QEMU has the tray open now (`query-block`). libvirt trusts the position its event
 * handler last recorded; here the close of a previous change may still be on its way through
 * the event path when the next change starts (seen on a loaded machine: the open was skipped and
 * QEMU refused the removal, "Tray … is not open"), so QEMU's word decides.
 */
async function trayOpenInQemu(obj: QemuDomainObj, id: string): Promise<boolean | undefined> {
  const blocks = await obj.proc!.monitor.run<{ qdev?: string; tray_open?: boolean }[]>(
    "query-block",
  ).catch(() => []);
  return blocks.find((b) => b.qdev === id)?.tray_open;
}

/** Resolves when the disk's tray is open, or fails as libvirt's `qemuHotplugWaitForTrayEject`. */
function waitTrayOpen(obj: QemuDomainObj, disk: XmlElement): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (ok: boolean) => {
      clearTimeout(timer);
      off();
      if (ok) resolve();
      else {
        reject(VirError.report(
          "QEMU",
          "OPERATION_FAILED",
          `timed out waiting to open tray of '${child(disk, "target")?.attributes.dev}'`,
        ));
      }
    };
    const off = obj.proc!.monitor.onEvent((ev) => {
      if (
        ev.event === "DEVICE_TRAY_MOVED" && ev.data.id === aliasOf(disk) && ev.data["tray-open"]
      ) {
        done(true);
      }
    });
    // Called when QEMU says the tray is closed: the live XML's tray may still be the previous
    // change's open (its close event not handled yet), so only a new event counts (a tray the
    // guest locked opens when the guest lets it, after blockdev-open-tray has returned).
    const timer = setTimeout(() => done(false), CHANGE_MEDIA_TIMEOUT_MS);
  });
}

/**
 * Puts the medium of `media` (a parsed disk, its source possibly empty: an eject) into the
 * live cdrom `disk`.
 *
 * @example
 * ```ts
 * import { changeMedia } from "./device_media.ts";
 * declare const state: import("../driver_state.ts").QemuDriverState;
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * declare const disk: import("../../../util/xml/mod.ts").XmlElement;
 * declare const media: import("../../../util/xml/mod.ts").XmlElement;
 * await changeMedia(state, obj, disk, media, false);
 * ```
 */
export async function changeMedia(
  s: QemuDriverState,
  obj: QemuDomainObj,
  disk: XmlElement,
  media: XmlElement,
  force: boolean,
): Promise<void> {
  const id = aliasOf(disk)!;
  const mon = obj.proc!.monitor;
  // The new medium is opened as a hot-plugged disk's is (qemuDomainChangeMediaBlockdev): a
  // volume's path from its pool, the chain read and numbered, a node pair per image.
  const volume = await resolveVolumeDisk(media, s.secondaries);
  const hasNew = media.attributes.type === "network"
    ? child(media, "source") !== undefined
    : diskLayers(media, volume).length > 0;
  const next = () => newSourceIndex(obj);
  if (!hasNew) {
    // An eject leaves an empty source, which libvirt numbers too: `<source index='N'/>`.
    media.children = media.children.filter((c) => !(c.type === "element" && c.name === "source"));
    media.children.push(element("source", { index: `${next()}` }));
  } else {
    await probeDiskChain(media, volume, next);
    numberDiskChain(media, next);
  }
  if (!(await trayOpenInQemu(obj, id) ?? trayOpen(disk))) {
    const opened = force ? Promise.resolve() : waitTrayOpen(obj, disk);
    await mon.run("blockdev-open-tray", { id, force });
    await opened;
  }
  const added: AddedNodes = { nodes: [], objects: [] };
  try {
    await mon.run("blockdev-remove-medium", { id });
    // The old medium's chain and secrets go as an unplugged disk's do.
    await detachDiskChain(s, obj, disk);
    // The new medium's chain, with its credentials' and key's secrets, as a hot-plug adds it.
    if (hasNew) {
      const top = await addDiskChain(s, obj, obj.def, media, volume, added);
      await mon.run("blockdev-insert-medium", { id, "node-name": top });
      // The drive's throttling holds for its new medium (qemuDomainChangeMediaBlockdev).
      await throttleDisk(mon, disk);
    }
    await mon.run("blockdev-close-tray", { id });
  } catch (err) {
    await removeAdded(obj, added);
    throw err;
  }
  replaceMedium(disk, media);
  await s.saveStatus(obj);
}

/**
 * The disk's medium becomes `media`'s (an empty source for an eject): its source type, its
 * `<source>` and its chain (`<backingStore>`), in the old ones' place.
 */
function replaceMedium(disk: XmlElement, media: XmlElement): void {
  const isMedium = (c: XmlElement["children"][number]) =>
    c.type === "element" && (c.name === "source" || c.name === "backingStore");
  const parts = media.children.filter(isMedium);
  disk.attributes = { ...disk.attributes, type: media.attributes.type ?? "file" };
  const at = disk.children.findIndex(isMedium);
  const kept = disk.children.filter((c) => !isMedium(c));
  const driver = kept.findIndex((c) => c.type === "element" && c.name === "driver");
  kept.splice(at >= 0 ? at : driver + 1, 0, ...parts);
  disk.children = kept;
}
