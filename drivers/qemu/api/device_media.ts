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
import { child, type XmlElement } from "../../../util/xml/mod.ts";
import type { QemuDomainObj } from "../domain_private.ts";
import type { QemuDriverState } from "../driver_state.ts";
import { newSourceIndex } from "./block_chain.ts";
import { blockdevProps, diskNodes, sourceIndex } from "./device_disk.ts";

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
  const newSource = child(media, "source");
  const hasNew = newSource?.attributes.file !== undefined;
  let props: ReturnType<typeof blockdevProps> | undefined;
  if (hasNew) {
    newSource!.attributes = { ...newSource!.attributes, index: String(newSourceIndex(obj)) };
    props = blockdevProps(media);
  }
  if (!(await trayOpenInQemu(obj, id) ?? trayOpen(disk))) {
    const opened = force ? Promise.resolve() : waitTrayOpen(obj, disk);
    await mon.run("blockdev-open-tray", { id, force });
    await opened;
  }
  const oldIndex = sourceIndex(disk);
  const added: string[] = [];
  try {
    await mon.run("blockdev-remove-medium", { id });
    if (oldIndex !== undefined) {
      const old = diskNodes(oldIndex);
      for (const node of [old.format, old.storage]) {
        await mon.run("blockdev-del", { "node-name": node }).catch(() => {});
      }
    }
    if (props) {
      for (const p of props) {
        await mon.run("blockdev-add", p);
        added.unshift(p["node-name"] as string);
      }
      await mon.run("blockdev-insert-medium", { id, "node-name": props[1]["node-name"] });
    }
    await mon.run("blockdev-close-tray", { id });
  } catch (err) {
    for (const node of added) await mon.run("blockdev-del", { "node-name": node }).catch(() => {});
    throw err;
  }
  replaceSource(disk, hasNew ? newSource : undefined);
  await s.saveStatus(obj);
}

/** The disk's `<source>` becomes `source` (none for an eject), in the source's place. */
function replaceSource(disk: XmlElement, source: XmlElement | undefined): void {
  const at = disk.children.findIndex((c) => c.type === "element" && c.name === "source");
  if (at >= 0) disk.children.splice(at, 1, ...(source ? [source] : []));
  else if (source) {
    const driver = disk.children.findIndex((c) => c.type === "element" && c.name === "driver");
    disk.children.splice(driver + 1, 0, source);
  }
}
