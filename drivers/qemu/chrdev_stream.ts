/**
 * The streams of a running domain's character devices (libvirt's `virChrdevOpen`): a pty in raw
 * mode or a connection to a unix socket, as a two-way stream; one stream per device at a time,
 * shared by consoles and channels (libvirt's `priv->devs`), which a forced open takes over by
 * ending the old stream.
 *
 * @module
 */
import type { DriverStream } from "../../util/driver.ts";
import { VirError } from "../../util/errors.ts";
import type { QemuDomainObj } from "./domain_private.ts";
import type { QemuProcess } from "./process/launcher.ts";

/** The open streams of each domain, by device path, each with what ends it. */
const sessions = new WeakMap<QemuDomainObj, Map<string, () => void>>();

/**
 * A read of a pty still waiting when its session ended. Deno cannot cancel it (the descriptor
 * stays open inside it until it returns), so abandoned it would swallow the guest's next
 * bytes; instead the next session of the same QEMU process on that pty takes it over, as
 * libvirt's next session finds what the guest wrote meanwhile.
 */
interface LeftRead {
  file: Deno.FsFile;
  pending: Promise<Uint8Array | null>;
}

/** The reads left by ended sessions, per QEMU process (a restart starts afresh) and pty. */
const leftReads = new WeakMap<QemuProcess, Map<string, LeftRead>>();

/** A character device's host side, as a stream can reach it. */
export interface ChrdevSource {
  type: "pty" | "unix";
  path: string;
}

/**
 * `virChrdevOpen`: the stream of `source`, or "busy" when one is open and `force` is not set
 * (each caller words that error its own way).
 *
 * @example
 * ```ts ignore
 * const st = await openChrdev(obj, { type: "unix", path: "/run/ev/org.qemu.guest_agent.0" }, false);
 * ```
 */
export async function openChrdev(
  obj: QemuDomainObj,
  source: ChrdevSource,
  force: boolean,
): Promise<DriverStream | "busy"> {
  let open = sessions.get(obj);
  if (!open) sessions.set(obj, open = new Map());
  const previous = open.get(source.path);
  if (previous) {
    if (!force) return "busy";
    previous();
  }
  if (source.type === "unix") return await unixStream(source.path, open);
  let left = leftReads.get(obj.proc!);
  if (!left) leftReads.set(obj.proc!, left = new Map());
  return await ptyStream(source.path, open, left);
}

/** How long `virFDStreamConnectUNIX` keeps trying a socket that is not there or not listening. */
const CONNECT_PATIENCE_MS = 3000;

/**
 * `virFDStreamConnectUNIX`: connects to `path`, retrying while the socket is missing or
 * refuses (QEMU may not have bound it yet); any other failure is libvirt's unknown error, as
 * libvirt reports none of its own there.
 */
async function unixStream(path: string, open: Map<string, () => void>): Promise<DriverStream> {
  const deadline = Date.now() + CONNECT_PATIENCE_MS;
  let conn: Deno.UnixConn;
  for (let wait = 1;; wait = Math.min(wait * 2, 100)) {
    try {
      conn = await Deno.connect({ transport: "unix", path });
      break;
    } catch (err) {
      const retry = err instanceof Deno.errors.NotFound ||
        err instanceof Deno.errors.ConnectionRefused;
      if (!retry || Date.now() >= deadline) {
        throw VirError.bare(
          "NONE",
          "INTERNAL_ERROR",
          "An error occurred, but the cause is unknown",
        );
      }
      await new Promise((r) => setTimeout(r, wait));
    }
  }
  const reader = conn.readable.getReader();
  return session(
    path,
    open,
    () => reader.read().then((r) => r.done ? null : r.value, () => null),
    conn,
    () => {
      try {
        conn.close();
      } catch {
        // Already closed by its peer.
      }
    },
  );
}

async function ptyStream(
  path: string,
  open: Map<string, () => void>,
  left: Map<string, LeftRead>,
): Promise<DriverStream> {
  const raw = await new Deno.Command("stty", {
    args: ["-F", path, "raw", "-echo"],
    stderr: "piped",
  })
    .output();
  if (!raw.success) {
    throw VirError.report(
      "QEMU",
      "SYSTEM_ERROR",
      `Unable to set terminal ${path} to raw mode: ${new TextDecoder().decode(raw.stderr).trim()}`,
    );
  }
  // Two descriptors: Deno runs one operation at a time per file, and a read waiting for the
  // guest would hold every write back.
  const input = await Deno.open(path, { write: true });
  const taken = left.get(path);
  left.delete(path);
  const file = taken?.file ?? await Deno.open(path, { read: true });
  // The guest going away ends the pty: EIO there is the end of the data.
  const readOnce = () => {
    const buf = new Uint8Array(4096);
    return file.read(buf).then((n) => n === null ? null : buf.subarray(0, n), () => null);
  };
  let pending = taken?.pending;
  let over = false;
  const read = async () => {
    const bytes = await (pending ??= readOnce());
    // Ended meanwhile: the read (and its bytes) go to the next session.
    if (!over) pending = undefined;
    return bytes;
  };
  return session(path, open, read, input, () => {
    over = true;
    input.close();
    if (!pending) {
      file.close();
      return;
    }
    const kept = { file, pending };
    left.set(path, kept);
    pending.then((bytes) => {
      // The pty ended before another session came: nothing is left to hand over.
      if (bytes !== null || left.get(path) !== kept) return;
      left.delete(path);
      file.close();
    });
  });
}

/**
 * One session over a device: its output as `read` gives it (null: the end), its input written
 * whole to `sink`; the reader, the writer, the peer going away or a forced open (the `open`
 * entry) ends it, once, and `release` lets the device go.
 */
function session(
  path: string,
  open: Map<string, () => void>,
  read: () => Promise<Uint8Array | null>,
  sink: { write(p: Uint8Array): Promise<number> },
  release: () => void,
): DriverStream {
  let closed = false;
  let endOutput = () => {};
  const close = () => {
    if (closed) return;
    closed = true;
    if (open.get(path) === close) open.delete(path);
    endOutput();
    release();
  };
  open.set(path, close);
  return {
    readable: new ReadableStream<Uint8Array>({
      start(c) {
        endOutput = () => {
          try {
            c.close();
          } catch {
            // Cancelled by its reader: already ended.
          }
        };
      },
      async pull(c) {
        const bytes = await read();
        if (closed) return;
        if (bytes === null) {
          close();
          return;
        }
        c.enqueue(bytes);
      },
      cancel: close,
    }, { highWaterMark: 0 }),
    writable: new WritableStream<Uint8Array>({
      async write(chunk) {
        for (let off = 0; off < chunk.length;) off += await sink.write(chunk.subarray(off));
      },
      close,
      abort: close,
    }),
  };
}
