/**
 * `virDomainSaveParams` / `virDomainRestoreParams` of the QEMU driver (`qemuDomainSaveParams`,
 * `qemuDomainRestoreParams`): the typed parameters VIR_DOMAIN_SAVE_PARAM_FILE and
 * VIR_DOMAIN_SAVE_PARAM_DXML onto the path-and-XML save and restore; a save without a file is
 * a managed save.
 *
 * @module
 */
import type { TypedParams } from "../../../util/contract/types.ts";
import { checkFlags, VirError } from "../../../util/errors.ts";
import { validateTypedParams } from "../../../util/typed_params.ts";
import type { QemuDomainObj } from "../domain_private.ts";
import type { QemuDriverState } from "../driver_state.ts";
import { managedSave, restoreDomain, SAVE_FLAGS, saveDomain } from "./state_save.ts";

/** `VIR_DOMAIN_SAVE_PARAM_FILE` and `VIR_DOMAIN_SAVE_PARAM_DXML`, both strings. */
function saveParamsOf(params: TypedParams): { file?: string; dxml?: string } {
  validateTypedParams(params, { file: "string", dxml: "string" });
  return { file: params.file as string | undefined, dxml: params.dxml as string | undefined };
}

/**
 * `qemuDomainSaveParams`: a save to `file`, or the managed save when there is none.
 *
 * @example
 * ```ts
 * import { saveParams } from "./state_save_params.ts";
 * declare const state: import("../driver_state.ts").QemuDriverState;
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * await saveParams(state, obj, { file: "/var/tmp/vm.save" }, 0);
 * ```
 */
export async function saveParams(
  s: QemuDriverState,
  obj: QemuDomainObj,
  params: TypedParams,
  flags: number,
): Promise<void> {
  checkFlags(flags, SAVE_FLAGS, "qemuDomainSaveParams", "QEMU");
  const { file, dxml } = saveParamsOf(params);
  if (file === undefined) await managedSave(s, obj, flags, dxml);
  else await saveDomain(s, obj, file, dxml, flags);
}

/**
 * `qemuDomainRestoreParams`: a restore from `file`, which is required.
 *
 * @example
 * ```ts
 * import { restoreParams } from "./state_save_params.ts";
 * declare const state: import("../driver_state.ts").QemuDriverState;
 * await restoreParams(state, { file: "/var/tmp/vm.save" }, 0);
 * ```
 */
export async function restoreParams(
  s: QemuDriverState,
  params: TypedParams,
  flags: number,
): Promise<void> {
  const { file, dxml } = saveParamsOf(params);
  if (file === undefined) {
    throw VirError.report("QEMU", "INVALID_ARG", "missing path to restore from");
  }
  await restoreDomain(s, file, dxml, flags);
}
