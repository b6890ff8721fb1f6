/**
 * A file as a stream's pieces and back, as libvirt's `virFDStream` thread does it: reading, the
 * file's data and (sparse) its holes, found by the kernel's map; writing, a hole skipped and
 * the file truncated there (`lseek` + `ftruncate`), so nothing of it is written. Shared by the
 * storage driver's volume streams and evsh's `vol-upload`/`vol-download --sparse` (virsh's
 * `virshStreamInData` and `virshStreamSkip` do the same on the local file).
 *
 * @module
 */
import type { StreamPiece } from "./contract/types.ts";
import { VirError } from "./errors.ts";
import { type HoleMap, openHoleMap } from "./file_holes.ts";
import { strerror } from "./strerror.ts";

/**
 * The largest data piece read at once, and what writes are gathered into: a file operation is
 * an async op of its own (a thread hop), so each MiB costs one rather than sixteen.
 */
const CHUNK = 1024 * 1024;
/** A block device's "section": it is data throughout, read until the reads hit its end. */
const BLOCK_SECTION = 1024 * 1024;

/** Where the pieces come from: `file` (positioned at `offset`), at most `length` bytes (0: all). */
export interface PieceSource {
  file: Deno.FsFile;
  /** Its path, for the hole map and the error messages. */
  path: string;
  offset: number;
  length: number;
  /** Holes as holes; else everything is data. */
  sparse: boolean;
}

/**
 * The file's pieces from `offset` (virFDStreamThreadDoRead): data in pieces of at most 256 KiB
 * and, when sparse, each hole as one `{ hole }`, up to `length` bytes or the end; a regular
 * file's trailing hole is sent too. The file is closed at the end, on cancel and on failure.
 *
 * @example
 * ```ts ignore
 * import { filePieces } from "./sparse_file.ts";
 * const file = await Deno.open("/tmp/a.img");
 * for await (const p of filePieces({ file, path: "/tmp/a.img", offset: 0, length: 0, sparse: true })) {
 *   console.log(p instanceof Uint8Array ? `data ${p.length}` : `hole ${p.hole}`);
 * }
 * ```
 */
export async function filePieces(src: PieceSource): Promise<ReadableStream<StreamPiece>> {
  const { file, path, sparse } = src;
  let map: HoleMap | undefined;
  try {
    if (sparse && (await file.stat()).isFile) map = openHoleMap(path);
  } catch (e) {
    file.close();
    throw e;
  }
  const done = () => {
    map?.close();
    file.close();
  };
  let pos = src.offset;
  let left = src.length || Infinity;
  /** Data left in the current data section (sparse only). */
  let dataLeft = 0;
  return new ReadableStream<StreamPiece>({
    async pull(controller) {
      try {
        if (sparse && !dataLeft) {
          const { inData, length } = map?.inData(pos) ?? { inData: true, length: BLOCK_SECTION };
          const section = Math.min(length, left);
          if (!section) {
            done();
            return controller.close();
          }
          if (!inData) {
            await file.seek(section, Deno.SeekMode.Current);
            pos += section;
            left -= section;
            return controller.enqueue({ hole: section });
          }
          dataLeft = section;
        }
        const buf = new Uint8Array(Math.min(CHUNK, left, sparse ? dataLeft : Infinity));
        const n = buf.length ? await file.read(buf) : null;
        if (n === null) {
          done();
          return controller.close();
        }
        pos += n;
        left -= n;
        if (sparse) dataLeft -= n;
        controller.enqueue(buf.subarray(0, n));
      } catch (e) {
        done();
        throw e;
      }
    },
    cancel: done,
  }, { highWaterMark: 0 });
}

/**
 * Skips `hole` bytes at `file`'s position, as virFDStream writes a hole: a regular file is
 * sought past it and truncated there (which, as libvirt's, also drops what lay beyond); a
 * block device, which has no holes, gets the zeroes written. Failures are libvirt's system
 * errors in `domain`.
 *
 * @example
 * ```ts ignore
 * import { writeHole } from "./sparse_file.ts";
 * const file = await Deno.open("/tmp/a.img", { write: true });
 * await writeHole(file, "/tmp/a.img", true, 1 << 20, "STREAMS");
 * ```
 */
export async function writeHole(
  file: Deno.FsFile,
  path: string,
  regular: boolean,
  hole: number,
  domain: "STREAMS" | "NONE",
): Promise<void> {
  if (!regular) {
    const zeroes = new Uint8Array(Math.min(hole, BLOCK_SECTION));
    for (let n = hole; n > 0; n -= zeroes.length) {
      const piece = zeroes.subarray(0, Math.min(n, zeroes.length));
      for (let off = 0; off < piece.length;) off += await file.write(piece.subarray(off));
    }
    return;
  }
  let at: number;
  try {
    at = await file.seek(hole, Deno.SeekMode.Current);
  } catch (e) {
    throw VirError.bare(domain, "SYSTEM_ERROR", `unable to seek in ${path}: ${strerror(e)}`);
  }
  try {
    await file.truncate(at);
  } catch (e) {
    throw VirError.bare(domain, "SYSTEM_ERROR", `unable to truncate ${path}: ${strerror(e)}`);
  }
}

/**
 * Writes into a file at its position, gathering small pieces into 1 MiB writes (a request
 * body comes in 64 KiB chunks); holes are skipped with {@link writeHole}. Whatever is gathered
 * reaches the file at the next hole, at a piece that fills the buffer, or at {@link flush};
 * a write error shows then, as libvirt's stream thread reports its own later.
 *
 * @example
 * ```ts ignore
 * import { GatheringWriter } from "./sparse_file.ts";
 * const out = new GatheringWriter(await Deno.open("/tmp/a.img", { write: true }), "/tmp/a.img", true);
 * await out.write(new Uint8Array(4096));
 * await out.hole(1 << 20, "STREAMS");
 * await out.flush();
 * ```
 */
export class GatheringWriter {
  #file: Deno.FsFile;
  #path: string;
  #regular: boolean;
  #buf = new Uint8Array(CHUNK);
  #n = 0;

  /** Writes into `file` (at `path`, for messages), a regular file or a block device. */
  constructor(file: Deno.FsFile, path: string, regular: boolean) {
    this.#file = file;
    this.#path = path;
    this.#regular = regular;
  }

  /** Takes `data`; a run of a full buffer or more goes to the file at once. */
  async write(data: Uint8Array): Promise<void> {
    for (let off = 0; off < data.length;) {
      if (!this.#n && data.length - off >= CHUNK) {
        off += await this.#file.write(data.subarray(off));
        continue;
      }
      const k = Math.min(CHUNK - this.#n, data.length - off);
      this.#buf.set(data.subarray(off, off + k), this.#n);
      this.#n += k;
      off += k;
      if (this.#n === CHUNK) await this.flush();
    }
  }

  /** Skips `length` bytes after what was written (see {@link writeHole}). */
  async hole(length: number, domain: "STREAMS" | "NONE"): Promise<void> {
    await this.flush();
    await writeHole(this.#file, this.#path, this.#regular, length, domain);
  }

  /** Writes what is gathered. */
  async flush(): Promise<void> {
    for (let off = 0; off < this.#n;) {
      off += await this.#file.write(this.#buf.subarray(off, this.#n));
    }
    this.#n = 0;
  }
}

/**
 * A writable stream of pieces into `file` at its position: data written, holes skipped with
 * {@link writeHole} (virsh's `virshStreamSink` and `virshStreamSkip`); closing it writes what
 * is gathered and closes the file.
 *
 * @example
 * ```ts ignore
 * import { pieceSink } from "./sparse_file.ts";
 * const path = "/tmp/out.img";
 * const sink = await pieceSink(await Deno.open(path, { write: true, create: true }), path);
 * await ReadableStream.from([new Uint8Array(4), { hole: 1 << 20 }]).pipeTo(sink);
 * ```
 */
export async function pieceSink(
  file: Deno.FsFile,
  path: string,
): Promise<WritableStream<StreamPiece>> {
  let out: GatheringWriter;
  try {
    out = new GatheringWriter(file, path, (await file.stat()).isFile);
  } catch (e) {
    file.close();
    throw e;
  }
  return new WritableStream<StreamPiece>({
    write: (piece) => piece instanceof Uint8Array ? out.write(piece) : out.hole(piece.hole, "NONE"),
    async close() {
      try {
        await out.flush();
      } finally {
        file.close();
      }
    },
    abort: () => file.close(),
  });
}
