/**
 * Save, restore and managed save of the QEMU driver (`qemuDomainSaveInternal`,
 * `qemuDomainRestoreFlags`, `qemuDomainManagedSave` of libvirt 9.0): the domain is paused, its
 * XML written in libvirt's save image header, QEMU's state migrated after it, and QEMU ended;
 * a restore starts QEMU with `-incoming defer` and feeds it the stream, which QEMU reads with a
 * shell command (`exec:`) from the image's offset (see {@link migrateToFile} for the writing).
 *
 * @module
 */
import { checkMigrationAllowed } from "./migration_allowed.ts";
import { formatDomainXML } from "../../../conf/domain/mod.ts";
import type { DomainDef } from "../../../conf/domain/def.ts";
import { checkActive, isActive, refOf, setDefTransient } from "../../../conf/objects/domain_obj.ts";
import { VIR } from "../../../util/constants.ts";
import type { DomainRef } from "../../../util/driver.ts";
import { checkFlags, VirError } from "../../../util/errors.ts";
import { child } from "../../../util/xml/mod.ts";
import type { QemuDomainObj } from "../domain_private.ts";
import type { QemuDriverState } from "../driver_state.ts";
import type { QemuMonitor } from "../monitor/qemu_monitor.ts";
import { runAsyncJob, waitForAsyncJob } from "./state_job.ts";
import { runMigration } from "./migration_wait.ts";
import { migrateToFile, shellQuote } from "./migrate_file.ts";
import {
  finishSaveImage,
  readSaveImage,
  type SaveImage,
  writeSaveImageHead,
} from "./state_save_image.ts";

const E = VIR;
/** The flags every save takes (`virCheckFlags` of `qemuDomainSave{Flags,Params}`). */
export const SAVE_FLAGS = E.DOMAIN_SAVE_BYPASS_CACHE | E.DOMAIN_SAVE_RUNNING | E.DOMAIN_SAVE_PAUSED;
/**
 * libvirt writes and reads through its O_DIRECT helper; QEMU's exec: stream here cannot, so a
 * save, restore or dump that asks to bypass the cache is refused as on a host without it.
 *
 * @example
 * ```ts
 * import { refuseBypassCache } from "./state_save.ts";
 * refuseBypassCache(false);
 * ```
 */
export function refuseBypassCache(asked: boolean): void {
  if (asked) {
    throw VirError.report("QEMU", "OPERATION_FAILED", "bypass cache unsupported by this system");
  }
}

/** libvirt's managed save image of a domain. */
export function managedSavePath(s: QemuDriverState, obj: QemuDomainObj): string {
  return `${s.paths.saveDir}/${obj.def.name}.save`;
}

async function exists(path: string): Promise<boolean> {
  return await Deno.stat(path).then(() => true, () => false);
}

/**
 * `qemuDomainSaveInternal`: pause, write the image, stop QEMU (SHUTOFF_SAVED); on failure the
 * image goes and a domain that ran runs again (RUNNING_SAVE_CANCELED).
 *
 * @example
 * ```ts
 * import { saveDomain } from "./state_save.ts";
 * declare const state: import("../driver_state.ts").QemuDriverState;
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * await saveDomain(state, obj, "/var/tmp/vm.save", undefined, 0);
 * ```
 */
export async function saveDomain(
  s: QemuDriverState,
  obj: QemuDomainObj,
  path: string,
  dxml: string | undefined,
  flags: number,
): Promise<void> {
  checkFlags(flags, SAVE_FLAGS, "qemuDomainSaveFlags", "QEMU");
  refuseBypassCache((flags & E.DOMAIN_SAVE_BYPASS_CACHE) !== 0);
  await obj.job.run(async () => {
    await waitForAsyncJob(obj, s.asyncJobWaitMs);
    checkActive(obj);
    await checkMigrationAllowed(obj, false);
    const wasRunning = obj.state === E.DOMAIN_RUNNING;
    const mon = obj.proc!.monitor;
    if (wasRunning) {
      obj.pausedReason = E.DOMAIN_PAUSED_SAVE;
      await mon.stop();
    }
    const running = flags & E.DOMAIN_SAVE_RUNNING
      ? true
      : flags & E.DOMAIN_SAVE_PAUSED
      ? false
      : wasRunning;
    let written = false;
    try {
      const live = s.liveDefinition(obj);
      if (dxml !== undefined) checkSameDomain(live.name, live.uuid, s.parse(dxml));
      const xml = dxml ?? formatDomainXML(live, E.DOMAIN_XML_SECURE | E.DOMAIN_XML_MIGRATABLE);
      await writeSaveImageHead(path, xml, running);
      written = true;
      await migrateToFile(s, obj, path, E.DOMAIN_JOB_OPERATION_SAVE, "domain save job");
      await finishSaveImage(path);
    } catch (err) {
      // Only an image this save began goes; a file that was there before stays.
      if (written) await Deno.remove(path).catch(() => {});
      if (wasRunning && isActive(obj)) {
        obj.runningReason = E.DOMAIN_RUNNING_SAVE_CANCELED;
        await mon.cont().catch(() => {});
      }
      throw err;
    }
    await s.stopProcess(obj, E.DOMAIN_SHUTOFF_SAVED, E.DOMAIN_EVENT_STOPPED_SAVED);
  });
}

/**
 * `qemuSaveImageUpdateDef`'s rule: the new XML must describe the same domain.
 *
 * @example
 * ```ts
 * import { checkSameDomain } from "./state_save.ts";
 * const uuid = "0b7c1f52-3f5e-4d0c-9a43-5d3c2c1e0a01";
 * checkSameDomain("vm", uuid, { name: "vm", uuid });
 * ```
 */
export function checkSameDomain(
  name: string,
  uuid: string,
  def: { name: string; uuid: string },
): void {
  if (def.uuid !== uuid) {
    throw VirError.report(
      "DOMAIN",
      "OPERATION_INVALID",
      `cannot change domain uuid from '${uuid}' to '${def.uuid}'`,
    );
  }
  if (def.name !== name) {
    throw VirError.report(
      "DOMAIN",
      "OPERATION_INVALID",
      `cannot change domain name from '${name}' to '${def.name}'`,
    );
  }
}

/**
 * `qemuDomainRestoreFlags`: the image's domain (or `dxml`, if the same domain) starts from the
 * saved state; running when it was saved running, unless the flags say otherwise.
 *
 * @example
 * ```ts
 * import { restoreDomain } from "./state_save.ts";
 * declare const state: import("../driver_state.ts").QemuDriverState;
 * await restoreDomain(state, "/var/tmp/vm.save", undefined, 0);
 * ```
 */
export async function restoreDomain(
  s: QemuDriverState,
  path: string,
  dxml: string | undefined,
  flags: number,
): Promise<DomainRef> {
  checkFlags(flags, SAVE_FLAGS | E.DOMAIN_SAVE_RESET_NVRAM, "qemuDomainRestoreFlags", "QEMU");
  refuseBypassCache((flags & E.DOMAIN_SAVE_BYPASS_CACHE) !== 0);
  const image = await readSaveImage(path);
  let def = s.parse(image.xml);
  if (dxml !== undefined) {
    const other = s.parse(dxml);
    checkSameDomain(def.name, def.uuid, other);
    def = other;
  }
  const { obj } = s.domains.add(def, { live: true, checkLive: true });
  await obj.job.run(() => startFromImage(s, obj, path, image, flags));
  return refOf(obj);
}

/**
 * `qemuSaveImageStartVM`: QEMU reads the stream of `image` (whose domain is the live
 * definition by now), then runs or stays paused.
 */
async function startFromImage(
  s: QemuDriverState,
  obj: QemuDomainObj,
  path: string,
  image: SaveImage,
  flags: number,
): Promise<void> {
  // The saved XML may name hot-plugged nodes; the new QEMU starts every disk afresh.
  for (const disk of obj.def.devices.other.filter((d) => d.name === "disk")) {
    const source = child(disk, "source");
    if (source?.attributes.index) {
      const { index: _, ...rest } = source.attributes;
      source.attributes = rest;
    }
  }
  const paused = (flags & E.DOMAIN_SAVE_PAUSED) !== 0 ||
    (!image.wasRunning && !(flags & E.DOMAIN_SAVE_RUNNING));
  const from = `exec:tail -c +${image.streamOffset + 1} ${shellQuote(path)}`;
  // qemuProcessStart's RESET_NVRAM: the variable store is the template again.
  const reset = flags & E.DOMAIN_SAVE_RESET_NVRAM ? E.DOMAIN_START_RESET_NVRAM : 0;
  await s.start(obj, (paused ? E.DOMAIN_START_PAUSED : 0) | reset, {
    argv: ["-incoming", "defer"],
    prepare: (mon: QemuMonitor) =>
      runAsyncJob(obj, E.DOMAIN_JOB_OPERATION_RESTORE, "domain restore job", async () => {
        await runMigration(
          mon,
          "domain restore job",
          () => mon.run("migrate-incoming", { uri: from }),
        );
      }),
    started: E.DOMAIN_EVENT_STARTED_RESTORED,
    running: E.DOMAIN_RUNNING_RESTORED,
    paused: E.DOMAIN_PAUSED_MIGRATION,
    suspended: flags & E.DOMAIN_SAVE_PAUSED
      ? E.DOMAIN_EVENT_SUSPENDED_PAUSED
      : E.DOMAIN_EVENT_SUSPENDED_RESTORED,
  });
}

/**
 * `virDomainSaveImageGetXMLDesc`: the XML an image holds.
 *
 * @example
 * ```ts
 * import { saveImageXML } from "./state_save.ts";
 * declare const state: import("../driver_state.ts").QemuDriverState;
 * await saveImageXML(state, "/var/tmp/vm.save", 0);
 * ```
 */
export async function saveImageXML(
  s: QemuDriverState,
  path: string,
  flags: number,
): Promise<string> {
  checkFlags(flags, E.DOMAIN_SAVE_IMAGE_XML_SECURE, "qemuDomainSaveImageGetXMLDesc", "QEMU");
  const image = await readSaveImage(path);
  return formatDomainXML(
    s.parse(image.xml),
    E.DOMAIN_XML_INACTIVE | (flags ? E.DOMAIN_XML_SECURE : 0),
  );
}

/**
 * `qemuDomainManagedSave`: a save into the driver's own image, which the next start restores.
 * `dxml` replaces the saved definition (`qemuDomainManagedSaveHelper` of a save by parameters).
 *
 * @example
 * ```ts
 * import { managedSave } from "./state_save.ts";
 * declare const state: import("../driver_state.ts").QemuDriverState;
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * await managedSave(state, obj, 0);
 * ```
 */
export async function managedSave(
  s: QemuDriverState,
  obj: QemuDomainObj,
  flags: number,
  dxml?: string,
): Promise<void> {
  checkFlags(flags, SAVE_FLAGS, "qemuDomainManagedSave", "QEMU");
  if (!obj.persistent) {
    throw VirError.report(
      "QEMU",
      "OPERATION_INVALID",
      "cannot do managed save for transient domain",
    );
  }
  await Deno.mkdir(s.paths.saveDir, { recursive: true });
  await saveDomain(s, obj, managedSavePath(s, obj), dxml, flags);
}

/**
 * Whether the domain has a managed save image.
 *
 * @example
 * ```ts
 * import { hasManagedSave } from "./state_save.ts";
 * declare const state: import("../driver_state.ts").QemuDriverState;
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * await hasManagedSave(state, obj, 0);
 * ```
 */
export async function hasManagedSave(
  s: QemuDriverState,
  obj: QemuDomainObj,
  flags: number,
): Promise<boolean> {
  checkFlags(flags, 0, "qemuDomainHasManagedSaveImage", "QEMU");
  return await exists(managedSavePath(s, obj));
}

/**
 * `qemuDomainManagedSaveRemove`.
 *
 * @example
 * ```ts
 * import { removeManagedSave } from "./state_save.ts";
 * declare const state: import("../driver_state.ts").QemuDriverState;
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * await removeManagedSave(state, obj, 0);
 * ```
 */
export async function removeManagedSave(
  s: QemuDriverState,
  obj: QemuDomainObj,
  flags: number,
): Promise<void> {
  checkFlags(flags, 0, "qemuDomainManagedSaveRemove", "QEMU");
  const path = managedSavePath(s, obj);
  await Deno.remove(path).catch((err) => {
    if (err instanceof Deno.errors.NotFound) return;
    throw VirError.report(
      "QEMU",
      "SYSTEM_ERROR",
      `Failed to remove managed save file '${path}': ${err.message}`,
    );
  });
}

/**
 * The start of a domain with a managed save image (`qemuDomainObjStart`): the image is
 * restored and removed; a damaged image is removed and the domain boots afresh. False when
 * there is no image.
 *
 * @example
 * ```ts
 * import { startFromManagedSave } from "./state_save.ts";
 * declare const state: import("../driver_state.ts").QemuDriverState;
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * await startFromManagedSave(state, obj, 0);
 * ```
 */
export async function startFromManagedSave(
  s: QemuDriverState,
  obj: QemuDomainObj,
  flags: number,
): Promise<boolean> {
  const path = managedSavePath(s, obj);
  if (!(await exists(path))) return false;
  let image: SaveImage;
  let def: DomainDef;
  try {
    image = await readSaveImage(path);
    def = s.parse(image.xml);
    checkSameDomain(obj.def.name, obj.def.uuid, def);
  } catch (err) {
    s.log(`removing the unusable managed save image of '${obj.def.name}': ${err}`);
    await Deno.remove(path).catch(() => {});
    return false;
  }
  // virDomainObjAssignDef(live): the saved domain runs; the configuration stays aside.
  setDefTransient(obj);
  obj.def = def;
  const saveFlags = (flags & E.DOMAIN_START_PAUSED ? E.DOMAIN_SAVE_PAUSED : 0) |
    (flags & E.DOMAIN_START_RESET_NVRAM ? E.DOMAIN_SAVE_RESET_NVRAM : 0);
  await startFromImage(s, obj, path, image, saveFlags);
  await Deno.remove(path).catch(() => {});
  return true;
}

/**
 * `qemuDomainUndefineFlags`' rule for managed save: the image goes with the domain only when
 * VIR_DOMAIN_UNDEFINE_MANAGED_SAVE says so.
 *
 * @example
 * ```ts
 * import { undefineManagedSave } from "./state_save.ts";
 * declare const state: import("../driver_state.ts").QemuDriverState;
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * await undefineManagedSave(state, obj, 0);
 * ```
 */
export async function undefineManagedSave(
  s: QemuDriverState,
  obj: QemuDomainObj,
  flags: number,
): Promise<void> {
  const path = managedSavePath(s, obj);
  if (!(await exists(path))) return;
  if (!(flags & E.DOMAIN_UNDEFINE_MANAGED_SAVE)) {
    throw VirError.report(
      "QEMU",
      "OPERATION_INVALID",
      "Refusing to undefine while domain managed save image exists",
    );
  }
  await Deno.remove(path);
}
