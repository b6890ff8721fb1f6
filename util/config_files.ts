/**
 * What the host drivers that keep one XML file per object (storage pools, networks) do with
 * their directories: list the `.xml` files, test for a path (an autostart link), remove a file
 * that may be gone already.
 *
 * @module
 */

/**
 * The names of the `.xml` files in `dir`, sorted; none when `dir` does not exist.
 *
 * @example
 * ```ts
 * import { xmlFiles } from "./config_files.ts";
 * console.log(await xmlFiles("/nonexistent")); // []
 * ```
 */
export async function xmlFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  try {
    for await (const e of Deno.readDir(dir)) {
      if (e.isFile && e.name.endsWith(".xml")) out.push(e.name);
    }
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  return out.sort();
}

/**
 * Whether something (a file, a directory, a symlink even dangling) is at `path`.
 *
 * @example
 * ```ts
 * import { pathExists } from "./config_files.ts";
 * console.log(await pathExists("/")); // true
 * ```
 */
export async function pathExists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Removes a file; a missing one is fine.
 *
 * @example
 * ```ts
 * import { removeIfExists } from "./config_files.ts";
 * await removeIfExists("/nonexistent/x");
 * ```
 */
export async function removeIfExists(path: string): Promise<void> {
  try {
    await Deno.remove(path);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
}
