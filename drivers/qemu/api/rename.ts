/**
 * `qemuDomainRename` (`virsh domrename`): a shut-off persistent domain without a managed save
 * takes a new name; its definition, autostart mark, snapshot and checkpoint metadata follow it, the files
 * of the old name go only once the new ones are written.
 *
 * @module
 */
import { isActive, refOf } from "../../../conf/objects/domain_obj.ts";
import { VIR } from "../../../util/constants.ts";
import type { DomainRef } from "../../../util/driver.ts";
import { checkFlags, VirError } from "../../../util/errors.ts";
import type { QemuDomainObj } from "../domain_private.ts";
import type { QemuDriverState } from "../driver_state.ts";
import { managedSavePath } from "./state_save.ts";
import { snapshotsFile } from "./state_snapshot_store.ts";
import { checkpointsFile } from "./checkpoint_store.ts";

const E = VIR;
const invalid = (message: string) => VirError.report("QEMU", "OPERATION_INVALID", message);
const exists = (path: string) => Deno.stat(path).then(() => true, () => false);

/** The files named after the domain that move with it (`qemuDomainRenameCallback`). */
async function moveFiles(s: QemuDriverState, obj: QemuDomainObj, oldName: string) {
  await s.saveConfig(obj);
  if (obj.autostart) await s.setAutostart(obj, true);
  for (const file of [snapshotsFile, checkpointsFile]) {
    if (await exists(file(s, oldName))) await Deno.rename(file(s, oldName), file(s, obj.def.name));
  }
}

/**
 * Renames the domain to `newName` with libvirt's checks and its UNDEFINED/DEFINED RENAMED
 * events; on a failure to write, the old name stays.
 *
 * @example
 * ```ts
 * import { renameDomain } from "./rename.ts";
 * import type { QemuDomainObj } from "../domain_private.ts";
 * import type { QemuDriverState } from "../driver_state.ts";
 * declare const state: QemuDriverState;
 * declare const obj: QemuDomainObj;
 * await renameDomain(state, obj, "web2", 0);
 * ```
 */
export async function renameDomain(
  s: QemuDriverState,
  obj: QemuDomainObj,
  newName: string,
  flags: number,
): Promise<DomainRef> {
  checkFlags(flags, 0, "qemuDomainRename", "QEMU");
  await obj.job.run(async () => {
    if (isActive(obj)) throw invalid("cannot rename active domain");
    if (!obj.persistent) throw invalid("cannot rename a transient domain");
    if (await exists(managedSavePath(s, obj))) {
      throw invalid("domain with a managed saved state can't be renamed");
    }
    const oldName = obj.def.name;
    const oldRef = refOf(obj);
    s.domains.rename(obj, newName, () => {
      if (newName.includes("/")) {
        throw VirError.report("QEMU", "XML_ERROR", `name ${newName} cannot contain '/'`);
      }
      obj.def.name = newName;
    });
    try {
      await moveFiles(s, obj, oldName);
    } catch (err) {
      s.domains.rename(obj, oldName, () => obj.def.name = oldName);
      await Deno.remove(`${s.paths.configDir}/${newName}.xml`).catch(() => {});
      await Deno.remove(`${s.paths.configDir}/autostart/${newName}`).catch(() => {});
      throw err;
    }
    // qemuDomainNamePathsCleanup of the old name: best effort once the new files exist.
    await Deno.remove(`${s.paths.configDir}/${oldName}.xml`).catch(() => {});
    await Deno.remove(`${s.paths.configDir}/autostart/${oldName}`).catch(() => {});
    s.events.emit({
      family: "domain",
      eventId: E.DOMAIN_EVENT_ID_LIFECYCLE,
      ref: oldRef,
      data: { event: E.DOMAIN_EVENT_UNDEFINED, detail: E.DOMAIN_EVENT_UNDEFINED_RENAMED },
    });
    s.emit(obj, E.DOMAIN_EVENT_DEFINED, E.DOMAIN_EVENT_DEFINED_RENAMED);
  });
  return refOf(obj);
}
