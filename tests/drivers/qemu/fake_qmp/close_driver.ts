/**
 * The end of a test's QEMU driver connection: every domain it still runs destroyed, the
 * connection closed and its state folder removed.
 *
 * @module
 */
import type { DriverConnection } from "../../../../util/driver.ts";

/**
 * Destroys what `conn` runs, closes it and removes `dir`.
 *
 * @example
 * ```ts ignore
 * await closeDriver(conn, dir);
 * ```
 */
export async function closeDriver(conn: DriverConnection, dir: string): Promise<void> {
  for (const ref of await conn.connectListAllDomains!(0)) {
    await conn.domainDestroyFlags!(ref, 0).catch(() => {});
  }
  await conn.connectClose();
  await Deno.remove(dir, { recursive: true });
}
