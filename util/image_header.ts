/**
 * What an image file's header says about it, as libvirt's `virStorageFileProbeFormatFromBuf`
 * and `virStorageFileProbeGetMetadata` read it: qcow2 (magic `QFI\xfb`) or raw, a qcow2's
 * virtual size, and the backing file it names with the backing format its header extension
 * records. Shared by the storage driver's volume probe and the QEMU driver's disk chains.
 *
 * @module
 */

/** What the first bytes of an image tell. */
export interface ImageHeader {
  /** `qcow2`, or `raw` for anything else. */
  format: "qcow2" | "raw";
  /** qcow2: the size the guest sees. */
  capacity?: number;
  /** qcow2: the backing file, absolute (a relative name is relative to the image's folder). */
  backing?: { path: string; format?: string };
}

const QCOW2_MAGIC = 0x514649fb;
const BACKING_FORMAT_EXT = 0xe2792aca;
const HEADER_BYTES = 64 * 1024;

/**
 * Reads and decodes the header of the image at `path`.
 *
 * @example
 * ```ts
 * import { readImageHeader } from "./image_header.ts";
 * const f = await Deno.makeTempFile();
 * (await readImageHeader(f)).format; // "raw"
 * ```
 */
export async function readImageHeader(path: string): Promise<ImageHeader> {
  return parseImageHeader(await readHead(path), path);
}

/**
 * Decodes `head`, the first bytes of the image at `path` (whose folder resolves a relative
 * backing name).
 *
 * @example
 * ```ts
 * import { parseImageHeader } from "./image_header.ts";
 * parseImageHeader(new Uint8Array(512), "/i/a.img").format; // "raw"
 * ```
 */
export function parseImageHeader(head: Uint8Array, path: string): ImageHeader {
  if (head.byteLength < 72) return { format: "raw" };
  const v = new DataView(head.buffer, head.byteOffset, head.byteLength);
  if (v.getUint32(0) !== QCOW2_MAGIC) return { format: "raw" };
  const version = v.getUint32(4);
  const out: ImageHeader = { format: "qcow2", capacity: Number(v.getBigUint64(24)) };
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
