/**
 * Internal snapshots of the QEMU driver (`qemu_snapshot.c` of libvirt 9.0): creating one, of a
 * running domain with QEMU 7.2's `snapshot-save` job (memory and every qcow2 disk; libvirt 9.0
 * still uses HMP `savevm`, which does the same), of a shut-off one with `qemu-img snapshot -c`;
 * reverting (a running snapshot restarts QEMU with `-loadvm`, as libvirt does; a shut-off one
 * applies `qemu-img snapshot -a`); deleting (`snapshot-delete` job or `qemu-img snapshot -d`).
 * Disk-only snapshots are external (`snapshot_external.ts`); full external ones (memory to a
 * file) are refused.
 *
 * @module
 */
import { isPflash, loaderOf } from "../loader.ts";
import { checkMigrationAllowed } from "./migration_allowed.ts";
import { waitForAsyncJob } from "./state_job.ts";
import type { DomainDef } from "../../../conf/domain/def.ts";
import { isActive, setDefTransient } from "../../../conf/objects/domain_obj.ts";
import { deleteMoment } from "../../../conf/objects/moment_delete.ts";
import type { Moment } from "../../../conf/objects/moment_list.ts";
import {
  alignSnapshotDisks,
  checkSnapshotRevert,
  isExternalSnapshot,
  isOnlineSnapshot,
  parseSnapshotXML,
  redefinePrep,
  SNAPSHOT_STATES,
  type SnapshotDef,
} from "../../../conf/snapshot/mod.ts";
import { VIR } from "../../../util/constants.ts";
import { checkFlags, VirError } from "../../../util/errors.ts";
import { child } from "../../../util/xml/mod.ts";
import type { QemuDomainObj } from "../domain_private.ts";
import type { QemuDriverState } from "../driver_state.ts";
import type { QemuMonitor } from "../monitor/qemu_monitor.ts";
import { snapshotByName } from "./state_snapshot_list.ts";
import { saveSnapshots, snapshotsOf } from "./state_snapshot_store.ts";
import { runQmpJob } from "./qmp_job.ts";
import { qemuImg } from "./qemu_img.ts";
import { snapshotView } from "./snapshot_view.ts";
import { takeExternalSnapshot } from "./snapshot_external.ts";
import { discardExternal, validateDelete } from "./snapshot_external_delete.ts";

const E = VIR;
const CREATE_FLAGS = E.DOMAIN_SNAPSHOT_CREATE_REDEFINE | E.DOMAIN_SNAPSHOT_CREATE_CURRENT |
  E.DOMAIN_SNAPSHOT_CREATE_NO_METADATA | E.DOMAIN_SNAPSHOT_CREATE_HALT |
  E.DOMAIN_SNAPSHOT_CREATE_DISK_ONLY | E.DOMAIN_SNAPSHOT_CREATE_REUSE_EXT |
  E.DOMAIN_SNAPSHOT_CREATE_QUIESCE | E.DOMAIN_SNAPSHOT_CREATE_ATOMIC |
  E.DOMAIN_SNAPSHOT_CREATE_LIVE | E.DOMAIN_SNAPSHOT_CREATE_VALIDATE;
/** What only an external snapshot can do. */
const EXTERNAL_FLAGS = E.DOMAIN_SNAPSHOT_CREATE_DISK_ONLY | E.DOMAIN_SNAPSHOT_CREATE_REUSE_EXT |
  E.DOMAIN_SNAPSHOT_CREATE_QUIESCE | E.DOMAIN_SNAPSHOT_CREATE_LIVE;

const REVERT_FLAGS = E.DOMAIN_SNAPSHOT_REVERT_RUNNING | E.DOMAIN_SNAPSHOT_REVERT_PAUSED |
  E.DOMAIN_SNAPSHOT_REVERT_FORCE;
const DELETE_FLAGS = E.DOMAIN_SNAPSHOT_DELETE_CHILDREN | E.DOMAIN_SNAPSHOT_DELETE_METADATA_ONLY |
  E.DOMAIN_SNAPSHOT_DELETE_CHILDREN_ONLY;

/** A call on one snapshot: its flags checked, then the snapshot found. */
function snapshotCall(
  s: QemuDriverState,
  obj: QemuDomainObj,
  name: string,
  flags: number,
  allowed: number,
  api: string,
): Promise<Moment<SnapshotDef>> {
  checkFlags(flags, allowed, api, "QEMU");
  return snapshotByName(s, obj, name);
}

const unsupported = (msg: string) => VirError.report("QEMU", "CONFIG_UNSUPPORTED", msg);

/** One disk an internal snapshot covers: its target, image and live node. */
interface SnapDisk {
  dst: string;
  file: string;
  alias?: string;
}

/** The disks of `dom` the aligned snapshot `def` takes internally; each must be qcow2. */
function internalDisks(def: SnapshotDef, dom: DomainDef): SnapDisk[] {
  const out: SnapDisk[] = [];
  for (const sd of def.disks) {
    if (sd.snapshot !== "internal") continue;
    const disk = dom.devices.other.find((d) =>
      d.name === "disk" && child(d, "target")?.attributes.dev === sd.name
    );
    // A disk unplugged since keeps its snapshot in an image the domain no longer uses.
    if (!disk) continue;
    const format = child(disk, "driver")?.attributes.type ?? "raw";
    if (format !== "qcow2") {
      throw unsupported(
        `internal snapshot for disk ${sd.name} unsupported for storage type ${format}`,
      );
    }
    out.push({
      dst: sd.name,
      file: child(disk, "source")!.attributes.file,
      alias: child(disk, "alias")?.attributes.name,
    });
  }
  return out;
}

/**
 * `virDomainSnapshotAlignDisks` for an internal snapshot: every disk internal, except empty
 * and read-only ones (libvirt's post-parse makes those `snapshot='no'`).
 */
function alignInternal(def: SnapshotDef, dom: DomainDef): void {
  const aligned = { ...def, dom: snapshotView(dom) };
  alignSnapshotDisks(aligned, "internal", true);
  def.disks = aligned.disks;
}

/** Runs `qemu-img snapshot OP NAME FILE` on each disk (`qemuDomainSnapshotForEachQcow2`). */
async function qemuImgSnapshot(op: string, name: string, disks: SnapDisk[]): Promise<void> {
  for (const disk of disks) await qemuImg(["snapshot", op, name, disk.file]);
}

/** QMP `query-block` entries (the fields used). */
interface BlockEntry {
  qdev?: string;
  inserted?: { "node-name": string };
}

/** The live format node of each disk, for the snapshot jobs. */
async function liveNodes(mon: QemuMonitor, disks: SnapDisk[]): Promise<string[]> {
  const blocks = await mon.run<BlockEntry[]>("query-block");
  return disks.map((d) => {
    const entry = blocks.find((b) =>
      b.qdev === d.alias || b.qdev === `/machine/peripheral/${d.alias}/virtio-backend`
    );
    const node = entry?.inserted?.["node-name"];
    if (!node) throw VirError.report("QEMU", "INTERNAL_ERROR", `no block node for disk ${d.dst}`);
    return node;
  });
}

let jobCounter = 0;

/**
 * `qemuSnapshotCreateXML` for internal snapshots: returns the new snapshot's name.
 *
 * @example
 * ```ts
 * import { createSnapshot } from "./state_snapshot.ts";
 * declare const state: import("../driver_state.ts").QemuDriverState;
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * await createSnapshot(state, obj, "<domainsnapshot><name>s1</name></domainsnapshot>", 0);
 * ```
 */
export async function createSnapshot(
  s: QemuDriverState,
  obj: QemuDomainObj,
  xml: string,
  flags: number,
): Promise<string> {
  checkFlags(flags, CREATE_FLAGS, "qemuDomainSnapshotCreateXML", "QEMU");
  const list = await snapshotsOf(s, obj);
  const redefine = (flags & E.DOMAIN_SNAPSHOT_CREATE_REDEFINE) !== 0;
  const halt = (flags & E.DOMAIN_SNAPSHOT_CREATE_HALT) !== 0;
  if (!obj.persistent && halt) {
    throw VirError.report(
      "QEMU",
      "OPERATION_INVALID",
      "cannot halt after transient domain snapshot",
    );
  }
  const diskOnly = (flags & E.DOMAIN_SNAPSHOT_CREATE_DISK_ONLY) !== 0;
  if (!diskOnly && flags & EXTERNAL_FLAGS) {
    throw unsupported("external snapshots are not supported by this QEMU driver");
  }
  const def = parseSnapshotXML(xml, {
    redefine,
    validate: (flags & E.DOMAIN_SNAPSHOT_CREATE_VALIDATE) !== 0,
    parseDomain: (x) => s.parse(x),
  });
  // A shut-off domain's snapshot with an external disk is disk-only (qemuSnapshotPrepare).
  const external = diskOnly ||
    (!isActive(obj) && def.disks.some((d) => d.snapshot === "external") &&
      def.memory !== "external");
  return await obj.job.run(async () => {
    await waitForAsyncJob(obj, s.asyncJobWaitMs);
    let snap: Moment<SnapshotDef> | undefined;
    if (redefine) snap = redefinePrep(list, obj.def.uuid, def);
    else if (external) await takeExternalSnapshot(s, obj, def, flags);
    else await takeSnapshot(s, obj, def, halt);
    if (flags & E.DOMAIN_SNAPSHOT_CREATE_NO_METADATA) return def.name;
    snap ??= list.assign(def);
    if (!redefine) snap.def.parent = list.current?.def.name;
    if (!redefine || flags & E.DOMAIN_SNAPSHOT_CREATE_CURRENT) list.current = snap;
    list.linkParent(snap);
    await saveSnapshots(s, obj);
    return def.name;
  });
}

/** The snapshot itself: states, alignment and checks, then QEMU or qemu-img. */
async function takeSnapshot(
  s: QemuDriverState,
  obj: QemuDomainObj,
  def: SnapshotDef,
  halt: boolean,
): Promise<void> {
  const active = isActive(obj);
  if (def.memory === "external" || def.disks.some((d) => d.snapshot === "external")) {
    throw unsupported("external snapshots are not supported by this QEMU driver");
  }
  def.state = SNAPSHOT_STATES[obj.state];
  if (active && def.memory === "no") {
    throw VirError.report(
      "QEMU",
      "OPERATION_UNSUPPORTED",
      "internal snapshot of a running VM must include the memory state",
    );
  }
  def.memory = def.state === "shutoff" ? "no" : "internal";
  const dom = active ? s.liveDefinition(obj) : structuredClone(obj.def);
  dom.id = -1;
  def.dom = dom;
  alignInternal(def, dom);
  const disks = internalDisks(def, dom);
  if (def.memory === "internal" && !disks.length) {
    throw unsupported(
      "internal and full system snapshots require all disks to be selected for snapshot",
    );
  }
  // qemuSnapshotPrepare: QEMU would write the memory into a raw variable store, and qemu-img
  // would leave it out of a shut-off domain's snapshot.
  if (disks.length && isPflash(loaderOf(dom))) {
    throw VirError.report(
      "QEMU",
      "OPERATION_UNSUPPORTED",
      "internal snapshots of a VM with pflash based firmware are not supported",
    );
  }
  if (!active) return await qemuImgSnapshot("-c", def.name, disks);
  await checkMigrationAllowed(obj, false);
  const mon = obj.proc!.monitor;
  const resume = obj.state === E.DOMAIN_RUNNING;
  if (resume) {
    obj.pausedReason = E.DOMAIN_PAUSED_SAVE;
    await mon.stop();
  }
  try {
    const nodes = await liveNodes(mon, disks);
    await runQmpJob(mon, "snapshot-save", `snapshot-save${jobCounter++}`, {
      tag: def.name,
      vmstate: nodes[0],
      devices: nodes,
    });
    if (halt) {
      await s.stopProcess(
        obj,
        E.DOMAIN_SHUTOFF_FROM_SNAPSHOT,
        E.DOMAIN_EVENT_STOPPED_FROM_SNAPSHOT,
      );
    }
  } finally {
    if (resume && isActive(obj)) {
      obj.runningReason = E.DOMAIN_RUNNING_UNPAUSED;
      await mon.cont();
    }
  }
}

/**
 * `qemuSnapshotRevert` for internal snapshots.
 *
 * @example
 * ```ts
 * import { revertSnapshot } from "./state_snapshot.ts";
 * declare const state: import("../driver_state.ts").QemuDriverState;
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * await revertSnapshot(state, obj, "s1", 0);
 * ```
 */
export async function revertSnapshot(
  s: QemuDriverState,
  obj: QemuDomainObj,
  name: string,
  flags: number,
): Promise<void> {
  const snap = await snapshotCall(s, obj, name, flags, REVERT_FLAGS, "qemuDomainRevertToSnapshot");
  const def = snap.def;
  if (isExternalSnapshot(def)) {
    throw unsupported("revert to external snapshot not supported yet");
  }
  const wantRun = checkSnapshotRevert(def, obj, flags, "QEMU", false);
  await obj.job.run(async () => {
    if (isActive(obj)) {
      await s.stopProcess(
        obj,
        E.DOMAIN_SHUTOFF_FROM_SNAPSHOT,
        E.DOMAIN_EVENT_STOPPED_FROM_SNAPSHOT,
      );
    }
    const config = structuredClone(def.dom!);
    const paused = !(flags & E.DOMAIN_SNAPSHOT_REVERT_RUNNING) &&
      (def.state === "paused" || (flags & E.DOMAIN_SNAPSHOT_REVERT_PAUSED) !== 0);
    if (isOnlineSnapshot(def)) {
      // virDomainObjAssignDef(live): the snapshot's domain runs, the configuration stays aside.
      setDefTransient(obj);
      obj.def = config;
      await s.start(obj, paused ? E.DOMAIN_START_PAUSED : 0, {
        argv: ["-loadvm", name],
        started: E.DOMAIN_EVENT_STARTED_FROM_SNAPSHOT,
        running: E.DOMAIN_RUNNING_FROM_SNAPSHOT,
        paused: E.DOMAIN_PAUSED_FROM_SNAPSHOT,
        suspended: E.DOMAIN_EVENT_SUSPENDED_FROM_SNAPSHOT,
      });
    } else {
      await qemuImgSnapshot("-a", name, internalDisks(def, config));
      obj.def = config;
      await s.saveConfig(obj);
      if (wantRun) {
        await s.start(obj, flags & E.DOMAIN_SNAPSHOT_REVERT_PAUSED ? E.DOMAIN_START_PAUSED : 0, {
          argv: [],
          started: E.DOMAIN_EVENT_STARTED_FROM_SNAPSHOT,
          running: E.DOMAIN_RUNNING_FROM_SNAPSHOT,
          paused: E.DOMAIN_PAUSED_FROM_SNAPSHOT,
          suspended: E.DOMAIN_EVENT_SUSPENDED_FROM_SNAPSHOT,
        });
      }
    }
    obj.snapshots.current = snap;
    await saveSnapshots(s, obj);
  });
}

/**
 * `qemuSnapshotDelete`: the snapshot (and, as asked, its descendants) goes from the disks and
 * from the metadata; METADATA_ONLY leaves the disks alone.
 *
 * @example
 * ```ts
 * import { deleteSnapshot } from "./state_snapshot.ts";
 * declare const state: import("../driver_state.ts").QemuDriverState;
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * await deleteSnapshot(state, obj, "s1", 0);
 * ```
 */
export async function deleteSnapshot(
  s: QemuDriverState,
  obj: QemuDomainObj,
  name: string,
  flags: number,
): Promise<void> {
  const snap = await snapshotCall(s, obj, name, flags, DELETE_FLAGS, "qemuDomainSnapshotDelete");
  const list = obj.snapshots;
  const children = (flags & E.DOMAIN_SNAPSHOT_DELETE_CHILDREN) !== 0;
  const childrenOnly = (flags & E.DOMAIN_SNAPSHOT_DELETE_CHILDREN_ONLY) !== 0;
  await obj.job.run(async () => {
    if (!(flags & E.DOMAIN_SNAPSHOT_DELETE_METADATA_ONLY)) {
      validateDelete(obj, snap, flags);
      const doomed = [
        ...(childrenOnly ? [] : [snap]),
        ...(children || childrenOnly ? list.descendants(snap) : []),
      ];
      for (const m of doomed) {
        if (isExternalSnapshot(m.def)) await discardExternal(obj, m);
        else await discard(obj, m.def);
      }
    }
    deleteMoment(list, snap, { children, childrenOnly });
    await saveSnapshots(s, obj);
  });
}

/** Removes one snapshot from the images: a job in the running QEMU, qemu-img otherwise. */
async function discard(obj: QemuDomainObj, def: SnapshotDef): Promise<void> {
  const disks = internalDisks(def, isActive(obj) ? obj.def : def.dom ?? obj.def);
  if (!isActive(obj)) return await qemuImgSnapshot("-d", def.name, disks);
  const mon = obj.proc!.monitor;
  const nodes = await liveNodes(mon, disks);
  await runQmpJob(mon, "snapshot-delete", `snapshot-delete${jobCounter++}`, {
    tag: def.name,
    devices: nodes,
  });
}
