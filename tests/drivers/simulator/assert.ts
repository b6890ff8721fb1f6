/**
 * The two assertions these tests need, kept local because JSR (std/assert) is unreachable.
 *
 * @module
 */

/**
 * Deep equality through JSON, enough for the plain data the driver returns.
 *
 * @example
 * ```ts
 * import { assertEquals } from "./assert.ts";
 * assertEquals([1, { a: 2 }], [1, { a: 2 }]);
 * ```
 */
export function assertEquals(actual: unknown, expected: unknown): void {
  const a = JSON.stringify(actual), e = JSON.stringify(expected);
  if (a !== e) throw new Error(`expected ${e}\n     got ${a}`);
}

/**
 * Awaits a promise that must reject with an instance of `type`; returns the error.
 *
 * @example
 * ```ts
 * import { assertRejects } from "./assert.ts";
 * await assertRejects(() => Promise.reject(new TypeError("x")), TypeError);
 * ```
 */
export async function assertRejects<E extends Error>(
  fn: () => Promise<unknown>,
  type: new (...args: never[]) => E,
): Promise<E> {
  try {
    await fn();
  } catch (e) {
    if (e instanceof type) return e;
    throw new Error(`expected ${type.name}, got ${e}`);
  }
  throw new Error(`expected a rejection with ${type.name}`);
}
