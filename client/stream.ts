import type { DriverStream } from "../util/driver.ts";
import { VirError } from "../util/errors.ts";
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
  #reader?: ReadableStreamDefaultReader<Uint8Array>;
  #writer?: WritableStreamDefaultWriter<Uint8Array>;
  #rest?: Uint8Array;

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

  /** The data from the driver (a download, a console's output). */
  get readable(): ReadableStream<Uint8Array> {
    return this.#side("readable", "virStreamRecv");
  }

  /** The data to the driver (an upload, a console's input). */
  get writable(): WritableStream<Uint8Array> {
    return this.#side("writable", "virStreamSend");
  }

  /** `virStreamSend`: the bytes taken (all of them, once the driver has them). */
  async send(data: Uint8Array): Promise<number> {
    await (this.#writer ??= this.writable.getWriter()).write(data);
    return data.length;
  }

  /** `virStreamRecv`: up to `nbytes` bytes; empty at the end of the data. */
  async recv(nbytes = 65536): Promise<Uint8Array> {
    if (!this.#rest?.length) {
      const { done, value } = await (this.#reader ??= this.readable.getReader()).read();
      if (done) return new Uint8Array(0);
      this.#rest = value;
    }
    const out = this.#rest.subarray(0, nbytes);
    this.#rest = this.#rest.subarray(out.length);
    return out;
  }

  /**
   * `virStreamSendAll`: every piece of `source`, then `finish`; `progress` hears the bytes sent
   * so far after each piece.
   */
  async sendAll(
    source: AsyncIterable<Uint8Array>,
    progress?: (bytes: number) => void,
  ): Promise<void> {
    let sent = 0;
    for await (const piece of source) progress?.(sent += await this.send(piece));
    await this.finish();
  }

  /**
   * `virStreamRecvAll`: every piece into `sink` (a web stream), then `finish`; `progress` hears
   * the bytes received so far after each piece.
   */
  async recvAll(
    sink: WritableStream<Uint8Array>,
    progress?: (bytes: number) => void,
  ): Promise<void> {
    let received = 0;
    const writer = sink.getWriter();
    try {
      for (let piece = await this.recv(); piece.length; piece = await this.recv()) {
        await writer.write(piece);
        progress?.(received += piece.length);
      }
      await writer.close();
    } catch (e) {
      await writer.abort(e).catch(() => {});
      throw e;
    }
    await this.finish();
  }

  /** `virStreamFinish`: the data is complete; settles once the driver has it all in place. */
  async finish(): Promise<void> {
    if (this.#data?.writable) await (this.#writer ??= this.writable.getWriter()).close();
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

  #side<K extends "readable" | "writable">(side: K, api: string): NonNullable<DriverStream[K]> {
    const s = this.#data?.[side];
    if (!s) throw VirError.report("STREAMS", "NO_SUPPORT", api);
    return s as NonNullable<DriverStream[K]>;
  }
}
