/**
 * evsh's services from the host it runs on, beyond reading files: what virsh asks of the
 * system itself (`stat` of a disk source). `main.ts` binds them into the shell's IO.
 * @module
 */

/**
 * `stat(path)` and `S_ISBLK`: false when the path does not exist or is no block device.
 *
 * @example
 * ```ts
 * import { isBlockDevice } from "./host_io.ts";
 * await isBlockDevice("/nonexistent"); // false
 * ```
 */
export async function isBlockDevice(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isBlockDevice === true;
  } catch {
    return false;
  }
}
