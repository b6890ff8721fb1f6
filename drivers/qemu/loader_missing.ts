/**
 * A ROM loader QEMU could not load: libvirt passes QEMU's own words on ("qemu: could not load
 * PC BIOS '/x'"), which name the file but no errno; the driver finds the errno by opening the
 * file itself, so the error is answered as a file the definition named (`reachedFile`). A ROM
 * that opens (QEMU refused its size) stays QEMU's internal error.
 *
 * @example
 * ```ts
 * import { markMissingRom } from "./loader_missing.ts";
 * declare const def: import("../../conf/domain/def.ts").DomainDef;
 * declare const err: import("./process/launcher.ts").QemuExitedError;
 * throw await markMissingRom(def, err);
 * ```
 * @module
 */
import type { DomainDef } from "../../conf/domain/def.ts";
import type { VirError } from "../../util/errors.ts";
import { reachedFile } from "../../util/reached_file.ts";
import { strerror } from "../../util/strerror.ts";
import { loaderOf } from "./loader.ts";

/** QEMU 7.2's words for a `-bios` it could not load (pc_system_firmware_init). */
const BIOS_FAILURE = /could not load PC BIOS '([^']*)'/;

/** `err`, marked as about the domain's ROM loader when that file cannot be opened. */
export async function markMissingRom<E extends VirError>(def: DomainDef, err: E): Promise<E> {
  const loader = loaderOf(def);
  const path = loader?.type === "rom" ? loader.path : undefined;
  if (!path || BIOS_FAILURE.exec(err.message)?.[1] !== path) return err;
  const errno = await Deno.open(path).then((f) => f.close(), strerror);
  return errno ? reachedFile(err, errno) : err;
}
