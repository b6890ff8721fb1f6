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
export async function writeFileAtomic(path: string, text: string): Promise<void> {
  const tmp = `${path}.tmp-${crypto.randomUUID()}`;
  try {
    await Deno.writeTextFile(tmp, text, { mode: 0o600 });
    await Deno.rename(tmp, path);
  } catch (err) {
    await Deno.remove(tmp).catch(() => {});
    throw err;
  }
}
