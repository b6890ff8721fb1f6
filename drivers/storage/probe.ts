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

const QCOW2_MAGIC = 0x514649fb;
const BACKING_FORMAT_EXT = 0xe2792aca;
const HEADER_BYTES = 64 * 1024;

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
  const head = await readHead(path);
  if (head.byteLength < 72) return { format: "raw", ...base };
  const v = new DataView(head.buffer, head.byteOffset, head.byteLength);
  if (v.getUint32(0) !== QCOW2_MAGIC) return { format: "raw", ...base };
  const version = v.getUint32(4);
  const out: ProbedFile = { ...base, format: "qcow2", capacity: Number(v.getBigUint64(24)) };
  const backingOffset = Number(v.getBigUint64(8));
  const backingSize = v.getUint32(16);
  if (backingOffset && backingOffset + backingSize <= head.byteLength) {
    const name = new TextDecoder().decode(
      head.subarray(backingOffset, backingOffset + backingSize),
    );
    const dir = path.slice(0, path.lastIndexOf("/"));
    out.backing = {
      path: name.startsWith("/") ? name : `${dir}/${name}`,
      format: backingFormat(v, version),
    };
  }
  return out;
}

/** The backing format header extension of a qcow2 (after the header). */
function backingFormat(v: DataView, version: number): string | undefined {
  let at = version >= 3 ? v.getUint32(100) : 72;
  while (at + 8 <= v.byteLength) {
    const type = v.getUint32(at);
    const len = v.getUint32(at + 4);
    if (type === 0) return undefined;
    if (type === BACKING_FORMAT_EXT && at + 8 + len <= v.byteLength) {
      return new TextDecoder().decode(
        new Uint8Array(v.buffer, v.byteOffset + at + 8, len),
      );
    }
    at += 8 + Math.ceil(len / 8) * 8;
  }
  return undefined;
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

async function readHead(path: string): Promise<Uint8Array> {
  using file = await Deno.open(path, { read: true });
  const buf = new Uint8Array(HEADER_BYTES);
  let n = 0;
  while (n < buf.length) {
    const got = await file.read(buf.subarray(n));
    if (got === null) break;
    n += got;
  }
  return buf.subarray(0, n);
}
