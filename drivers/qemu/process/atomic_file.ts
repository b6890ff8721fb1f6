/**
 * Crash-safe file replacement (libvirt's `virFileRewrite`): a reader, or a driver restarted
 * after a crash or a power loss, sees the old or the new content, never a mix or a cut file.
 *
 * @module
 */
import { VirError } from "../../../util/errors.ts";
import { strerror } from "../../../util/strerror.ts";

/**
 * Writes `data` (text or bytes) to `path.new`, syncs it to disk, then renames it over `path`; failures are
 * libvirt's errors (`Failed to create file '….new': File name too long`, …) and leave `path`
 * as it was.
 *
 * @example
 * ```ts
 * import { writeFileAtomic } from "./atomic_file.ts";
 * await writeFileAtomic("/tmp/vm.xml", "<domain/>");
 * ```
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const tmp = `${path}.new`;
  // Synchronous calls: for a few KiB they cost less than the hops of async file ops, a status
  // save sits on the path of every live change (a vCPU hotplug waits for it), and no other
  // write to the same `.new` can slip in between.
  const fail = (what: string, err: unknown, name = tmp) =>
    VirError.report("NONE", "SYSTEM_ERROR", `${what} '${name}': ${strerror(err)}`);
  let file: Deno.FsFile;
  try {
    file = Deno.openSync(tmp, { write: true, create: true, truncate: true, mode: 0o600 });
  } catch (err) {
    return Promise.reject(fail("Failed to create file", err));
  }
  let error: VirError | undefined;
  try {
    const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
    for (let done = 0; done < bytes.length;) done += file.writeSync(bytes.subarray(done));
  } catch (err) {
    error = fail("cannot write data to file", err);
  }
  if (!error) {
    try {
      file.syncSync();
    } catch (err) {
      error = fail("cannot sync file", err);
    }
  }
  file.close();
  if (!error) {
    try {
      Deno.renameSync(tmp, path);
      return Promise.resolve();
    } catch (err) {
      error = VirError.report(
        "NONE",
        "SYSTEM_ERROR",
        `cannot rename file '${tmp}' as '${path}': ${strerror(err)}`,
      );
    }
  }
  try {
    Deno.removeSync(tmp);
  } catch {
    // Already gone: nothing to clean up.
  }
  return Promise.reject(error);
}
