/**
 * The strerror(3) text of a failed Deno file operation, as libvirt's `virReportSystemError`
 * appends it to its messages.
 *
 * @module
 */

/**
 * `strerror(errno)` of the error Deno threw: its message without what Deno appends to it
 * (` (os error N)` and the call with its path).
 *
 * @example
 * ```ts
 * import { strerror } from "./strerror.ts";
 * strerror(new Deno.errors.NotFound("x")); // "No such file or directory"
 * ```
 */
export function strerror(e: unknown): string {
  if (e instanceof Deno.errors.NotFound) return "No such file or directory";
  if (e instanceof Deno.errors.PermissionDenied) return "Permission denied";
  return e instanceof Error ? e.message.replace(/ \(os error \d+\)[^]*$/, "") : String(e);
}
