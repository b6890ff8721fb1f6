/**
 * What the storage and secret driver tests share: a temporary embed root removed afterwards,
 * a secondary driver opened on it, and libvirt error assertions.
 *
 * @module
 */
import assert from "node:assert/strict";
import type { SecondaryConnection, SecondaryDriver } from "../../util/contract/compose.ts";
import { VirError } from "../../util/errors.ts";

/**
 * The VirError `p` rejects with (anything else fails the test).
 *
 * @example
 * ```ts
 * import { failure } from "./secondary_helpers.ts";
 * import { VirError } from "../../util/errors.ts";
 * await failure(Promise.reject(VirError.report("STORAGE", "NO_STORAGE_POOL")));
 * ```
 */
export async function failure(p: Promise<unknown>): Promise<VirError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof VirError, String(e));
    return e;
  }
  throw new Error("expected a VirError");
}

/**
 * An assertion that a promise rejects with libvirt's error of `domain`: code and message.
 *
 * @example
 * ```ts
 * import { errorsOf } from "./secondary_helpers.ts";
 * import { VirError } from "../../util/errors.ts";
 * import { VIR } from "../../util/constants.ts";
 * const rejectsWith = errorsOf(VIR.FROM_STORAGE);
 * await rejectsWith(
 *   Promise.reject(VirError.report("STORAGE", "NO_STORAGE_POOL")),
 *   VIR.ERR_NO_STORAGE_POOL,
 *   "Storage pool not found",
 * );
 * ```
 */
export function errorsOf(
  domain: number,
): (p: Promise<unknown>, code: number, message: string) => Promise<void> {
  return async (p, code, message) => {
    const e = await failure(p);
    assert.deepEqual([e.code, e.domain, e.message], [code, domain, message]);
  };
}

/**
 * Runs `body` with a fresh temporary directory (an embed root), removed afterwards.
 *
 * @example
 * ```ts
 * import { withRoot } from "./secondary_helpers.ts";
 * await withRoot(async (root) => console.log(root));
 * ```
 */
export async function withRoot(body: (root: string) => Promise<void>): Promise<void> {
  const root = await Deno.makeTempDir();
  try {
    await body(root);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

/**
 * Runs `body` with `driver` opened on a fresh `qemu:///embed?root=TMP`, closed afterwards.
 *
 * @example
 * ```ts
 * import { withSecondary } from "./secondary_helpers.ts";
 * import { secretDriver } from "../../drivers/secret/mod.ts";
 * await withSecondary(secretDriver, async (conn) => console.log(await conn.connectNumOfSecrets?.()));
 * ```
 */
export async function withSecondary(
  driver: SecondaryDriver,
  body: (conn: SecondaryConnection, root: string) => Promise<void>,
): Promise<void> {
  await withRoot(async (root) => {
    const conn = await driver.open(new URL(`qemu:///embed?root=${root}`), {});
    try {
      await body(conn, root);
    } finally {
      await conn.connectClose();
    }
  });
}
