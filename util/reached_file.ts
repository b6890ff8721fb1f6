/**
 * System errors about a file a driver reached on its own, from a definition rather than from a
 * path its caller passed (a disk's image at a start, a hot-plug or a media change; a volume's
 * path; a kernel QEMU could not open): libvirt reports them as the failed open's errno, which
 * says the host is broken, but the file is what the caller's definition named, so the gateway
 * answers them as it answers a file the caller named (`gateway/http_status.ts`). The driver
 * marks the error where it makes it; the mark lives with the error object.
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

const REACHED = new WeakSet<VirError>();

/** Marks `e` as about a file a definition named; returns it. */
export function reachedFile<E extends VirError>(e: E): E {
  REACHED.add(e);
  return e;
}

/** Whether {@link reachedFile} marked `e`. */
export function isReachedFileError(e: VirError): boolean {
  return REACHED.has(e);
}
