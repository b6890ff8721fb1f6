/**
 * Deleting an external disk-only snapshot of a running domain as libvirt 9.0 does
 * (`qemuSnapshotDeleteExternalPrepare`, `qemuSnapshotDiscardExternal`): each overlay the
 * snapshot made is committed into the image below it (an active commit and a pivot when the
 * overlay is the disk's top), then deleted; the snapshot's metadata goes after. A shut-off
 * domain's external snapshots are not deleted here: libvirt starts QEMU paused to commit them.
 *
 * @module
 */
import { isActive } from "../../../conf/objects/domain_obj.ts";
import type { Moment } from "../../../conf/objects/moment_list.ts";
import { isExternalSnapshot, type SnapshotDef } from "../../../conf/snapshot/mod.ts";
import { VIR } from "../../../util/constants.ts";
import { VirError } from "../../../util/errors.ts";
import { child, type XmlElement } from "../../../util/xml/mod.ts";
import type { QemuDomainObj } from "../domain_private.ts";
import { type Layer, liveChain } from "./block_chain.ts";
import { diskByName, startCommit } from "./block_job.ts";
import { JOB_DOMAIN_STOPPED, jobsOf } from "./block_job_state.ts";

const E = VIR;
const failed = (msg: string) => VirError.report("QEMU", "OPERATION_FAILED", msg);

/** One overlay to merge: the disk, its chain and where the overlay sits in it. */
interface Merge {
  name: string;
  disk: XmlElement;
  chain: Layer[];
  at: number;
}

/**
 * `qemuSnapshotDeleteValidate`'s refusals for the snapshots a deletion covers.
 *
 * @example
 * ```ts
 * import { validateDelete } from "./snapshot_external_delete.ts";
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * declare const snap: import("../../../conf/objects/moment_list.ts").Moment<import("../../../conf/snapshot/mod.ts").SnapshotDef>;
 * validateDelete(obj, snap, 0);
 * ```
 */
export function validateDelete(
  obj: QemuDomainObj,
  snap: Moment<SnapshotDef>,
  flags: number,
): void {
  const unsupported = (code: "CONFIG_UNSUPPORTED" | "OPERATION_UNSUPPORTED", msg: string) =>
    VirError.report("QEMU", code, msg);
  if (flags & (E.DOMAIN_SNAPSHOT_DELETE_CHILDREN | E.DOMAIN_SNAPSHOT_DELETE_CHILDREN_ONLY)) {
    const below = obj.snapshots.descendants(snap);
    const external = below.filter((m) => isExternalSnapshot(m.def)).length;
    if (external && external < below.length) {
      throw unsupported(
        "CONFIG_UNSUPPORTED",
        "deletion of external and internal children disk snapshots not supported",
      );
    }
    if (external) {
      throw unsupported(
        "CONFIG_UNSUPPORTED",
        "deletion of external children disk snapshots not supported",
      );
    }
  }
  if (!isExternalSnapshot(snap.def)) return;
  if (jobsOf(obj).size) {
    throw unsupported(
      "OPERATION_UNSUPPORTED",
      "cannot delete external snapshots when there is another active block job",
    );
  }
  if (flags & E.DOMAIN_SNAPSHOT_DELETE_CHILDREN) {
    throw unsupported(
      "CONFIG_UNSUPPORTED",
      "deletion of external disk snapshots with children not supported",
    );
  }
}

/** `qemuSnapshotDeleteExternalPrepare`: each overlay found in its disk's chain, over its parent. */
async function prepare(obj: QemuDomainObj, snap: Moment<SnapshotDef>): Promise<Merge[]> {
  const out: Merge[] = [];
  for (const sd of snap.def.disks) {
    if (sd.snapshot === "no") continue;
    const disk = diskByName(obj, sd.name);
    const chain = await liveChain(obj, disk);
    const file = sd.source?.attributes.file;
    const at = chain.findIndex((l) => l.file === file);
    if (at < 0) {
      throw VirError.report(
        "STORAGE",
        "INVALID_ARG",
        "could not find base disk source in disk source chain",
      );
    }
    const parentDisk = snap.def.dom?.devices.other.find((d) =>
      d.name === "disk" && child(d, "target")?.attributes.dev === sd.name
    );
    if (!parentDisk) throw failed(`failed to find disk '${sd.name}' in snapshot VM XML`);
    if (at + 1 >= chain.length) throw failed("failed to find parent disk source in backing chain");
    if (chain[at + 1].file !== child(parentDisk, "source")?.attributes.file) {
      throw failed("snapshot VM disk source and parent disk source are not the same");
    }
    const parentSnap = ancestorFor(snap, sd.name);
    if (parentSnap && !isExternalSnapshot(parentSnap.def)) {
      throw VirError.report(
        "QEMU",
        "OPERATION_UNSUPPORTED",
        "deleting external snapshot that has internal snapshot as parent not supported",
      );
    }
    out.push({ name: sd.name, disk, chain, at });
  }
  return out;
}

/** `qemuSnapshotFindParentSnapForDisk`: the nearest ancestor that snapshotted the disk. */
function ancestorFor(snap: Moment<SnapshotDef>, disk: string): Moment<SnapshotDef> | undefined {
  for (let m = snap.parent; m?.def; m = m.parent) {
    if (m.def.disks.some((d) => d.name === disk && d.snapshot !== "no")) {
      return m as Moment<SnapshotDef>;
    }
  }
  return undefined;
}

/**
 * Merges the external snapshot's overlays back and deletes them (the metadata is the
 * caller's). A shut-off domain's are refused.
 *
 * @example
 * ```ts
 * import { discardExternal } from "./snapshot_external_delete.ts";
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * declare const snap: import("../../../conf/objects/moment_list.ts").Moment<import("../../../conf/snapshot/mod.ts").SnapshotDef>;
 * await discardExternal(obj, snap);
 * ```
 */
export async function discardExternal(
  obj: QemuDomainObj,
  snap: Moment<SnapshotDef>,
): Promise<void> {
  if (!isActive(obj)) {
    throw VirError.report(
      "QEMU",
      "OPERATION_UNSUPPORTED",
      "deletion of external disk snapshots of an inactive domain is not supported by this QEMU driver",
    );
  }
  const merges = await prepare(obj, snap);
  const jobs = [];
  for (const m of merges) {
    jobs.push(await startCommit(obj, m.disk, m.chain, m.at, m.at + 1, { deleteFiles: true }));
  }
  for (const [i, job] of jobs.entries()) {
    const outcome = await Promise.race([job.ready.then(() => undefined), job.ended]);
    if (outcome === undefined) {
      await obj.proc!.monitor.run("job-complete", { id: job.name });
      job.state = "pivoting";
    }
    const status = await job.ended;
    if (status === JOB_DOMAIN_STOPPED) {
      throw VirError.report("QEMU", "OPERATION_FAILED", "domain is not running");
    }
    if (status !== E.DOMAIN_BLOCK_JOB_COMPLETED) {
      throw VirError.report(
        "QEMU",
        "INTERNAL_ERROR",
        `block commit failed while deleting disk '${merges[i].name}' snapshot: '${job.error}'`,
      );
    }
  }
}
