/**
 * libvirt's save image format (`qemu_saveimage.c`, version 2): a 92-byte header — the magic
 * `LibvirtQemudSave` (`LibvirtQemudPart` while the image is being written), then version,
 * data_len, was_running, compressed, cookieOffset and 14 unused 32-bit words in host order —
 * then `data_len` bytes holding the domain XML and an optional cookie, each NUL-terminated and
 * padded with zeros (64 KiB spare, so the XML can be edited in place), then QEMU's migration
 * stream. Images written by libvirt 9.0 and by edgevirt are interchangeable.
 *
 * @module
 */
import { VirError } from "../../../util/errors.ts";
import { strerror } from "../../../util/strerror.ts";

const MAGIC = "LibvirtQemudSave";
const PARTIAL = "LibvirtQemudPart";
const VERSION = 2;
/** sizeof(virQEMUSaveHeader). */
const HEADER_LEN = 16 + 4 * 5 + 4 * 14;
/** The room left after the XML for a longer one (`virQEMUSaveDataWrite`). */
const SPARE = 64 * 1024;

/** What a save image says besides QEMU's stream. */
export interface SaveImage {
  xml: string;
  /** The domain ran when saved (restored running unless told otherwise). */
  wasRunning: boolean;
  /** Where QEMU's migration stream starts. */
  streamOffset: number;
  /** data_len: the room for the XML and cookie. */
  dataLen: number;
  cookie?: string;
}

const failed = (msg: string) => VirError.report("QEMU", "OPERATION_FAILED", msg);

function header(magic: string, dataLen: number, wasRunning: boolean, cookieOffset: number) {
  const buf = new Uint8Array(HEADER_LEN);
  buf.set(new TextEncoder().encode(magic));
  const view = new DataView(buf.buffer);
  // Host order, as libvirt writes the struct: little endian on x86.
  view.setUint32(16, VERSION, true);
  view.setUint32(20, dataLen, true);
  view.setUint32(24, wasRunning ? 1 : 0, true);
  view.setUint32(28, 0, true);
  view.setUint32(32, cookieOffset, true);
  return buf;
}

/**
 * Writes a new image's header (marked partial) and XML to `path`; QEMU's stream goes after it.
 * Returns where the stream starts.
 *
 * @example
 * ```ts
 * import { writeSaveImageHead } from "./state_save_image.ts";
 * const offset = await writeSaveImageHead("/tmp/vm.save", "<domain/>", true);
 * ```
 */
export async function writeSaveImageHead(
  path: string,
  xml: string,
  wasRunning: boolean,
): Promise<number> {
  const data = new TextEncoder().encode(`${xml}\0`);
  const dataLen = data.length + SPARE;
  const out = new Uint8Array(HEADER_LEN + dataLen);
  out.set(header(PARTIAL, dataLen, wasRunning, 0));
  out.set(data, HEADER_LEN);
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path, { write: true, create: true, truncate: true, mode: 0o600 });
  } catch (err) {
    // qemuDomainOpenFileAs: the open of a file the call creates.
    throw VirError.report(
      "QEMU",
      "SYSTEM_ERROR",
      `Failed to create file '${path}': ${strerror(err)}`,
    );
  }
  try {
    let done = 0;
    while (done < out.length) done += await file.write(out.subarray(done));
  } catch (err) {
    throw VirError.report(
      "QEMU",
      "SYSTEM_ERROR",
      `failed to write header to domain save file '${path}': ${strerror(err)}`,
    );
  } finally {
    file.close();
  }
  return out.length;
}

/**
 * `virQEMUSaveDataFinish`: the stream is complete, the magic says so.
 *
 * @example
 * ```ts
 * import { finishSaveImage } from "./state_save_image.ts";
 * await finishSaveImage("/tmp/vm.save");
 * ```
 */
export async function finishSaveImage(path: string): Promise<void> {
  const file = await Deno.open(path, { write: true });
  try {
    await file.write(new TextEncoder().encode(MAGIC));
  } finally {
    file.close();
  }
}

/**
 * `qemuSaveImageOpen`'s reading and checks of a save image's header and XML.
 *
 * @example
 * ```ts
 * import { readSaveImage } from "./state_save_image.ts";
 * const image = await readSaveImage("/tmp/vm.save");
 * image.xml;
 * ```
 */
export async function readSaveImage(path: string): Promise<SaveImage> {
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path);
  } catch (err) {
    throw VirError.report(
      "QEMU",
      "SYSTEM_ERROR",
      `Failed to open file '${path}': ${strerror(err)}`,
    );
  }
  try {
    const head = new Uint8Array(HEADER_LEN);
    // A directory opens, and its read fails (EISDIR): libvirt's saferead, a short header.
    const read = await file.read(head).catch(() => null);
    if (read !== HEADER_LEN) throw failed("failed to read qemu header");
    const magic = new TextDecoder().decode(head.subarray(0, 16));
    if (magic === PARTIAL) throw failed("save image is incomplete");
    if (magic !== MAGIC) throw failed("image magic is incorrect");
    const view = new DataView(head.buffer);
    const version = view.getUint32(16, true);
    if (version > VERSION) {
      throw failed(`image version is not supported (${version} > ${VERSION})`);
    }
    const dataLen = view.getUint32(20, true);
    if (dataLen <= 0 || dataLen > 10 * 1024 * 1024) {
      throw failed(`invalid header data length: ${dataLen}`);
    }
    const compressed = view.getUint32(28, true);
    // libvirt pipes a compressed stream through gzip & co; edgevirt reads raw streams only.
    if (compressed !== 0) throw failed(`Invalid compressed save format ${compressed}`);
    const data = new Uint8Array(dataLen);
    let got = 0;
    while (got < dataLen) {
      const n = await file.read(data.subarray(got));
      if (n === null) throw failed("failed to read domain XML");
      got += n;
    }
    const cookieOffset = view.getUint32(32, true);
    const text = (from: number) => {
      const end = data.indexOf(0, from);
      return new TextDecoder().decode(data.subarray(from, end < 0 ? dataLen : end));
    };
    return {
      xml: text(0),
      wasRunning: view.getUint32(24, true) !== 0,
      streamOffset: HEADER_LEN + dataLen,
      dataLen,
      ...(cookieOffset ? { cookie: text(cookieOffset) } : {}),
    };
  } finally {
    file.close();
  }
}

/**
 * `virQEMUSaveDataWrite` over an existing image: a new header (`wasRunning`), `xml` and the
 * image's cookie, in place of the old ones, within the image's `data_len` (QEMU's stream
 * after it stays where it is).
 *
 * @example
 * ```ts
 * import { readSaveImage, rewriteSaveImage } from "./state_save_image.ts";
 * const image = await readSaveImage("/tmp/vm.save");
 * await rewriteSaveImage("/tmp/vm.save", image, "<domain>…</domain>", false);
 * ```
 */
export async function rewriteSaveImage(
  path: string,
  image: SaveImage,
  xml: string,
  wasRunning: boolean,
): Promise<void> {
  const enc = new TextEncoder();
  const xmlData = enc.encode(`${xml}\0`);
  const cookie = image.cookie === undefined ? new Uint8Array() : enc.encode(`${image.cookie}\0`);
  if (xmlData.length + cookie.length > image.dataLen) {
    throw failed("new xml too large to fit in file");
  }
  const out = new Uint8Array(HEADER_LEN + image.dataLen);
  out.set(header(MAGIC, image.dataLen, wasRunning, cookie.length ? xmlData.length : 0));
  out.set(xmlData, HEADER_LEN);
  out.set(cookie, HEADER_LEN + xmlData.length);
  let file: Deno.FsFile | undefined;
  try {
    file = await Deno.open(path, { write: true });
    let done = 0;
    while (done < out.length) done += await file.write(out.subarray(done));
  } catch (err) {
    throw VirError.report(
      "QEMU",
      "SYSTEM_ERROR",
      `failed to write header to domain save file '${path}': ${strerror(err)}`,
    );
  } finally {
    file?.close();
  }
}
