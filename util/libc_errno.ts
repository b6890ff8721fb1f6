/**
 * errno after a failed libc call made through Deno's FFI, with its strerror(3) text, as
 * libvirt's `virReportSystemError` appends it to its messages.
 *
 * @module
 */

/** The libc symbols {@link errnoText} needs: add them to a `Deno.dlopen` symbol set. */
export const ERRNO_SYMBOLS = {
  __errno_location: { parameters: [], result: "pointer" },
  strerror: { parameters: ["i32"], result: "pointer" },
} as const;

/** What {@link errnoText} calls: the symbols of a library opened with {@link ERRNO_SYMBOLS}. */
export interface ErrnoSymbols {
  __errno_location(): Deno.PointerValue;
  strerror(errno: number): Deno.PointerValue;
}

/**
 * The calling thread's errno and its text, read right after the failed call.
 *
 * @example
 * ```ts ignore
 * import { ERRNO_SYMBOLS, errnoText } from "./libc_errno.ts";
 * const libc = Deno.dlopen("libc.so.6", {
 *   ...ERRNO_SYMBOLS,
 *   close: { parameters: ["i32"], result: "i32" },
 * });
 * if (libc.symbols.close(-1) < 0) errnoText(libc.symbols); // [9, "Bad file descriptor"]
 * ```
 */
export function errnoText(symbols: ErrnoSymbols): [number, string] {
  const at = symbols.__errno_location();
  const errno = at ? new Deno.UnsafePointerView(at).getInt32() : 0;
  const text = symbols.strerror(errno);
  return [errno, text ? Deno.UnsafePointerView.getCString(text) : `errno ${errno}`];
}
