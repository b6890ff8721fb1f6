/**
 * A UEFI domain's variable store on the host: made from its template at a start when missing
 * or reset (qemuPrepareNVRAM), and kept or removed with the domain's definition
 * (qemuDomainUndefineFlags).
 *
 * @example
 * ```ts
 * import { prepareNvram } from "./nvram.ts";
 * declare const def: import("../../conf/domain/def.ts").DomainDef;
 * await prepareNvram(def, false);
 * ```
 * @module
 */
import type { DomainDef } from "../../conf/domain/def.ts";
import { VIR } from "../../util/constants.ts";
import { VirError } from "../../util/errors.ts";
import { reachedFile } from "../../util/reached_file.ts";
import { strerror } from "../../util/strerror.ts";
import { defaultNvramPath, isLocalNvram, loaderOf } from "./loader.ts";
import { writeFileAtomic } from "./process/atomic_file.ts";

/**
 * virFileExists.
 *
 * @example
 * ```ts
 * import { fileExists } from "./nvram.ts";
 * await fileExists("/var/lib/libvirt/qemu/nvram/vm_VARS.fd"); // false
 * ```
 */
export const fileExists = (path: string): Promise<boolean> =>
  Deno.stat(path).then(() => true, () => false);

/**
 * qemuPrepareNVRAM: a local store that is missing (or to be `reset`) becomes a copy of its
 * template, written whole or not at all, readable by its owner only; without a template it
 * cannot be made (edgevirt has no qemu.conf `nvram` list to find one in).
 *
 * @example
 * ```ts
 * import { prepareNvram } from "./nvram.ts";
 * declare const def: import("../../conf/domain/def.ts").DomainDef;
 * await prepareNvram(def, true); // the store is the template again
 * ```
 */
export async function prepareNvram(def: DomainDef, reset: boolean): Promise<void> {
  const loader = loaderOf(def);
  const nvram = loader?.nvram;
  if (!nvram?.path || !isLocalNvram(nvram)) return;
  if (!reset && (await fileExists(nvram.path))) return;
  const template = nvram.template;
  if (!template) {
    throw VirError.report(
      "QEMU",
      "OPERATION_FAILED",
      `unable to find any master var store for loader: ${loader!.path}`,
    );
  }
  const data = await Deno.readFile(template).catch((err) => {
    throw reachedFile(
      VirError.report(
        "QEMU",
        "SYSTEM_ERROR",
        `Failed to open file '${template}': ${strerror(err)}`,
      ),
    );
  });
  await writeFileAtomic(nvram.path, data);
}

/**
 * The store an undefine looks at: the definition's local one, else the default path of a
 * domain with `firmware='efi'`.
 */
function undefinedNvram(def: DomainDef, nvramDir: string): string | undefined {
  const nvram = loaderOf(def)?.nvram;
  if (nvram?.path && isLocalNvram(nvram)) return nvram.path;
  return def.os.firmware === "efi" ? defaultNvramPath(nvramDir, def.name) : undefined;
}

/**
 * The flag pairs qemuDomainUndefineFlags refuses before anything else.
 *
 * @example
 * ```ts
 * import { checkUndefineFlags } from "./nvram.ts";
 * checkUndefineFlags(4 | 8); // throws "cannot both keep and delete nvram"
 * ```
 */
export function checkUndefineFlags(flags: number): void {
  const both = (keep: number, drop: number, what: string) => {
    if ((flags & keep) && (flags & drop)) {
      throw VirError.report("QEMU", "OPERATION_INVALID", `cannot both keep and delete ${what}`);
    }
  };
  both(VIR.DOMAIN_UNDEFINE_KEEP_NVRAM, VIR.DOMAIN_UNDEFINE_NVRAM, "nvram");
  both(VIR.DOMAIN_UNDEFINE_KEEP_TPM, VIR.DOMAIN_UNDEFINE_TPM, "TPM");
}

/**
 * qemuDomainUndefineFlags on the store: an existing one is removed with
 * `VIR_DOMAIN_UNDEFINE_NVRAM`, kept with `KEEP_NVRAM`, and without either the undefine is
 * refused, so no variable store is left behind or lost silently.
 *
 * @example
 * ```ts
 * import { undefineNvram } from "./nvram.ts";
 * declare const def: import("../../conf/domain/def.ts").DomainDef;
 * await undefineNvram(def, "/home/u/.config/edgevirt/qemu/nvram", 0);
 * // throws "Requested operation is not valid: cannot undefine domain with nvram" when it exists
 * ```
 */
export async function undefineNvram(
  def: DomainDef,
  nvramDir: string,
  flags: number,
): Promise<void> {
  const path = undefinedNvram(def, nvramDir);
  if (!path || !(await fileExists(path))) return;
  if (flags & VIR.DOMAIN_UNDEFINE_NVRAM) {
    await Deno.remove(path).catch((err) => {
      throw VirError.report(
        "QEMU",
        "SYSTEM_ERROR",
        `failed to remove nvram: ${path}: ${strerror(err)}`,
      );
    });
  } else if (!(flags & VIR.DOMAIN_UNDEFINE_KEEP_NVRAM)) {
    throw VirError.report("QEMU", "OPERATION_INVALID", "cannot undefine domain with nvram");
  }
}
