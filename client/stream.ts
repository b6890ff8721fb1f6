import type { DriverStream, StreamPiece } from "../util/driver.ts";
import { VIR } from "../util/constants.ts";
import { checkFlags, VirError } from "../util/errors.ts";
import { isHole } from "../util/stream_pieces.ts";
import type { HandleOwner } from "./handle.ts";

/**
 * A libvirt stream (`virStreamPtr`): made by `conn.newStream()`, bound by a stream call
 * (`vol.upload(stream, …)`, `vol.download(stream, …)`, `dom.openConsole(…)`), then used as
 * libvirt's (`send`/`finish`, `recv`, `abort`) or as web streams (`readable`, `writable`).
 *
 * @example
 * ```ts ignore
 * const stream = conn.newStream();
 * await vol.upload(stream, 0, 0);
 * await stream.send(new TextEncoder().encode("data"));
 * await stream.finish();
 * ```
 */
export class Stream {
  /** `virStreamNew`'s flags. */
  readonly flags: number;
  #owner: HandleOwner;
  #data?: DriverStream;
  #reader?: ReadableStreamDefaultReader<StreamPiece>;
  #writer?: WritableStreamDefaultWriter<StreamPiece>;
  #bytes?: ReadableStream<Uint8Array>;
  #rest?: Uint8Array;
  /** A hole received and not yet handed out (libvirt's `holeLength`). */
  #hole = 0;

  /** A stream of `owner`'s connection; use `conn.newStream()`. */
  constructor(owner: HandleOwner, flags = 0) {
    this.#owner = owner;
    this.flags = flags;
  }

  /**
   * Binds the data side a stream call gave. `call` runs the call once the stream is known to
   * belong to `owner`'s connection (libvirt refuses a stream of another connection with
   * `mismatch`, in `family`'s error domain).
   */
  async bind(
    owner: HandleOwner,
    family: "STORAGE" | "DOMAIN",
    mismatch: string,
    call: () => Promise<DriverStream>,
  ): Promise<DriverStream> {
    if (owner !== this.#owner) throw VirError.report(family, "INVALID_ARG", mismatch);
    return (this.#data = await call());
  }

  /** The data from the driver (a download, a console's output); a sparse stream's holes as zeroes. */
  get readable(): ReadableStream<Uint8Array> {
    const raw = this.#side("readable", "virStreamRecv");
    if (!this.#data?.sparse) return raw as ReadableStream<Uint8Array>;
    // recv's own zeroes, at most 1 MiB at a time.
    return (this.#bytes ??= new ReadableStream({
      pull: async (c) => {
        const got = await this.recv(1 << 20);
        if (got.length) c.enqueue(got);
        else c.close();
      },
      cancel: (reason) => (this.#reader ?? raw).cancel(reason),
    }, { highWaterMark: 0 }));
  }

  /** The data to the driver (an upload, a console's input). */
  get writable(): WritableStream<Uint8Array> {
    return this.#side("writable", "virStreamSend");
  }

  /** `virStreamSend`: the bytes taken (all of them, once the driver has them). */
  async send(data: Uint8Array): Promise<number> {
    await this.#write(data);
    return data.length;
  }

  /**
   * `virStreamSendHole`: `length` bytes of empty space at this point of a sparse stream's
   * data (the driver keeps them unwritten).
   */
  async sendHole(length: number, flags = 0): Promise<void> {
    checkFlags(flags, 0, "virFDStreamSendHole", "STREAMS");
    if (this.#side("writable", "virStreamSendHole") && !this.#data!.sparse) {
      throw VirError.report(
        "RPC",
        "OPERATION_INVALID",
        "Skipping is not supported with this stream",
      );
    }
    await this.#write({ hole: length });
  }

  /** `virStreamRecv`: up to `nbytes` bytes; empty at the end of the data. */
  async recv(nbytes = 65536): Promise<Uint8Array> {
    const got = await this.recvFlags(nbytes);
    return got as Uint8Array;
  }

  /**
   * `virStreamRecvFlags`: as `recv`; with `VIR.STREAM_RECV_STOP_AT_HOLE`, -3 when the stream
   * is at a hole, whose length `recvHole` then gives (a sparse stream only).
   */
  async recvFlags(nbytes: number, flags = 0): Promise<Uint8Array | -3> {
    checkFlags(flags, VIR.STREAM_RECV_STOP_AT_HOLE, "remoteStreamRecvFlags", "REMOTE");
    while (!this.#hole && !this.#rest?.length) {
      const { done, value } = await (this.#reader ??= this.#side("readable", "virStreamRecv")
        .getReader()).read();
      if (done) return new Uint8Array(0);
      if (isHole(value)) this.#hole = value.hole;
      else this.#rest = value;
    }
    if (this.#hole) {
      if (flags & VIR.STREAM_RECV_STOP_AT_HOLE) return -3;
      // libvirt's client pretends the hole's zeroes were read.
      const zeroes = new Uint8Array(Math.min(nbytes, this.#hole));
      this.#hole -= zeroes.length;
      return zeroes;
    }
    const out = this.#rest!.subarray(0, nbytes);
    this.#rest = this.#rest!.subarray(out.length);
    return out;
  }

  /**
   * `virStreamRecvHole`: the length of the hole the stream is at (after `recvFlags` gave -3),
   * 0 when it is not at one; the hole is then passed.
   */
  recvHole(flags = 0): Promise<number> {
    // Its refusals reject, as every other stream call's do, rather than throw.
    return Promise.resolve().then(() => {
      checkFlags(flags, 0, "remoteStreamRecvHole", "REMOTE");
      if (!this.#data?.sparse) {
        throw VirError.report(
          "RPC",
          "OPERATION_INVALID",
          "Holes are not supported with this stream",
        );
      }
      const hole = this.#hole;
      this.#hole = 0;
      return hole;
    });
  }

  /**
   * `virStreamSparseSendAll`: every piece of `source` (data, or `{ hole }` for empty space),
   * then `finish`; `progress` hears the bytes passed so far, holes included, after each piece.
   * On a failure the stream is aborted, as libvirt's.
   */
  async sparseSendAll(
    source: AsyncIterable<StreamPiece>,
    progress?: (bytes: number) => void,
  ): Promise<void> {
    let passed = 0;
    try {
      for await (const piece of source) {
        // Not inside `progress?.(…)`: without a progress callback that would never be sent.
        if (isHole(piece)) {
          await this.sendHole(piece.hole);
          passed += piece.hole;
        } else passed += await this.send(piece);
        progress?.(passed);
      }
    } catch (e) {
      await this.abort().catch(() => {});
      throw e;
    }
    await this.finish();
  }

  /**
   * `virStreamSparseRecvAll`: every piece into `sink` — data, and `{ hole }` for each hole —
   * then `finish`; `progress` hears the bytes passed so far, holes included. On a failure
   * both are aborted, as libvirt's.
   */
  sparseRecvAll(
    sink: WritableStream<StreamPiece>,
    progress?: (bytes: number) => void,
  ): Promise<void> {
    return this.#recvInto(sink, VIR.STREAM_RECV_STOP_AT_HOLE, progress);
  }

  /**
   * `virStreamSendAll`: every piece of `source`, then `finish`; `progress` hears the bytes sent
   * so far after each piece. On a failure the stream is aborted, as libvirt's.
   */
  sendAll(source: AsyncIterable<Uint8Array>, progress?: (bytes: number) => void): Promise<void> {
    return this.sparseSendAll(source, progress);
  }

  /**
   * `virStreamRecvAll`: every piece into `sink` (a web stream; a sparse stream's holes as
   * zeroes), then `finish`; `progress` hears the bytes received so far after each piece. On a
   * failure both are aborted, as libvirt's.
   */
  recvAll(sink: WritableStream<Uint8Array>, progress?: (bytes: number) => void): Promise<void> {
    return this.#recvInto(sink, 0, progress);
  }

  async #recvInto(
    sink: WritableStream<StreamPiece>,
    flags: number,
    progress?: (bytes: number) => void,
  ): Promise<void> {
    let passed = 0;
    const writer = sink.getWriter();
    try {
      for (;;) {
        const got = await this.recvFlags(1 << 20, flags);
        const piece = got === -3 ? { hole: await this.recvHole() } : got;
        const n = isHole(piece) ? piece.hole : piece.length;
        if (!n) break;
        await writer.write(piece);
        passed += n;
        progress?.(passed);
      }
      await writer.close();
    } catch (e) {
      await writer.abort(e).catch(() => {});
      await this.abort().catch(() => {});
      throw e;
    }
    await this.finish();
  }

  /** `virStreamFinish`: the data is complete; settles once the driver has it all in place. */
  async finish(): Promise<void> {
    if (this.#data?.writable) await (this.#writer ??= this.#data.writable.getWriter()).close();
    else this.#reader?.releaseLock();
  }

  /** `virStreamAbort`: drops the transfer on both sides. */
  async abort(): Promise<void> {
    const d = this.#data;
    if (!d) throw VirError.report("STREAMS", "NO_SUPPORT", "virStreamAbort");
    await Promise.all([
      d.readable && (this.#reader ?? d.readable).cancel(),
      d.writable && (this.#writer ?? d.writable).abort(),
    ]);
  }

  async #write(piece: StreamPiece): Promise<void> {
    await (this.#writer ??= this.#side("writable", "virStreamSend").getWriter()).write(piece);
  }

  #side<K extends "readable" | "writable">(side: K, api: string): NonNullable<DriverStream[K]> {
    const s = this.#data?.[side];
    if (!s) throw VirError.report("STREAMS", "NO_SUPPORT", api);
    return s as NonNullable<DriverStream[K]>;
  }
}
