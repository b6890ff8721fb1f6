/**
 * The XML inside save images, read and replaced: `qemuDomainSaveImageDefineXML`
 * (`virsh save-image-define`/`-edit`) and the managed-save twins
 * `qemuDomainManagedSaveGetXMLDesc` / `qemuDomainManagedSaveDefineXML`
 * (`virsh managedsave-dumpxml`/`-define`/`-edit`).
 *
 * @module
 */
import { formatDomainXML } from "../../../conf/domain/mod.ts";
import { VIR } from "../../../util/constants.ts";
import { checkFlags, VirError } from "../../../util/errors.ts";
import type { QemuDomainObj } from "../domain_private.ts";
import type { QemuDriverState } from "../driver_state.ts";
import { checkSameDomain, managedSavePath, saveImageXML } from "./state_save.ts";
import { readSaveImage, rewriteSaveImage } from "./state_save_image.ts";

const E = VIR;

/**
 * Replaces the domain XML of the image at `path` with `dxml` (the same domain), and its
 * running/paused mark when the flags say; an unchanged XML and mark write nothing.
 *
 * @example
 * ```ts
 * import { saveImageDefineXML } from "./state_save_define.ts";
 * import type { QemuDriverState } from "../driver_state.ts";
 * declare const state: QemuDriverState;
 * await saveImageDefineXML(state, "/var/tmp/vm.save", "<domain>…</domain>", 0);
 * ```
 */
export async function saveImageDefineXML(
  s: QemuDriverState,
  path: string,
  dxml: string,
  flags: number,
): Promise<void> {
  checkFlags(
    flags,
    E.DOMAIN_SAVE_RUNNING | E.DOMAIN_SAVE_PAUSED,
    "qemuDomainSaveImageDefineXML",
    "QEMU",
  );
  const running = flags & E.DOMAIN_SAVE_RUNNING
    ? true
    : flags & E.DOMAIN_SAVE_PAUSED
    ? false
    : undefined;
  const image = await readSaveImage(path);
  const wasRunning = running ?? image.wasRunning;
  if (image.xml === dxml && wasRunning === image.wasRunning) return;
  const def = s.parse(image.xml);
  const next = s.parse(dxml);
  checkSameDomain(def.name, def.uuid, next);
  const xml = formatDomainXML(
    next,
    E.DOMAIN_XML_INACTIVE | E.DOMAIN_XML_SECURE | E.DOMAIN_XML_MIGRATABLE,
  );
  await rewriteSaveImage(path, image, xml, wasRunning);
}

/** The domain's managed save image, or libvirt's error when it has none. */
async function managedImage(s: QemuDriverState, obj: QemuDomainObj): Promise<string> {
  const path = managedSavePath(s, obj);
  if (!(await Deno.stat(path).then(() => true, () => false))) {
    throw VirError.report(
      "QEMU",
      "OPERATION_INVALID",
      "domain does not have managed save image",
    );
  }
  return path;
}

/**
 * The XML of the domain's managed save image.
 *
 * @example
 * ```ts
 * import { managedSaveXML } from "./state_save_define.ts";
 * import type { QemuDomainObj } from "../domain_private.ts";
 * import type { QemuDriverState } from "../driver_state.ts";
 * declare const state: QemuDriverState;
 * declare const obj: QemuDomainObj;
 * await managedSaveXML(state, obj, 0);
 * ```
 */
export async function managedSaveXML(
  s: QemuDriverState,
  obj: QemuDomainObj,
  flags: number,
): Promise<string> {
  checkFlags(flags, E.DOMAIN_SAVE_IMAGE_XML_SECURE, "qemuDomainManagedSaveGetXMLDesc", "QEMU");
  return await saveImageXML(s, await managedImage(s, obj), flags);
}

/**
 * {@link saveImageDefineXML} on the domain's managed save image.
 *
 * @example
 * ```ts
 * import { managedSaveDefineXML } from "./state_save_define.ts";
 * import type { QemuDomainObj } from "../domain_private.ts";
 * import type { QemuDriverState } from "../driver_state.ts";
 * declare const state: QemuDriverState;
 * declare const obj: QemuDomainObj;
 * await managedSaveDefineXML(state, obj, "<domain>…</domain>", 0);
 * ```
 */
export async function managedSaveDefineXML(
  s: QemuDriverState,
  obj: QemuDomainObj,
  dxml: string,
  flags: number,
): Promise<void> {
  await saveImageDefineXML(s, await managedImage(s, obj), dxml, flags);
}
