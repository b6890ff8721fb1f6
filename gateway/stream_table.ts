import type { DriverStream, StreamPiece } from "../util/driver.ts";
import { VirError } from "../util/errors.ts";
import { isHole } from "../util/stream_pieces.ts";
import { BodyBuffer } from "./body_pieces.ts";

/**
 * The largest piece of a request body handed to the driver at once: the client's upload
 * requests carry a MiB each (client/remote/stream.ts), one file write.
 */
const BODY_PIECE = 1024 * 1024;

/** What a stream call answers a remote caller: the id of its data, and the data's type. */
export interface StreamTicket {
  /** Where the data goes: `/v1/streams/{stream}`. */
  stream: string;
  /** The MIME type, for calls that name one (`virDomainScreenshot`). */
  mime?: string;
  /** A sparse stream: holes come and go as the stream routes' hole records. */
  sparse?: true;
}

interface Entry {
  owner: string;
  stream: DriverStream;
  writer?: WritableStreamDefaultWriter<StreamPiece>;
  timer?: ReturnType<typeof setTimeout>;
  /** Its data is being read (a console's output, while input still comes). */
  reading?: boolean;
  /** What its request bodies are read into, kept between them; absent while one is read. */
  buffer?: BodyBuffer;
}

/**
 * The streams stream calls opened (`storageVolUpload`, `storageVolDownload`…), kept for their
 * caller's data requests: libvirtd keeps a call's stream on the client's connection; over HTTP
 * the data comes in requests of their own, so the stream waits here under an unguessable id,
 * for its caller only, and is aborted after `idleMs` without a request.
 *
 * @example
 * ```ts
 * import { StreamTable } from "./stream_table.ts";
 * const table = new StreamTable(1000, 4);
 * const { stream } = table.add("alice", { readable: new Blob(["hi"]).stream() });
 * console.log(await new Response(table.read(stream, "alice").readable).text()); // "hi"
 * ```
 */
export class StreamTable {
  #entries = new Map<string, Entry>();
  #idleMs: number;
  #max: number;

  /** Streams are aborted after `idleMs` without a data request; at most `max` at once. */
  constructor(idleMs: number, max: number) {
    this.#idleMs = idleMs;
    this.#max = max;
  }

  /** Keeps `stream` for `owner`; refused (and the stream aborted) beyond the limit. */
  add(owner: string, stream: DriverStream): StreamTicket {
    if (this.#entries.size >= this.#max) {
      abort({ stream });
      throw VirError.report("RPC", "RESOURCE_BUSY", "too many open streams");
    }
    const id = crypto.randomUUID();
    const entry: Entry = { owner, stream };
    this.#entries.set(id, entry);
    this.#arm(id, entry);
    const ticket: StreamTicket = { stream: id };
    if (stream.mime !== undefined) ticket.mime = stream.mime;
    if (stream.sparse) ticket.sparse = true;
    return ticket;
  }

  /** Ends the stream's stay: its data side, for the request that ends it (finish, abort). */
  take(id: string, owner: string): Entry {
    const e = this.#find(id, owner);
    this.#entries.delete(id);
    clearTimeout(e.timer);
    return e;
  }

  /**
   * The data stream `id` gives, once: a stream that also takes data (a console) stays for its
   * sends; any other is done with.
   */
  read(id: string, owner: string): Pick<DriverStream, "mime" | "sparse"> & {
    readable: ReadableStream<StreamPiece>;
  } {
    const e = this.#find(id, owner);
    const readable = e.stream.readable;
    if (!readable || e.reading) {
      throw VirError.report("STREAMS", "INVALID_ARG", "this stream gives no (more) data to read");
    }
    e.reading = true;
    if (!e.stream.writable) this.take(id, owner);
    return { readable, mime: e.stream.mime, sparse: e.stream.sparse };
  }

  /**
   * Sends `data` into stream `id` (`virStreamSend`, or `virStreamSendHole` for a hole), as the
   * driver takes it.
   */
  async send(id: string, owner: string, data: StreamPiece): Promise<void> {
    const e = this.#find(id, owner);
    // libvirtd's daemonStreamHandleHole: a stream that is not sparse has no holes.
    if (isHole(data) && !e.stream.sparse) {
      throw VirError.report("STREAMS", "RPC", "Unexpected stream hole");
    }
    clearTimeout(e.timer);
    try {
      await writerOf(e).write(data);
    } catch (err) {
      this.#entries.delete(id);
      throw err;
    }
    this.#arm(id, e);
  }

  /**
   * Sends a request's `body` into stream `id`, piece by piece as it arrives and the driver
   * takes it: never gathered whole, and read into a buffer the stream keeps for its next body.
   */
  async sendBody(id: string, owner: string, body: ReadableStream<Uint8Array>): Promise<void> {
    const e = this.#find(id, owner);
    // Two bodies at once (a client's own doing) each get a buffer: a piece must stay intact
    // until the driver has it.
    const buffer = e.buffer ?? new BodyBuffer(BODY_PIECE);
    e.buffer = undefined;
    try {
      for await (const piece of buffer.pieces(body)) await this.send(id, owner, piece);
    } finally {
      e.buffer = buffer;
    }
  }

  /** Aborts every stream (the gateway is stopping). */
  closeAll(): void {
    for (const e of this.#entries.values()) {
      clearTimeout(e.timer);
      abort(e);
    }
    this.#entries.clear();
  }

  #find(id: string, owner: string): Entry {
    const e = this.#entries.get(id);
    // An unknown, ended or foreign id: one answer, so that ids cannot be probed.
    if (!e || e.owner !== owner) {
      throw VirError.report("STREAMS", "INVALID_ARG", "no such stream (ended or not yours)");
    }
    return e;
  }

  #arm(id: string, e: Entry): void {
    e.timer = setTimeout(() => {
      this.#entries.delete(id);
      abort(e);
    }, this.#idleMs);
  }
}

/** The entry's writer, taken once: a stream's writable has one writer for its whole life. */
export function writerOf(
  e: { stream: DriverStream; writer?: WritableStreamDefaultWriter<StreamPiece> },
) {
  if (!e.stream.writable) {
    throw VirError.report("STREAMS", "INVALID_ARG", "this stream gives data: read it");
  }
  return (e.writer ??= e.stream.writable.getWriter());
}

/** `virStreamAbort`: both sides dropped. */
export function abort(
  e: { stream: DriverStream; writer?: WritableStreamDefaultWriter<StreamPiece> },
): void {
  e.stream.readable?.cancel().catch(() => {});
  (e.writer ?? e.stream.writable)?.abort().catch(() => {});
}
