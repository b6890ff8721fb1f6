/**
 * Storage migration of the QEMU driver (VIR_MIGRATE_NON_SHARED_DISK / NON_SHARED_INC) as
 * libvirt 9.0 runs it with QEMU 7.2 (`qemu_migration.c`): the disks copied
 * (`migration_disks.ts`) refused when they carry checkpoints' bitmaps, the destination's
 * images made in their storage pool (`qemuMigrationDstPrecreateStorage`) and exported by its
 * QEMU's NBD server (`migration_nbd.ts`), the source's QEMU mirroring each disk
 * into the export (`qemuMigrationSrcNBDStorageCopyBlockdev`, full or, for NON_SHARED_INC, only
 * the top image) until every mirror is ready, and the mirrors ended at the switch-over, when
 * the guest no longer writes (`qemuMigrationSrcNBDCopyCancel`), or forced off when the
 * migration fails.
 *
 * @module
 */
import type { DomainDef } from "../../../conf/domain/def.ts";
import { VIR } from "../../../util/constants.ts";
import { VirError } from "../../../util/errors.ts";
import { child, element, escapeXml, type XmlElement } from "../../../util/xml/mod.ts";
import type { QemuDomainObj } from "../domain_private.ts";
import type { QemuDriverState } from "../driver_state.ts";
import type { QemuMonitor } from "../monitor/qemu_monitor.ts";
import { diskChain, dstOf } from "./block_chain.ts";
import { type BlockJob, JOB_DOMAIN_STOPPED, jobsOf, register } from "./block_job_state.ts";
import { chainNodes, nodeBitmaps } from "./checkpoint_bitmaps.ts";
import { networkBackend } from "./disk_backend.ts";
import { diskNodes, frontendNode, sourceIndex } from "./device_disk.ts";
import type { CookieNBD } from "./migration_cookie.ts";
import { copiesDisk, disksOf, driveAlias, startedIndex } from "./migration_disks.ts";
import type { NBDAddress } from "./migration_nbd.ts";
import { fetchMirrorStats, trackMirrors } from "./state_job.ts";

const E = VIR;

/**
 * libvirt carries the persistent dirty bitmaps (checkpoints) of the copied disks to the
 * destination (`qemuMigrationSrcBeginPhaseBlockDirtyBitmaps`, QEMU's `block-bitmap-mapping`);
 * this driver does not, so a copy that would leave them behind is refused, never done without
 * them.
 *
 * @example
 * ```ts
 * import { refuseBitmapCopy } from "./migration_storage.ts";
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * declare const disks: import("../../../util/xml/mod.ts").XmlElement[];
 * await refuseBitmapCopy(obj, disks);
 * ```
 */
export async function refuseBitmapCopy(obj: QemuDomainObj, disks: XmlElement[]): Promise<void> {
  if (!disks.length) return;
  const bitmaps = await nodeBitmaps(obj.proc!.monitor);
  for (const disk of disks) {
    if (chainNodes(disk).some((n) => bitmaps.get(n)?.some((b) => b.persistent))) {
      throw VirError.report(
        "QEMU",
        "OPERATION_UNSUPPORTED",
        `migration of the dirty bitmaps of disk ${dstOf(disk)} is not supported by this driver`,
      );
    }
  }
}

/**
 * `qemuMigrationCookieAddNBD`: the size of each disk of the running domain that has a format
 * node (`query-named-block-nodes`, as `qemuMonitorBlockStatsUpdateCapacityBlockdev`), and the
 * NBD server's `port` on the destination.
 *
 * @example
 * ```ts
 * import { cookieNBD } from "./migration_storage.ts";
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * await cookieNBD(obj); // { disks: [{ target: "vda", capacity: 1048576 }] }
 * ```
 */
export async function cookieNBD(obj: QemuDomainObj, port?: number): Promise<CookieNBD> {
  const nodes = await obj.proc!.monitor.run<
    { "node-name": string; image?: { "virtual-size"?: number } }[]
  >("query-named-block-nodes", { flat: true });
  const disks = disksOf(obj.def).flatMap((disk) => {
    const index = sourceIndex(disk);
    const node = index === undefined
      ? undefined
      : nodes.find((n) => n["node-name"] === diskNodes(index).format);
    const capacity = node?.image?.["virtual-size"];
    return capacity === undefined ? [] : [{ target: dstOf(disk), capacity }];
  });
  return { ...(port ? { port } : {}), disks };
}

/** `qemuMigrationDstPrecreateDisk`: the volume of one copied disk, made in its pool. */
async function precreateDisk(
  s: QemuDriverState,
  disk: XmlElement,
  capacity: number,
): Promise<void> {
  const source = child(disk, "source")?.attributes ?? {};
  const type = disk.attributes.type ?? "file";
  const format = child(disk, "driver")?.attributes.type ?? "raw";
  const storage = s.secondaries;
  let pool, name;
  if (type === "file") {
    if (!source.file) return;
    const slash = source.file.lastIndexOf("/");
    if (slash < 0) {
      throw VirError.report("QEMU", "INVALID_ARG", `malformed disk path: ${source.file}`);
    }
    pool = await storage.call(
      "storage",
      "storagePoolLookupByTargetPath",
      source.file.slice(0, slash),
    );
    name = source.file.slice(slash + 1);
  } else if (type === "volume") {
    pool = await storage.call("storage", "storagePoolLookupByName", source.pool ?? "");
    name = source.volume ?? "";
  } else if (type === "network") {
    return;
  } else {
    throw VirError.report(
      "QEMU",
      "INTERNAL_ERROR",
      `cannot precreate storage for disk type '${type}'`,
    );
  }
  const exists = await storage.call("storage", "storageVolLookupByName", pool, name)
    .then(() => true, () => false);
  if (exists) return;
  const qcow2 = format === "qcow2";
  const xml = `<volume>\n  <name>${escapeXml(name)}</name>\n  <capacity>${capacity}</capacity>\n` +
    `  <target>\n    <format type='${format}'/>\n` +
    (qcow2 && type === "file" ? "    <compat>1.1</compat>\n" : "") +
    "  </target>\n</volume>\n";
  await storage.call(
    "storage",
    "storageVolCreateXML",
    pool,
    xml,
    qcow2 ? E.STORAGE_VOL_CREATE_PREALLOC_METADATA : 0,
  );
}

/** Whether the local image of a disk is there already (`virFileExists` of its source). */
async function imageExists(disk: XmlElement): Promise<boolean> {
  const path = child(disk, "source")?.attributes.file ?? child(disk, "source")?.attributes.dev;
  if (!path) return false;
  return await Deno.stat(path).then(() => true, () => false);
}

/**
 * `qemuMigrationDstPrecreateStorage`: before the destination's QEMU starts, each copied disk
 * that the source's cookie lists and whose image is missing is created in the storage pool
 * holding it; an incremental copy needs its images (and their backing files) made beforehand.
 *
 * @example
 * ```ts
 * import { precreateStorage } from "./migration_storage.ts";
 * declare const state: import("../driver_state.ts").QemuDriverState;
 * declare const def: import("../../../conf/domain/def.ts").DomainDef;
 * await precreateStorage(state, def, { disks: [] }, [], false);
 * ```
 */
export async function precreateStorage(
  s: QemuDriverState,
  def: DomainDef,
  nbd: CookieNBD,
  migrateDisks: string[],
  incremental: boolean,
): Promise<void> {
  for (const { target, capacity } of nbd.disks) {
    const disk = disksOf(def).find((d) => dstOf(d) === target);
    if (!disk) {
      throw VirError.report("QEMU", "INTERNAL_ERROR", `unable to find disk by target: ${target}`);
    }
    if (!copiesDisk(disk, migrateDisks) || await imageExists(disk)) continue;
    if (incremental) {
      throw VirError.report(
        "QEMU",
        "OPERATION_UNSUPPORTED",
        "pre-creation of storage targets for incremental storage migration is not supported",
      );
    }
    await precreateDisk(s, disk, capacity);
  }
}

/** One disk mirrored into the destination's export. */
interface Mirror {
  dst: string;
  job: BlockJob;
  nodes: { storage: string; format: string };
}

/** `qemuMigrationNBDReportMirrorError`. */
function mirrorFailed(m: Mirror): VirError {
  return VirError.report(
    "QEMU",
    "OPERATION_FAILED",
    m.job.error
      ? `migration of disk ${m.dst} failed: ${m.job.error}`
      : `migration of disk ${m.dst} failed`,
  );
}

/** The source's side of a storage migration, from the first mirror to the last node removed. */
export interface StorageCopy {
  /**
   * `qemuMigrationSrcNBDCopyCancel` at the switch-over: each ready mirror is cancelled, which
   * leaves the destination's image complete; a mirror that failed is libvirt's error.
   */
  finish(): Promise<void>;
  /** The same on failure: mirrors forced off, whatever the destination's image holds. */
  abort(): Promise<void>;
}

/** A promise that rejects with libvirt's abort error once `signal` fires. */
function abortedBy(signal: AbortSignal, name: string): Promise<never> {
  return new Promise((_, reject) => {
    const fail = () =>
      reject(VirError.report("QEMU", "OPERATION_ABORTED", `${name}: canceled by client`));
    if (signal.aborted) fail();
    else signal.addEventListener("abort", fail, { once: true });
  });
}

/** What a copy needs: where the destination's NBD server is, and how to copy. */
export interface CopyTarget {
  address: NBDAddress;
  /** Bytes per second, 0 for no limit. */
  speed: number;
  flags: number;
}

/**
 * `qemuMigrationSrcNBDStorageCopy`: each disk is mirrored to the destination's export
 * (`blockdev-add` of an NBD node and a raw node over it, `blockdev-mirror` as the job
 * `drive-<alias>`), then waits until every mirror is ready; a mirror that fails or an abort of
 * the job (`signal`) ends them all.
 *
 * @example
 * ```ts
 * import { startStorageCopy } from "./migration_storage.ts";
 * declare const state: import("../driver_state.ts").QemuDriverState;
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * declare const disks: import("../../../util/xml/mod.ts").XmlElement[];
 * const copy = await startStorageCopy(state, obj, disks, {
 *   address: { host: "127.0.0.1", port: 49153 }, speed: 0, flags: 64,
 * }, new AbortController().signal);
 * await copy.finish();
 * ```
 */
export async function startStorageCopy(
  s: QemuDriverState,
  obj: QemuDomainObj,
  disks: XmlElement[],
  to: CopyTarget,
  signal: AbortSignal,
): Promise<StorageCopy> {
  const mon = obj.proc!.monitor;
  const mirrors: Mirror[] = [];
  const end = async (force: boolean): Promise<void> => {
    // The numbers so far stay the migration's (libvirt's disks stop `migrating` here).
    trackMirrors(obj, []);
    for (const m of mirrors) {
      if (jobsOf(obj).get(m.dst) !== m.job) continue;
      // QEMU's `force` defaults to false; libvirt sends it only when set.
      const args = force ? { device: m.job.name, force } : { device: m.job.name };
      await mon.run("block-job-cancel", args).catch((err) => {
        if (!force) throw err;
      });
    }
    const statuses = await Promise.all(mirrors.map((m) => m.job.ended));
    // The nodes go once every job has (qemuBlockStorageSourceDetachOneBlockdev).
    for (const m of mirrors) await dropNodes(mon, m.nodes);
    const failed = mirrors.find((_, i) =>
      statuses[i] !== E.DOMAIN_BLOCK_JOB_COMPLETED && statuses[i] !== JOB_DOMAIN_STOPPED
    );
    if (failed && !force) throw mirrorFailed(failed);
  };
  const copy: StorageCopy = { finish: () => end(false), abort: () => end(true) };
  try {
    for (const disk of disks) {
      mirrors.push(await mirrorDisk(mon, obj, disk, to));
      trackMirrors(obj, mirrors.map((m) => m.job.name));
    }
    await s.saveStatus(obj);
    await Promise.race([
      Promise.all(mirrors.map((m) =>
        Promise.race([
          m.job.ready,
          m.job.ended.then(() => {
            throw mirrorFailed(m);
          }),
        ])
      )),
      abortedBy(signal, "migration out job"),
    ]);
    // The job's statistics from then on count the disks as copied so far.
    await fetchMirrorStats(obj);
  } catch (err) {
    await copy.abort();
    throw err;
  }
  return copy;
}

/** Removes a mirror's target nodes, the format node first. */
async function dropNodes(mon: QemuMonitor, nodes: Mirror["nodes"]): Promise<void> {
  for (const node of [nodes.format, nodes.storage]) {
    await mon.run("blockdev-del", { "node-name": node }).catch(() => {});
  }
}

/** `qemuMigrationSrcNBDStorageCopyOne` / `…CopyBlockdev` for one disk. */
async function mirrorDisk(
  mon: QemuMonitor,
  obj: QemuDomainObj,
  disk: XmlElement,
  to: CopyTarget,
): Promise<Mirror> {
  const dst = dstOf(disk);
  const name = driveAlias(disk);
  const nodes = { storage: `migration-${dst}-storage`, format: `migration-${dst}-format` };
  const host = "socket" in to.address
    ? { transport: "unix", socket: to.address.socket }
    : { name: to.address.host, port: to.address.port };
  const source = element("source", { protocol: "nbd", name }, [element("host", host)]);
  await mon.run("blockdev-add", {
    ...networkBackend(source),
    "node-name": nodes.storage,
    "read-only": false,
    discard: "unmap",
    // No TLS: libvirt's empty TLS host name of the migration parameters.
    "tls-hostname": "",
  });
  try {
    await mon.run("blockdev-add", {
      driver: "raw",
      "node-name": nodes.format,
      "read-only": false,
      file: nodes.storage,
    });
  } catch (err) {
    await dropNodes(mon, nodes);
    throw err;
  }
  // The chain stays as it is when the job ends: the copy is the destination's business.
  const job = register(obj, {
    name,
    type: E.DOMAIN_BLOCK_JOB_TYPE_COPY,
    dst,
    plan: { keepTop: diskChain(disk).length },
  });
  try {
    await mon.run("blockdev-mirror", {
      "job-id": name,
      device: frontendNode(disk, startedIndex(disk)),
      target: nodes.format,
      ...(to.speed ? { speed: to.speed } : {}),
      sync: to.flags & E.MIGRATE_NON_SHARED_INC ? "top" : "full",
      ...(to.flags & E.MIGRATE_NON_SHARED_SYNCHRONOUS_WRITES
        ? { "copy-mode": "write-blocking" }
        : {}),
      "auto-finalize": true,
      "auto-dismiss": false,
    });
  } catch (err) {
    jobsOf(obj).delete(dst);
    await dropNodes(mon, nodes);
    throw err;
  }
  return { dst, job, nodes };
}
