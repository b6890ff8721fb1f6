/**
 * What the test driver's unit tests share: a fresh `test:///default` connection and the check
 * that a call fails with libvirt's exact error.
 *
 * @module
 */
import { assertEquals, assertRejects } from "./assert.ts";
import { VirError } from "../../../mod.ts";
import { openTestConnection } from "../../../drivers/simulator/mod.ts";
import type { DriverConnection } from "../../../util/driver.ts";

/** A test driver connection with every method present. */
export type Driver = Required<DriverConnection>;

/**
 * Awaits `p`, which must reject with a VirError of `code`, `domain` and `message`.
 *
 * @example
 * ```ts
 * import { expectError } from "./helpers.ts";
 * import { VirError } from "../../../mod.ts";
 * await expectError(Promise.reject(VirError.report("DOMAIN", "NO_DOMAIN", "x")), 42, 20, "Domain not found: x");
 * ```
 */
export async function expectError(
  p: Promise<unknown>,
  code: number,
  domain: number,
  message: string,
): Promise<void> {
  const e = await assertRejects(() => p, VirError);
  assertEquals([e.code, e.domain, e.message], [code, domain, message]);
}

/**
 * Runs `fn` on a new driver connection to `test:///default`, closed afterwards.
 *
 * @example
 * ```ts
 * import { withDefault } from "./helpers.ts";
 * await withDefault(async (d) => console.log(await d.connectGetURI()));
 * ```
 */
export async function withDefault(fn: (d: Driver) => Promise<void>): Promise<void> {
  const d = openTestConnection(new URL("test:///default"), {}) as Driver;
  try {
    await fn(d);
  } finally {
    await d.connectClose();
  }
}
