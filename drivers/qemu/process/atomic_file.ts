/**
 * Crash-safe file replacement: a reader sees the old or the new content, never a mix.
 *
 * @module
 */

/**
 * Writes `text` to a temporary file beside `path`, then renames it over `path`.
 *
 * @example
 * ```ts
 * import { writeFileAtomic } from "./atomic_file.ts";
 * await writeFileAtomic("/tmp/vm.xml", "<domain/>");
 * ```
 */
export function writeFileAtomic(path: string, text: string): Promise<void> {
  const tmp = `${path}.tmp-${crypto.randomUUID()}`;
  // Synchronous calls: for a few KiB they cost less than the hops of async file ops, and a
  // status save sits on the path of every live change (a vCPU hotplug waits for it).
  try {
    Deno.writeTextFileSync(tmp, text, { mode: 0o600 });
    Deno.renameSync(tmp, path);
    return Promise.resolve();
  } catch (err) {
    try {
      Deno.removeSync(tmp);
    } catch {
      // Never created: nothing to clean up.
    }
    return Promise.reject(err);
  }
}
