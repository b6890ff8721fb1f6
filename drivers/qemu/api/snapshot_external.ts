/**
 * External disk-only snapshots of the QEMU driver (`qemu_snapshot.c` of libvirt 9.0): each
 * selected disk gets a new qcow2 overlay whose backing file is the image it used. A running
 * domain's overlays are made by QEMU (`blockdev-add` of the file, a `blockdev-create` job for
 * the qcow2 format, `blockdev-add` of the format node without backing) and switched to in one
 * `transaction` of `blockdev-snapshot`s, each overlay taking the recording bitmaps of the image
 * it covers (checkpoints go on); a shut-off domain's by `qemu-img create`. The live and
 * the persistent definitions then name the overlay, with the old image as `<backingStore>`.
 * QUIESCE freezes the guest's file systems through its agent around the switch.
 *
 * @module
 */
import type { DomainDef } from "../../../conf/domain/def.ts";
import { isActive } from "../../../conf/objects/domain_obj.ts";
import { alignSnapshotDisks, type SnapshotDef } from "../../../conf/snapshot/mod.ts";
import { VIR } from "../../../util/constants.ts";
import { VirError } from "../../../util/errors.ts";
import { child, type XmlElement } from "../../../util/xml/mod.ts";
import type { QemuDomainObj } from "../domain_private.ts";
import type { QemuDriverState } from "../driver_state.ts";
import {
  configDisk,
  diskChain,
  formatNodes,
  type Layer,
  liveChain,
  newSourceIndex,
  writeChain,
} from "./block_chain.ts";
import { diskNodes } from "./device_disk.ts";
import { type AddedImage, addImage, checkImageFile, dropImage } from "./block_image.ts";
import { qemuImg } from "./qemu_img.ts";
import { snapshotView } from "./snapshot_view.ts";
import { diskBusy } from "./block_job_state.ts";
import { checkBlockJobSupported } from "./block_job_support.ts";
import { fsFreeze, fsThaw } from "../agent/agent_api.ts";
import { nodeBitmaps, propagateBitmaps } from "./checkpoint_bitmaps.ts";

const E = VIR;
const unsupported = (msg: string) => VirError.report("QEMU", "CONFIG_UNSUPPORTED", msg);

const isRegularFile = (path: string) => {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
};

/** One disk the snapshot covers: the domain's disk and the overlay it gets. */
export interface Overlay {
  disk: XmlElement;
  dst: string;
  layer: Layer;
  /** A last check of the disk, made when its turn comes (after the disks before it were added). */
  check?: () => void;
}

/**
 * `qemuSnapshotPrepare` for a disk-only snapshot: aligned with every disk external by
 * default, each external disk's overlay checked (qcow2, not an existing file unless reused),
 * libvirt's refusals in its order.
 */
function prepare(def: SnapshotDef, dom: DomainDef, active: boolean, reuse: boolean): Overlay[] {
  const aligned = { ...def, dom: snapshotView(dom) };
  alignSnapshotDisks(aligned, "external", false, { isRegularFile });
  def.disks = aligned.disks;
  const disks = dom.devices.other.filter((d) => d.name === "disk");
  const out: Overlay[] = [];
  def.disks.forEach((sd, i) => {
    const disk = disks[i];
    if (sd.snapshot === "internal") {
      if (active) {
        throw unsupported(
          `active qemu domains require external disk snapshots; disk ${sd.name} requested internal`,
        );
      }
      throw unsupported("mixing internal and external targets for a snapshot is not yet supported");
    }
    if (sd.snapshot !== "external") return;
    sd.driverType ??= "qcow2";
    if (sd.driverType !== "qcow2") {
      throw unsupported(
        `external snapshot format for disk ${sd.name} is unsupported: ${sd.driverType}`,
      );
    }
    if (active) checkBlockJobSupported(disk);
    if (sd.type !== "file" || (disk.attributes.type ?? "file") !== "file") {
      throw unsupported(
        `external ${active ? "active" : "inactive"} snapshots are not supported on '${
          sd.type !== "file" ? sd.type : disk.attributes.type
        }' disks`,
      );
    }
    const file = sd.source!.attributes.file;
    // qemuSnapshotPrepareDiskExternal's look at the overlay's file.
    checkImageFile(file, reuse, {
      statFailed: `unable to stat for disk ${sd.name}: ${file}`,
      missing: `missing existing file for disk ${sd.name}: ${file}`,
      notFile:
        `mismatch between configured type for snapshot disk '${sd.name}' and the type of existing file '${file}'`,
      exists:
        `external snapshot file for disk ${sd.name} already exists and is not a block device: ${file}`,
    });
    out.push({ disk, dst: sd.name, layer: { file, format: sd.driverType } });
  });
  if (!out.length) {
    throw unsupported("disk-only snapshots require at least one disk to be selected for snapshot");
  }
  return out;
}

/**
 * Takes the disk-only snapshot `def` of the domain (aligned, checked, overlays made and
 * switched to); both definitions are updated and saved.
 *
 * @example
 * ```ts
 * import { takeExternalSnapshot } from "./snapshot_external.ts";
 * declare const state: import("../driver_state.ts").QemuDriverState;
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * declare const def: import("../../../conf/snapshot/mod.ts").SnapshotDef;
 * await takeExternalSnapshot(state, obj, def, 0);
 * ```
 */
export async function takeExternalSnapshot(
  s: QemuDriverState,
  obj: QemuDomainObj,
  def: SnapshotDef,
  flags: number,
): Promise<void> {
  const active = isActive(obj);
  const reuse = (flags & E.DOMAIN_SNAPSHOT_CREATE_REUSE_EXT) !== 0;
  if (flags & E.DOMAIN_SNAPSHOT_CREATE_LIVE) {
    throw VirError.report(
      "QEMU",
      "OPERATION_UNSUPPORTED",
      "live snapshot creation is supported only during full system snapshots",
    );
  }
  def.state = active ? "disk-snapshot" : "shutoff";
  def.memory = "no";
  const dom = active ? s.liveDefinition(obj) : structuredClone(obj.def);
  dom.id = -1;
  for (const d of dom.devices.other) stripRuntime(d);
  def.dom = dom;
  const overlays = prepare(def, dom, active, reuse);
  if (active) {
    for (const o of overlays) diskBusy(obj, o.dst);
    await quiesced(obj, flags, () => createActiveOverlays(obj, overlays, reuse));
  } else {
    await snapshotInactive(overlays, reuse);
  }
  for (const o of overlays) {
    const disk = diskOf(obj.def, o.dst);
    if (!disk) continue;
    if (active) {
      const cfg = configDisk(obj, disk, 1);
      if (cfg) writeChain(cfg, [o.layer, ...diskChain(cfg)].map(noIndex), false);
      writeChain(disk, [o.layer, ...diskChain(disk)], true);
    } else {
      // A shut-off domain's image chain is not probed: the definition names the overlay only.
      writeChain(disk, [noIndex(o.layer)], false);
    }
  }
  if (active) await s.saveStatus(obj);
  await s.saveConfig(obj);
  // qemuSnapshotCreateActiveExternal: HALT stops the domain once its disks moved on.
  if (active && flags & E.DOMAIN_SNAPSHOT_CREATE_HALT) {
    await s.stopProcess(obj, E.DOMAIN_SHUTOFF_FROM_SNAPSHOT, E.DOMAIN_EVENT_STOPPED_FROM_SNAPSHOT);
  }
}

const noIndex = ({ file, format }: Layer): Layer => ({ file, format });

function diskOf(def: DomainDef, dst: string): XmlElement | undefined {
  return def.devices.other.find((d) =>
    d.name === "disk" && child(d, "target")?.attributes.dev === dst
  );
}

/**
 * `qemuSnapshotCreateActiveExternal`'s QUIESCE: the guest's file systems frozen through its
 * agent around `fn` (libvirt's errors when there is no agent), thawed after; a failed thaw
 * fails a snapshot that had succeeded.
 */
async function quiesced(obj: QemuDomainObj, flags: number, fn: () => Promise<void>): Promise<void> {
  const frozen = flags & E.DOMAIN_SNAPSHOT_CREATE_QUIESCE ? await fsFreeze(obj, [], 0) : 0;
  let done = false;
  try {
    await fn();
    done = true;
  } finally {
    if (frozen > 0 && isActive(obj)) {
      const thawed = fsThaw(obj, [], 0);
      if (done) await thawed;
      else await thawed.catch(() => {});
    }
  }
}

/** What the inactive XML of a snapshot's domain leaves out: aliases, indexes, job mirrors. */
function stripRuntime(el: XmlElement): void {
  const { index: _index, ...attrs } = el.attributes;
  if (el.name === "source" || el.name === "backingStore") el.attributes = attrs;
  el.children = el.children.filter((c) =>
    !(c.type === "element" && (c.name === "alias" || c.name === "mirror"))
  );
  for (const c of el.children) if (c.type === "element") stripRuntime(c);
}

/**
 * `qemuSnapshotCreateActiveExternalDisks` (also libvirt's start of `<transient/>` disks): the
 * overlays made by QEMU and switched to in one transaction, the checkpoints' bitmaps carried
 * over; on failure, what was added goes again. The definitions are the caller's to update.
 *
 * @example
 * ```ts
 * import { createActiveOverlays } from "./snapshot_external.ts";
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * declare const disk: import("../../../util/xml/mod.ts").XmlElement;
 * await createActiveOverlays(obj, [
 *   { disk, dst: "vda", layer: { file: "/i/vda.qcow2.TRANSIENT-web", format: "qcow2" } },
 * ], false);
 * ```
 */
export async function createActiveOverlays(
  obj: QemuDomainObj,
  overlays: Overlay[],
  reuse: boolean,
): Promise<void> {
  const mon = obj.proc!.monitor;
  const added: AddedImage[] = [];
  const actions: unknown[] = [];
  const bitmaps = await nodeBitmaps(mon);
  try {
    for (const o of overlays) {
      o.check?.();
      // A disk being plugged is not in the definition yet.
      const chain = await liveChain(obj, diskOf(obj.def, o.dst) ?? o.disk);
      const [top] = await formatNodes(mon, chain.slice(0, 1));
      o.layer.index = newSourceIndex(obj);
      const image: AddedImage = { nodes: [] };
      added.push(image);
      await addImage(mon, {
        layer: o.layer,
        reuse,
        sizeOf: top,
        backingFile: chain[0],
        backingNode: null,
      }, image);
      const overlay = diskNodes(o.layer.index).format;
      actions.push(...propagateBitmaps(bitmaps, top, overlay));
      actions.push({ type: "blockdev-snapshot", data: { node: top, overlay } });
    }
    await mon.run("transaction", { actions });
  } catch (err) {
    // qemuSnapshotDiskCleanup: what was added goes (top node first), what was made is removed.
    for (const image of added) await dropImage(mon, image);
    throw err;
  }
}

/** `qemuSnapshotCreateInactiveExternal`: `qemu-img create -f qcow2 -b OLD -F FMT NEW`. */
async function snapshotInactive(overlays: Overlay[], reuse: boolean): Promise<void> {
  if (reuse) return;
  const created: string[] = [];
  try {
    for (const o of overlays) {
      const [below] = diskChain(o.disk);
      await qemuImg([
        "create",
        "-f",
        o.layer.format,
        "-o",
        `backing_file=${below.file},backing_fmt=${below.format}`,
        o.layer.file,
      ]);
      created.push(o.layer.file);
    }
  } catch (err) {
    for (const file of created) await Deno.remove(file).catch(() => {});
    throw err;
  }
}
