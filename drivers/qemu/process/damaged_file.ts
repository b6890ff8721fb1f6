/**
 * A state file the driver cannot use is kept aside, never deleted and never fatal: renamed to
 * `FILE.damaged-TIME` so an administrator can look at it, and no later start trips over it.
 *
 * @module
 */
import { strerror } from "../../../util/strerror.ts";

/**
 * Renames `path` to `path.damaged-<UTC time>` and reports it through `log`; returns the new
 * path (or undefined when even the rename failed, which is reported too).
 *
 * @example
 * ```ts
 * import { setAsideDamaged } from "./damaged_file.ts";
 * await setAsideDamaged("/tmp/run/vm.status.json", "invalid JSON", console.error);
 * ```
 */
export async function setAsideDamaged(
  path: string,
  why: string,
  log: (message: string) => void,
): Promise<string | undefined> {
  const aside = `${path}.damaged-${new Date().toISOString().replace(/[-:.]/g, "")}`;
  try {
    await Deno.rename(path, aside);
  } catch (err) {
    log(`damaged file '${path}' (${why}) could not be kept aside: ${strerror(err)}`);
    return undefined;
  }
  log(`damaged file '${path}' (${why}): kept as '${aside}'`);
  return aside;
}
