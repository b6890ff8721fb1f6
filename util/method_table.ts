/**
 * Driver tables written with plain functions that may answer directly or with a promise: a
 * thrown `VirError` becomes a rejected promise, as from any asynchronous driver call.
 *
 * @module
 */
import type { DriverConnection } from "./driver.ts";

/** A driver table whose methods may return their results directly or as promises. */
export type MethodTable = {
  [K in keyof DriverConnection]?: NonNullable<DriverConnection[K]> extends
    (...args: infer A) => Promise<infer R> ? (...args: A) => R | Promise<R>
    : never;
};

/**
 * Turns a {@link MethodTable} into driver methods.
 *
 * @example
 * ```ts
 * import { methodTable } from "./method_table.ts";
 * const methods = methodTable({ connectNumOfSecrets: () => 0 });
 * console.log(await methods.connectNumOfSecrets!()); // 0
 * ```
 */
export function methodTable(table: MethodTable): Partial<DriverConnection> {
  const out: Record<string, (...args: unknown[]) => Promise<unknown>> = {};
  for (const [name, fn] of Object.entries(table)) {
    const f = fn as (...args: unknown[]) => unknown;
    out[name] = async (...args) => await f(...args);
  }
  return out as Partial<DriverConnection>;
}
