/**
 * The assertion the QEMU driver's tests make of libvirt errors: a call fails with a `VirError`
 * of this code and exactly this message.
 *
 * @module
 */
import assert from "node:assert/strict";
import { VirError } from "../../../util/errors.ts";

/**
 * Runs `call` (made only once `message` is known, so no rejection waits unhandled) and checks
 * its error.
 *
 * @example
 * ```ts ignore
 * await rejectsWith(() => conn.nodeGetCPUStats!(4096, 0), "VIR_ERR_INVALID_ARG", "Invalid cpuNum …");
 * ```
 */
export async function rejectsWith(
  call: () => Promise<unknown>,
  code: string,
  message: string,
): Promise<void> {
  await assert.rejects(call, (e: unknown) => {
    assert.ok(e instanceof VirError, String(e));
    assert.equal(e.codeName, code);
    assert.equal(e.message, message);
    return true;
  });
}
