/**
 * The test driver computes every answer synchronously (it is an in-memory mock), while the
 * driver contract is asynchronous. Tables are written as plain functions and lifted here, so a
 * thrown `VirError` becomes a rejected promise exactly like a failing asynchronous driver.
 *
 * @module
 */
import type { DriverConnection } from "../../util/driver.ts";

type Method<K extends keyof DriverConnection> = NonNullable<DriverConnection[K]>;

/** A driver table whose methods return their results directly. */
export type SyncTable = {
  [K in keyof DriverConnection]?: Method<K> extends (...args: infer A) => Promise<infer R>
    ? (...args: A) => R
    : never;
};

/**
 * Lifts a synchronous table into driver methods.
 *
 * @example
 * ```ts
 * import { lift } from "./sync_table.ts";
 * const methods = lift({ connectGetVersion: () => 2 });
 * console.log(await methods.connectGetVersion!()); // 2
 * ```
 */
export function lift(table: SyncTable): Partial<DriverConnection> {
  const out: Record<string, (...args: unknown[]) => Promise<unknown>> = {};
  for (const [name, fn] of Object.entries(table)) {
    const f = fn as (...args: unknown[]) => unknown;
    out[name] = (...args) => {
      try {
        return Promise.resolve(f(...args));
      } catch (e) {
        return Promise.reject(e);
      }
    };
  }
  return out as Partial<DriverConnection>;
}
