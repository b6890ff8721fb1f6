/**
 * What libvirt's `storageBackendProbeTarget` learns about a file in a pool: its format from
 * the header (qcow2 magic `QFI\xfb`, else raw, never from the file name), capacity (the
 * virtual size of a qcow2, the file size of a raw file), allocation (blocks on disk) and
 * physical size, and the backing file of a qcow2.
 *
 * @module
 */
import type { StoragePerms } from "../../conf/storage_pool/mod.ts";
import type { VolTimestamps } from "../../conf/storage_vol/mod.ts";
import { readImageHeader } from "../../util/image_header.ts";

/** A probed volume file. */
export interface ProbedFile {
  /** `raw`, `qcow2` or `dir`. */
  format: string;
  /** Bytes the guest sees. */
  capacity: number;
  /** Bytes allocated on disk. */
  allocation: number;
  /** The file's size. */
  physical: number;
  /** The file's mode, owner and group. */
  permissions: StoragePerms;
  /** Access, modification and change times with nanoseconds (birth time: libvirt's 0). */
  timestamps?: VolTimestamps;
  /** qcow2: the backing file (absolute) and its format, when it names one. */
  backing?: { path: string; format?: string };
}

/**
 * Probes `path` (its times from `times` when a refresh fetched them for many files); undefined
 * for what a pool ignores (not a regular file or directory, or gone),
 * as libvirt's refresh skips them.
 *
 * @example
 * ```ts
 * import { probeFile } from "./probe.ts";
 * const f = await Deno.makeTempFile();
 * await Deno.truncate(f, 4096);
 * (await probeFile(f))?.format; // "raw"
 * ```
 */
export async function probeFile(
  path: string,
  times?: Map<string, VolTimestamps>,
): Promise<ProbedFile | undefined> {
  let st: Deno.FileInfo;
  try {
    st = await Deno.stat(path);
  } catch {
    return undefined;
  }
  const permissions: StoragePerms = {
    mode: (st.mode ?? 0) & 0o777,
    owner: st.uid ?? undefined,
    group: st.gid ?? undefined,
  };
  if (!st.isDirectory && !st.isFile) return undefined;
  const base = {
    capacity: st.size,
    allocation: (st.blocks ?? 0) * 512,
    physical: st.size,
    permissions,
    timestamps: times?.get(path) ?? (await fileTimes([path])).get(path),
  };
  // libvirt sizes only regular files: a directory volume is 0 bytes.
  if (st.isDirectory) return { ...base, format: "dir", capacity: 0, allocation: 0, physical: 0 };
  const header = await readImageHeader(path);
  if (header.format === "raw") return { format: "raw", ...base };
  return {
    ...base,
    format: "qcow2",
    capacity: header.capacity ?? 0,
    ...(header.backing ? { backing: header.backing } : {}),
  };
}

/**
 * `virStorageVolTimestampFormat` of the times of `paths` (`SECONDS[.NANOSECONDS]`, birth time
 * 0), by path, from one `stat` run per thousand files; a file that vanished has none.
 *
 * @example
 * ```ts
 * import { fileTimes } from "./probe.ts";
 * const f = await Deno.makeTempFile();
 * (await fileTimes([f])).get(f)?.btime; // "0"
 * ```
 */
export async function fileTimes(paths: string[]): Promise<Map<string, VolTimestamps>> {
  const out = new Map<string, VolTimestamps>();
  for (let i = 0; i < paths.length; i += 1000) {
    const { stdout } = await new Deno.Command("stat", {
      args: ["--printf", "%.9X %.9Y %.9Z %n\n", "--", ...paths.slice(i, i + 1000)],
      stdout: "piped",
      stderr: "null",
    }).output();
    for (const line of new TextDecoder().decode(stdout).split("\n")) {
      const m = /^(\S+) (\S+) (\S+) (.*)$/.exec(line);
      if (!m) continue;
      const [atime, mtime, ctime] = [m[1], m[2], m[3]].map((t) => t.replace(/\.0{9}$/, ""));
      out.set(m[4], { atime, mtime, ctime, btime: "0" });
    }
  }
  return out;
}
