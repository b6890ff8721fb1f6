/**
 * System errors about a file a driver reached on its own, from a definition rather than from a
 * path its caller passed (a disk's image at a start, a hot-plug or a media change; a volume's
 * path; a kernel or firmware QEMU could not open): libvirt reports them as the failed open's
 * errno, which says the host is broken, but the file is what the caller's definition named, so
 * the gateway answers them as it answers a file the caller named (`gateway/http_status.ts`).
 * The driver marks the error where it makes it; the mark lives with the error object. Where
 * libvirt's words carry no errno (QEMU's "could not load PC BIOS '/x'"), the driver gives the
 * errno it found itself.
 *
 * @example
 * ```ts
 * import { isReachedFileError, reachedFile } from "./reached_file.ts";
 * import { VirError } from "./errors.ts";
 * const e = reachedFile(VirError.report("STORAGE", "SYSTEM_ERROR", "Cannot access storage file '/a.img': No such file or directory"));
 * isReachedFileError(e); // true
 * ```
 * @module
 */
import type { VirError } from "./errors.ts";

/** Marked errors, with the strerror(3) text of the ones whose message ends in none. */
const REACHED = new WeakMap<VirError, string | undefined>();

/**
 * Marks `e` as about a file a definition named, `errno` its strerror(3) text when the
 * message does not end with it; returns it.
 */
export function reachedFile<E extends VirError>(e: E, errno?: string): E {
  REACHED.set(e, errno);
  return e;
}

/** Whether {@link reachedFile} marked `e`. */
export function isReachedFileError(e: VirError): boolean {
  return REACHED.has(e);
}

/**
 * The strerror(3) text of a marked error: the one it was marked with, else the end of its
 * message (after the last ": "); undefined for an unmarked error.
 *
 * @example
 * ```ts
 * import { reachedFile, reachedFileErrno } from "./reached_file.ts";
 * import { VirError } from "./errors.ts";
 * const e = reachedFile(VirError.report("QEMU", "INTERNAL_ERROR", "could not load PC BIOS '/b'"), "No such file or directory");
 * reachedFileErrno(e); // "No such file or directory"
 * ```
 */
export function reachedFileErrno(e: VirError): string | undefined {
  if (!REACHED.has(e)) return undefined;
  return REACHED.get(e) ?? e.message.slice(e.message.lastIndexOf(": ") + 2);
}
