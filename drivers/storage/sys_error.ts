/**
 * libvirt's `virReportSystemError`: the message, then the C library's text for the failure
 * (`strerror`), as `VIR_ERR_SYSTEM_ERROR` of the storage domain, or of `NONE` for what
 * libvirt's util/ helpers report (`virDirOpen`).
 *
 * @module
 */
import { VirError } from "../../util/errors.ts";

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
  const text = cause instanceof Error ? cause.message : String(cause);
  const strerror = text.replace(/ \(os error \d+\).*$/s, "");
  return VirError.bare(domain, "SYSTEM_ERROR", `${message}: ${strerror}`);
}
