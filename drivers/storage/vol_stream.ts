/**
 * Volume upload and download (libvirt's `storageVolUpload`/`storageVolDownload` with the local
 * backend's `virFDStreamOpenFile`): the volume's file from `offset`, at most `length` bytes
 * (0: to the end), as a web stream. As libvirt, the data is the file's raw bytes whatever its
 * format, a piece past `length` fails with "cannot write to stream: No space left on device",
 * and a finished upload refreshes the volume (its allocation and the pool's).
 *
 * libvirt marks the volume in use only while the call sets the stream up, not while data flows;
 * here every call runs alone (the driver's queue), so that mark has nothing to guard.
 *
 * Sparse streams (`…_SPARSE_STREAM`) carry holes besides data, as libvirt's `virFDStream`: a
 * download finds them with `SEEK_DATA`/`SEEK_HOLE` (util/file_holes.ts) and sends each as one
 * hole, an upload makes one by seeking past it and truncating the file there (libvirt's
 * `lseek` + `ftruncate`), so nothing of it is written and the file stays sparse. As libvirt's
 * (recorded in tests/drivers/storage/fixtures/libvirt_sparse.jsonl), that truncation also drops
 * what the file held past the hole — the upload's last piece ends the file — while what it held
 * inside the hole stays, and a preallocated volume keeps its blocks.
 *
 * @module
 */
import type { DriverStream, StorageVolRef, StreamPiece } from "../../util/driver.ts";
import { checkFlags, VirError } from "../../util/errors.ts";
import { filePieces, GatheringWriter } from "../../util/sparse_file.ts";
import { isHole } from "../../util/stream_pieces.ts";
import { VIR } from "../../util/constants.ts";
import { volOf } from "./access.ts";
import { account } from "./accounting.ts";
import { refreshVol } from "./dir_backend.ts";
import type { StorageState } from "./state.ts";
import { systemError } from "./sys_error.ts";

async function openAt(path: string, offset: number, write: boolean): Promise<Deno.FsFile> {
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path, write ? { write: true } : { read: true });
  } catch (e) {
    throw systemError(`Unable to open ${path}`, e, "NONE");
  }
  try {
    await file.seek(offset, Deno.SeekMode.Start);
  } catch (e) {
    file.close();
    throw systemError(`Unable to seek ${path} to ${offset}`, e, "NONE");
  }
  return file;
}

/**
 * `storageVolUpload`: a writable stream into the volume's file.
 *
 * @example
 * ```ts ignore
 * const { writable } = await volUpload(state, ref, 0, 0, 0);
 * await new Blob(["data"]).stream().pipeTo(writable!);
 * ```
 */
export async function volUpload(
  state: StorageState,
  ref: StorageVolRef,
  offset: number,
  length: number,
  flags: number,
): Promise<DriverStream> {
  checkFlags(flags, VIR.STORAGE_VOL_UPLOAD_SPARSE_STREAM, "storageVolUpload", "STORAGE");
  const sparse = (flags & VIR.STORAGE_VOL_UPLOAD_SPARSE_STREAM) !== 0;
  const { pool, vol } = volOf(state, ref);
  const path = vol.target.path ?? "";
  const file = await openAt(path, offset, true);
  const out = new GatheringWriter(file, path, (await file.stat()).isFile);
  let left = length || Infinity;
  return {
    sparse,
    writable: new WritableStream<StreamPiece>({
      async write(piece) {
        if (isHole(piece)) return await skip(piece.hole);
        // What libvirtd does with a piece that runs past the length (virFDStreamWrite takes
        // what fits, the next write fails, the abort drops the queue): nothing of it lands;
        // the pieces before it, which libvirt's thread has written by then, do.
        if (piece.length > left) {
          await out.flush();
          throw VirError.bare(
            "STREAMS",
            "SYSTEM_ERROR",
            "cannot write to stream: No space left on device",
          );
        }
        await out.write(piece);
        left -= piece.length;
      },
      async close() {
        try {
          // Written, not synced: libvirt's stream thread closes the file without fdatasync
          // (virFDStreamThread), so its finish says the data is in the file, not on the disk.
          await out.flush();
        } finally {
          file.close();
        }
        // As libvirt's stream-finish callback refreshes the pool: the file may have grown.
        const before = vol.allocation;
        await refreshVol(vol);
        account(pool, vol.allocation - before);
      },
      async abort() {
        // What was taken stays, as libvirt's thread has mostly written it by then.
        await out.flush().catch(() => {});
        file.close();
      },
    }),
  };

  /** virFDStreamSendHole, then the thread's write of a hole message. */
  async function skip(hole: number): Promise<void> {
    if (!sparse) throw VirError.report("STREAMS", "INTERNAL_ERROR", "unexpected stream hole");
    // A hole of 0 passes unnoticed through libvirtd (recorded: libvirt_sparse.jsonl).
    if (hole === 0) return;
    if (!(hole > 0)) {
      throw VirError.report(
        "STREAMS",
        "INVALID_ARG",
        "length in virFDStreamSendHole must be greater than zero",
      );
    }
    hole = Math.min(hole, left);
    left -= hole;
    await out.hole(hole, "STREAMS");
  }
}

/**
 * `storageVolDownload`: a readable stream of the volume's file.
 *
 * @example
 * ```ts ignore
 * const { readable } = await volDownload(state, ref, 0, 0, 0);
 * const bytes = new Uint8Array(await new Response(readable).arrayBuffer());
 * ```
 */
export async function volDownload(
  state: StorageState,
  ref: StorageVolRef,
  offset: number,
  length: number,
  flags: number,
): Promise<DriverStream> {
  checkFlags(flags, VIR.STORAGE_VOL_DOWNLOAD_SPARSE_STREAM, "storageVolDownload", "STORAGE");
  const sparse = (flags & VIR.STORAGE_VOL_DOWNLOAD_SPARSE_STREAM) !== 0;
  const { vol } = volOf(state, ref);
  const path = vol.target.path ?? "";
  const file = await openAt(path, offset, false);
  // The whole rest of the file, no holes: the runtime's own stream of it, which Deno.serve sends
  // from the file itself, with no buffer per piece made and dropped in JavaScript.
  if (!sparse && !length) return { sparse, readable: file.readable };
  return { sparse, readable: await filePieces({ file, path, offset, length, sparse }) };
}
