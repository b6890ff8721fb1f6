/**
 * Firmware autoselection (`<os firmware='efi'|'bios'>`, and a read-only pflash loader whose
 * variable store and template are both missing) as libvirt's qemuFirmwareFillDomain starts it:
 * by QEMU's firmware descriptors (the files of `firmware/` under `/usr/share/qemu`, `/etc/qemu`
 * and, for a session driver, `$XDG_CONFIG_HOME/qemu`). Where no descriptor exists, libvirt's answers
 * are exact: autoselection fails with "Unable to find any firmware to satisfy 'efi'", the old
 * style loader goes on to its NVRAM preparation. Matching descriptors is not built: a start that
 * would need it is refused rather than booted on a firmware the definition did not ask for.
 *
 * @example
 * ```ts
 * import { fillFirmware } from "./firmware_select.ts";
 * declare const def: import("../../conf/domain/def.ts").DomainDef;
 * await fillFirmware(def, { privileged: false, reset: false });
 * ```
 * @module
 */
import type { DomainDef } from "../../conf/domain/def.ts";
import { VirError } from "../../util/errors.ts";
import { isLocalNvram, isReadonlyPflash, loaderOf } from "./loader.ts";
import { fileExists } from "./nvram.ts";
import { unsupported } from "./command/unsupported.ts";

/**
 * The folders libvirt reads firmware descriptors from (qemuInteropFetchConfigs), the least
 * specific first: QEMU's data folder, the host's configuration, and for a session driver the
 * user's own.
 *
 * @example
 * ```ts
 * import { descriptorDirs } from "./firmware_select.ts";
 * descriptorDirs(true); // ["/usr/share/qemu/firmware", "/etc/qemu/firmware"]
 * ```
 */
export function descriptorDirs(privileged: boolean): string[] {
  const home = Deno.env.get("HOME") ?? "/";
  const config = Deno.env.get("XDG_CONFIG_HOME") || `${home}/.config`;
  return [
    "/usr/share/qemu/firmware",
    "/etc/qemu/firmware",
    ...(privileged ? [] : [`${config}/qemu/firmware`]),
  ];
}

/**
 * The descriptors in effect, as qemuInteropFetchConfigs finds them: each file name once, from
 * the most specific folder that has it (an empty file there masks the others), dot files and
 * what is not a file left out, a folder that is not there having none.
 */
async function descriptors(dirs: readonly string[]): Promise<string[]> {
  const byName = new Map<string, string>();
  for (const dir of dirs) {
    try {
      for await (const e of Deno.readDir(dir)) {
        const path = `${dir}/${e.name}`;
        if (e.name.startsWith(".") || !(await Deno.stat(path)).isFile) continue;
        byName.set(e.name, path);
      }
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound || err instanceof Deno.errors.NotADirectory)) {
        throw err;
      }
    }
  }
  const found: string[] = [];
  for (const name of [...byName.keys()].sort()) {
    const path = byName.get(name)!;
    if ((await Deno.stat(path)).size > 0) found.push(path);
  }
  return found;
}

/** How the start asks for a firmware. */
export interface FirmwareFillOptions {
  /** A system driver, which ignores the user's descriptors. */
  privileged: boolean;
  /** `VIR_DOMAIN_START_RESET_NVRAM`. */
  reset: boolean;
  /** Where descriptors are looked for (default {@link descriptorDirs}). */
  dirs?: readonly string[];
}

/**
 * qemuFirmwareFillDomain at a fresh start: refuses autoselection when no descriptor satisfies
 * it (none exists), and any start that would need a descriptor's answer when some exist.
 *
 * @example
 * ```ts
 * import { fillFirmware } from "./firmware_select.ts";
 * declare const def: import("../../conf/domain/def.ts").DomainDef;
 * await fillFirmware(def, { privileged: false, reset: false, dirs: [] });
 * // rejects "operation failed: Unable to find any firmware to satisfy 'efi'" for firmware='efi'
 * ```
 */
export async function fillFirmware(def: DomainDef, opts: FirmwareFillOptions): Promise<void> {
  const loader = loaderOf(def);
  const firmware = def.os.firmware;
  if (!firmware) {
    // The old style read-only UEFI without a template: descriptors may name its template,
    // unless its store is already there (and is not to be reset).
    if (!isReadonlyPflash(loader) || loader.template) return;
    const nvram = loader.nvram;
    if (nvram && !isLocalNvram(nvram)) {
      if (opts.reset) {
        throw VirError.report(
          "QEMU",
          "OPERATION_UNSUPPORTED",
          "resetting of nvram is not supported with network backed nvram",
        );
      }
      return;
    }
    if (nvram?.path && !opts.reset && (await fileExists(nvram.path))) return;
  }
  const found = await descriptors(opts.dirs ?? descriptorDirs(opts.privileged));
  if (found.length) {
    throw unsupported(
      `firmware selection by QEMU's firmware descriptors (${
        found[0]
      }) is not supported by edgevirt`,
    );
  }
  if (firmware) {
    throw VirError.report(
      "QEMU",
      "OPERATION_FAILED",
      `Unable to find any firmware to satisfy '${firmware}'`,
    );
  }
}
