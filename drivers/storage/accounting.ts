import type { PoolObj } from "../../conf/objects/storage_pool_obj.ts";

/**
 * Accounts `bytes` more (or, negative, fewer) of a volume's allocation in its pool's
 * allocation and available space, as libvirt's storage driver keeps them between refreshes.
 *
 * @example
 * ```ts ignore
 * account(pool, vol.allocation); // a volume was added
 * ```
 */
export function account(pool: PoolObj, bytes: number): void {
  pool.def.allocation += bytes;
  pool.def.available -= bytes;
}
