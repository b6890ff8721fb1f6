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
import { runCommand } from "./host_fs.ts";

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
  timestamps: VolTimestamps;
  /** qcow2: the backing file (absolute) and its format, when it names one. */
  backing?: { path: string; format?: string };
}

const QCOW2_MAGIC = 0x514649fb;
const BACKING_FORMAT_EXT = 0xe2792aca;
const HEADER_BYTES = 64 * 1024;

/**
 * Probes `path`; undefined for what a pool ignores (not a regular file or directory, or gone),
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
export async function probeFile(path: string): Promise<ProbedFile | undefined> {
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
    timestamps: await timestamps(path),
  };
  if (st.isDirectory) return { format: "dir", ...base };
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

/** `virStorageVolTimestampFormat` of the file's times: `SECONDS[.NANOSECONDS]`. */
async function timestamps(path: string): Promise<VolTimestamps> {
  const out = await runCommand("stat", ["-c", "%.9X %.9Y %.9Z", path]);
  const [atime, mtime, ctime] = out.trim().split(" ").map((t) => t.replace(/\.0{9}$/, ""));
  return { atime, mtime, ctime, btime: "0" };
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
