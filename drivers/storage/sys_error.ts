/**
 * libvirt's `virReportSystemError`: the message, then the C library's text for the failure
 * (`strerror`), as `VIR_ERR_SYSTEM_ERROR` of the storage domain, or of `NONE` for what
 * libvirt's util/ helpers report (`virDirOpen`).
 *
 * @module
 */
import { VirError } from "../../util/errors.ts";
import { strerror } from "../../util/strerror.ts";

/**
 * The error for a failed file operation: `"cannot open directory '/x': No such file or
 * directory"`.
 *
 * @example
 * ```ts
 * import { systemError } from "./sys_error.ts";
 * systemError("cannot unlink file '/x'", new Deno.errors.NotFound("No such file or directory (os error 2)")).message;
 * ```
 */
export function systemError(message: string, cause: unknown, domain = "STORAGE"): VirError {
  return VirError.bare(domain, "SYSTEM_ERROR", `${message}: ${strerror(cause)}`);
}
