/**
 * A `qemu:///session` connection over a fresh state directory for one test, closed and removed
 * afterwards whatever happens.
 *
 * @module
 */
import { qemuConnectDriver } from "../../../drivers/qemu/mod.ts";
import type { QemuLauncher } from "../../../drivers/qemu/process/mod.ts";
import type { DriverConnection } from "../../../util/driver.ts";
import type { CgroupMounts } from "../../../util/cgroup/mod.ts";

/**
 * Runs `fn` with a connection whose QEMUs `launcher` starts, in a temporary state directory
 * (`dir`, also free for the test's own files).
 *
 * @example
 * ```ts ignore
 * await withQemuConn({ launcher: new FakeLauncher() }, async (conn) => {
 *   await conn.nodeGetInfo!();
 * });
 * ```
 */
export async function withQemuConn(
  options: {
    launcher: QemuLauncher;
    unplugTimeoutMs?: number;
    cgroups?: CgroupMounts;
    binaryDirs?: string[];
    /** `qemu:///session` unless told. */
    uri?: string;
  },
  fn: (conn: DriverConnection, dir: string) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "ev-qemu-" });
  const { uri = "qemu:///session", ...rest } = options;
  const conn = await qemuConnectDriver.open(new URL(uri), {
    stateDir: dir,
    ...rest,
  }) as DriverConnection;
  try {
    await fn(conn, dir);
  } finally {
    await conn.connectClose();
    await Deno.remove(dir, { recursive: true });
  }
}
