/**
 * A QMP client over any duplex byte stream: reads the greeting, negotiates capabilities,
 * correlates replies to commands by id, delivers asynchronous events in arrival order, times
 * out single commands and notices EOF.
 *
 * @module
 */
import { type ByteStream, readLines } from "./byte_stream.ts";
import { QmpClosedError, QmpCommandError, QmpTimeoutError } from "./errors.ts";

/** One asynchronous QMP event. */
export interface QmpEvent {
  event: string;
  data: Record<string, unknown>;
  timestamp?: { seconds: number; microseconds: number };
}

/** QEMU's greeting (`{"QMP": {"version": …, "capabilities": […]}}`). */
export interface QmpGreeting {
  version: { qemu: { major: number; minor: number; micro: number }; package: string };
  capabilities: string[];
}

/** Options for {@link QmpClient.open}. */
export interface QmpClientOptions {
  /** Default per-command timeout in ms (default 30 s); 0 disables it. */
  timeoutMs?: number;
  /** Called when the stream fails with something other than a clean EOF. */
  onError?: (err: unknown) => void;
}

interface Pending {
  command: string;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
  timer?: ReturnType<typeof setTimeout>;
}

/**
 * A connected QMP monitor.
 *
 * @example
 * ```ts
 * import { QmpClient } from "./qmp_client.ts";
 * const conn = await Deno.connect({ transport: "unix", path: "/tmp/qmp.sock" });
 * const qmp = await QmpClient.open(conn);
 * qmp.onEvent((ev) => console.log(ev.event));
 * const status = await qmp.execute("query-status");
 * await qmp.close();
 * ```
 */
export class QmpClient {
  /** QEMU's greeting. */
  readonly greeting: QmpGreeting;
  /** Resolves when the monitor connection ends, for whatever reason. */
  readonly closed: Promise<void>;

  #writer: WritableStreamDefaultWriter<Uint8Array>;
  #reader: ReadableStreamDefaultReader<Uint8Array>;
  #lines: AsyncGenerator<string>;
  #pending = new Map<string, Pending>();
  #listeners = new Set<(ev: QmpEvent) => void>();
  #nextId = 1;
  #isClosed = false;
  #timeoutMs: number;
  #encoder = new TextEncoder();
  #stream: ByteStream;
  #markClosed!: () => void;

  private constructor(
    stream: ByteStream,
    reader: ReadableStreamDefaultReader<Uint8Array>,
    lines: AsyncGenerator<string>,
    greeting: QmpGreeting,
    options: QmpClientOptions,
  ) {
    this.#stream = stream;
    this.#reader = reader;
    this.#lines = lines;
    this.greeting = greeting;
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    this.#writer = stream.writable.getWriter();
    this.closed = new Promise((r) => (this.#markClosed = r));
    this.#readLoop(options.onError);
  }

  /**
   * Reads the greeting from `stream` and enters command mode (`qmp_capabilities`). Rejects
   * with {@link QmpClosedError} if the stream ends first.
   */
  static async open(stream: ByteStream, options: QmpClientOptions = {}): Promise<QmpClient> {
    const reader = stream.readable.getReader();
    const lines = readLines(reader);
    const first = await lines.next();
    const greeting = first.done
      ? undefined
      : (JSON.parse(first.value) as { QMP?: QmpGreeting }).QMP;
    if (!greeting) {
      await reader.cancel().catch(() => {});
      closeQuietly(stream);
      throw new QmpClosedError(first.done ? undefined : "QEMU monitor greeting missing");
    }
    const client = new QmpClient(stream, reader, lines, greeting, options);
    await client.execute("qmp_capabilities");
    return client;
  }

  /** True once the connection ended. */
  get isClosed(): boolean {
    return this.#isClosed;
  }

  /** Adds an event listener; events reach listeners synchronously in arrival order. */
  onEvent(listener: (ev: QmpEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Runs one command and resolves with its `return` value. Rejects with
   * {@link QmpCommandError}, {@link QmpTimeoutError} or {@link QmpClosedError}.
   */
  execute<T = unknown>(
    command: string,
    args?: Record<string, unknown>,
    options: { timeoutMs?: number } = {},
  ): Promise<T> {
    if (this.#isClosed) return Promise.reject(new QmpClosedError());
    const id = `ev-${this.#nextId++}`;
    const msg: Record<string, unknown> = { execute: command, id };
    if (args) msg.arguments = args;
    const timeoutMs = options.timeoutMs ?? this.#timeoutMs;
    return new Promise<T>((resolve, reject) => {
      const pending: Pending = { command, resolve: resolve as (v: unknown) => void, reject };
      if (timeoutMs > 0) {
        pending.timer = setTimeout(() => {
          // A late reply for this id is then dropped by the read loop.
          this.#pending.delete(id);
          reject(new QmpTimeoutError(command, timeoutMs));
        }, timeoutMs);
      }
      this.#pending.set(id, pending);
      this.#writer.write(this.#encoder.encode(qmpJSON(msg) + "\r\n")).catch(() => {
        this.#settle(id)?.reject(new QmpClosedError());
      });
    });
  }

  /** Closes the connection; pending commands reject with {@link QmpClosedError}. */
  async close(): Promise<void> {
    if (!this.#isClosed) {
      await this.#writer.close().catch(() => {});
      // Cancelling the reader ends the read loop, which settles everything in #finish.
      await this.#reader.cancel().catch(() => {});
      this.#finish();
    }
    await this.closed;
  }

  #settle(id: string): Pending | undefined {
    const p = this.#pending.get(id);
    if (!p) return undefined;
    this.#pending.delete(id);
    if (p.timer !== undefined) clearTimeout(p.timer);
    return p;
  }

  async #readLoop(onError?: (err: unknown) => void): Promise<void> {
    try {
      for await (const line of this.#lines) this.#dispatch(line);
    } catch (err) {
      if (!this.#isClosed) onError?.(err);
    } finally {
      this.#finish();
    }
  }

  #dispatch(line: string): void {
    let msg: Record<string, unknown>;
    try {
      msg = JSON.parse(line);
    } catch {
      return; // QEMU never sends a broken line; a garbled one cannot be correlated anyway.
    }
    if (typeof msg.event === "string") {
      const ev: QmpEvent = {
        event: msg.event,
        data: (msg.data ?? {}) as Record<string, unknown>,
        timestamp: msg.timestamp as QmpEvent["timestamp"],
      };
      for (const l of [...this.#listeners]) l(ev);
      return;
    }
    const p = typeof msg.id === "string" ? this.#settle(msg.id) : undefined;
    if (!p) return;
    if ("error" in msg) {
      const e = msg.error as { class?: string; desc?: string };
      p.reject(new QmpCommandError(p.command, e.class ?? "GenericError", e.desc ?? ""));
    } else {
      p.resolve(msg.return);
    }
  }

  #finish(): void {
    if (this.#isClosed) return;
    this.#isClosed = true;
    for (const id of [...this.#pending.keys()]) this.#settle(id)?.reject(new QmpClosedError());
    this.#writer.close().catch(() => {});
    closeQuietly(this.#stream);
    this.#markClosed();
  }
}

function closeQuietly(stream: ByteStream): void {
  try {
    stream.close?.();
  } catch {
    // Already closed by the peer: nothing left to release.
  }
}

/**
 * A command as QEMU reads it: an integer past 2^53 (or a bigint, such as a disk's 64-bit WWN)
 * keeps all its digits (libvirt's largest
 * bandwidth, 2^63 - 2^20, is exact as a double, but JSON.stringify would write it rounded to
 * 9223372036853727000, which QEMU would take as a different 64-bit integer).
 */
function qmpJSON(msg: unknown): string {
  const big: string[] = [];
  const text = JSON.stringify(
    msg,
    (_key, value) =>
      typeof value === "bigint" ||
        (typeof value === "number" && Number.isInteger(value) && !Number.isSafeInteger(value))
        ? `\u0000big${big.push(BigInt(value).toString()) - 1}`
        : value,
  );
  return big.length ? text.replace(/"\\u0000big(\d+)"/g, (_, i) => big[Number(i)]) : text;
}
