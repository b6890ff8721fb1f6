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
 * Sparse streams (`…_SPARSE_STREAM`) need holes in the stream protocol, which the gateway's
 * streams do not carry: the flag is refused.
 *
 * @module
 */
import type { DriverStream, StorageVolRef } from "../../util/driver.ts";
import { checkFlags, VirError } from "../../util/errors.ts";
import { volOf } from "./access.ts";
import { account } from "./accounting.ts";
import { refreshVol } from "./dir_backend.ts";
import type { StorageState } from "./state.ts";
import { systemError } from "./sys_error.ts";

const CHUNK = 256 * 1024;

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
  checkFlags(flags, 0, "storageVolUpload", "STORAGE");
  const { pool, vol } = volOf(state, ref);
  const file = await openAt(vol.target.path ?? "", offset, true);
  let left = length || Infinity;
  return {
    writable: new WritableStream<Uint8Array>({
      async write(chunk) {
        // What libvirtd does with a piece that runs past the length (virFDStreamWrite takes
        // what fits, the next write fails, the abort drops the queue): nothing of it lands.
        if (chunk.length > left) {
          throw VirError.bare(
            "STREAMS",
            "SYSTEM_ERROR",
            "cannot write to stream: No space left on device",
          );
        }
        for (let off = 0; off < chunk.length;) off += await file.write(chunk.subarray(off));
        left -= chunk.length;
      },
      async close() {
        try {
          await file.syncData();
        } finally {
          file.close();
        }
        // As libvirt's stream-finish callback refreshes the pool: the file may have grown.
        const before = vol.allocation;
        await refreshVol(vol);
        account(pool, vol.allocation - before);
      },
      abort() {
        file.close();
      },
    }),
  };
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
  checkFlags(flags, 0, "storageVolDownload", "STORAGE");
  const { vol } = volOf(state, ref);
  const file = await openAt(vol.target.path ?? "", offset, false);
  let left = length || Infinity;
  return {
    readable: new ReadableStream<Uint8Array>({
      async pull(controller) {
        const buf = new Uint8Array(Math.min(CHUNK, left));
        const n = buf.length ? await file.read(buf) : null;
        if (n === null) {
          file.close();
          return controller.close();
        }
        left -= n;
        controller.enqueue(buf.subarray(0, n));
      },
      cancel() {
        file.close();
      },
    }, { highWaterMark: 0 }),
  };
}
