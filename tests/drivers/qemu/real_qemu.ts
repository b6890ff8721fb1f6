/**
 * What the tests against a real QEMU share: the emulator they need, and the rule that without it
 * a test is ignored on a developer machine but FAILS in CI (CI set), so a missing emulator never
 * passes silently.
 *
 * @module
 */
import assert from "node:assert/strict";

/** The emulator the real-QEMU tests run. */
export const EMULATOR = "/usr/bin/qemu-system-x86_64";

/** Whether {@link EMULATOR} is installed. */
export const haveQemu: boolean = (() => {
  try {
    return Deno.statSync(EMULATOR).isFile;
  } catch {
    return false;
  }
})();

/**
 * Registers a test that needs {@link EMULATOR}: ignored without it unless CI is set, where it
 * fails instead.
 *
 * @example
 * ```ts ignore
 * realQemuTest({ name: "real QEMU: starts", fn: async () => {} });
 * ```
 */
export function realQemuTest(
  def: {
    name: string;
    fn: () => Promise<void>;
    sanitizeResources?: boolean;
    sanitizeOps?: boolean;
  },
): void {
  Deno.test({
    ...def,
    ignore: !haveQemu && !Deno.env.get("CI"),
    fn: async () => {
      assert.ok(haveQemu, `${EMULATOR} is required in CI`);
      await def.fn();
    },
  });
}
