/**
 * The gateway's TCP listener with the limits `Deno.serve` lacks (denoland/deno#3515): it has no
 * read timeouts, so a client sending a request head or body a byte at a time holds its
 * connection forever, and it reads a WebSocket message whole before the application can judge
 * its size. Here every TCP connection is relayed to a `Deno.serve` on a private unix socket
 * while a {@link WireTracker} follows what the client sends, so that:
 *
 * - a request head must arrive within `headersTimeoutMs` (else 408), a whole request within
 *   `requestTimeoutMs` plus what its body earns at `minBodyBytesPerSecond`, and a connection
 *   with nothing in flight closes after `idleTimeoutMs` (Node's `headersTimeout`,
 *   `requestTimeout` and `keepAliveTimeout`; Kestrel's minimum body data rate);
 * - a head beyond `maxHeadBytes` gets 431, a WebSocket message beyond `maxMessageBytes` is
 *   refused from its frame header with close code 1009, before any of it is buffered;
 * - at most `maxConnections` connections are open at once.
 *
 * The relay costs one local socket hop per request; it is used for TCP, which faces the network.
 * The unix socket, reachable only by the owner and group of its file, is served directly.
 *
 * @module
 */
import { VirError } from "../util/errors.ts";
import { DEFAULT_LIMITS } from "./limits.ts";
import {
  concatBytes,
  FrameReader,
  type WireLimits,
  type WireRefusal,
  WireTracker,
} from "./wire_tracker.ts";

/** Limits of a guarded listener. */
export interface ConnectionLimits extends WireLimits {
  /** Time a request head may take, from its first byte (default 30 s). */
  headersTimeoutMs: number;
  /**
   * Time a whole request (head and body) may take (default 300 s, as Node's), extended by the
   * time its body takes at `minBodyBytesPerSecond`: a large upload at a fair rate is never cut,
   * a trickle is.
   */
  requestTimeoutMs: number;
  /** The body rate that earns a request more time (default 64 KiB/s). */
  minBodyBytesPerSecond: number;
  /** Time a connection may stay silent both ways between requests (default 120 s). */
  idleTimeoutMs: number;
  /** Connections open at once; more are closed on accept (default 4096). */
  maxConnections: number;
}

/** The defaults of {@link ConnectionLimits}. */
export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = {
  headersTimeoutMs: 30_000,
  requestTimeoutMs: 300_000,
  minBodyBytesPerSecond: 64 * 1024,
  idleTimeoutMs: 120_000,
  maxConnections: 4096,
  maxHeadBytes: 64 * 1024,
  // A WebSocket message is a request: the same bound as a request body.
  maxMessageBytes: DEFAULT_LIMITS.maxBodyBytes,
};

/** Where and how to listen. */
export interface GuardedListenOptions {
  hostname: string;
  port: number;
  /** PEM certificate and key: TLS is ended here, before the relay. */
  cert?: string;
  key?: string;
  onListen?: (addr: Deno.NetAddr) => void;
}

/** A running guarded listener. */
export interface GuardedServer {
  /** The address it listens on. */
  readonly addr: Deno.NetAddr;
  /** Stops accepting, closes every connection and the inner server. */
  shutdown(): Promise<void>;
}

const CRLF2 = [13, 10, 13, 10];
/** How long a refused client's remaining input is drained before its socket closes. */
const LINGER_MS = 1000;
const latin1 = new TextDecoder("latin1");

const STATUS_TEXT: Record<number, string> = {
  400: "Bad Request",
  408: "Request Timeout",
  431: "Request Header Fields Too Large",
};

/**
 * Serves `handler` on TCP behind the connection guard.
 *
 * @example
 * ```ts
 * import { serveGuarded } from "./guarded_listener.ts";
 * const server = await serveGuarded({ hostname: "127.0.0.1", port: 0 }, () => new Response("ok"));
 * const res = await fetch(`http://127.0.0.1:${server.addr.port}/`);
 * console.log(await res.text()); // "ok"
 * await server.shutdown();
 * ```
 */
export async function serveGuarded(
  options: GuardedListenOptions,
  handler: (req: Request) => Response | Promise<Response>,
  limits: Partial<ConnectionLimits> = {},
): Promise<GuardedServer> {
  const l = { ...DEFAULT_CONNECTION_LIMITS, ...limits };
  const dir = await Deno.makeTempDir({ prefix: "edgevirt-relay-" });
  await Deno.chmod(dir, 0o700);
  const path = `${dir}/http.sock`;
  const inner = Deno.serve({ path, transport: "unix", onListen: () => {} }, handler);
  let listener: Deno.Listener;
  try {
    listener = options.cert
      ? Deno.listenTls({
        hostname: options.hostname,
        port: options.port,
        cert: options.cert,
        key: options.key!,
      })
      : Deno.listen({ hostname: options.hostname, port: options.port });
  } catch (e) {
    await inner.shutdown();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
    throw e;
  }
  const addr = listener.addr as Deno.NetAddr;
  options.onListen?.(addr);

  const relays = new Set<Relay>();
  // One sweep for every connection's deadline, fine enough for the smallest timeout.
  const sweep = setInterval(() => {
    const now = Date.now();
    for (const r of relays) if (now >= r.deadline) r.expire();
  }, Math.max(20, Math.min(1000, l.headersTimeoutMs / 4)));

  const accepting = (async () => {
    for await (const conn of listener) {
      if (relays.size >= l.maxConnections) {
        conn.close();
        continue;
      }
      const relay = new Relay(conn, l);
      relays.add(relay);
      relay.run(path).finally(() => relays.delete(relay));
    }
  })().catch(() => {});

  return {
    addr,
    async shutdown() {
      clearInterval(sweep);
      listener.close();
      await accepting;
      for (const r of relays) r.close();
      await inner.shutdown();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}

/** One client connection and its relay to the inner server. */
class Relay {
  deadline = Infinity;
  #client: Deno.Conn;
  #up: Deno.Conn | undefined;
  #limits: ConnectionLimits;
  #tracker: WireTracker;
  #serverFrames = new FrameReader(false, Infinity);
  #requestStart = 0;
  #bodyBytes = 0;
  #lastActivity = Date.now();
  #answer: ((accepted: boolean) => void) | undefined;
  #status = "";
  #headMatch = 0;
  #websocket = false;
  /** Client writes in order, so a close frame never lands inside a server frame's bytes. */
  #writes: Promise<void> = Promise.resolve();
  /** A last message is queued: the connection closes after it. */
  #finishing = false;
  #closed = false;

  constructor(client: Deno.Conn, limits: ConnectionLimits) {
    this.#client = client;
    this.#limits = limits;
    this.#tracker = new WireTracker(limits);
    this.#setDeadline();
  }

  async run(path: string): Promise<void> {
    try {
      this.#up = await Deno.connect({ transport: "unix", path });
      // A half-close is passed on (Deno.serve then ends the connection, as it does without the
      // relay); a failing client ends everything.
      this.#fromClient().then(() => this.#up?.closeWrite(), () => this.close()).catch(() => {});
      await this.#fromServer();
    } catch {
      // A reset or closed socket on either side ends the relay.
    } finally {
      await this.#writes.catch(() => {});
      this.close();
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.deadline = Infinity;
    this.#answer?.(false);
    for (const c of [this.#client, this.#up]) {
      try {
        c?.close();
      } catch {
        // Already closed.
      }
    }
  }

  /** The deadline passed: a late head gets 408, anything else just ends. */
  expire(): void {
    if (this.#tracker.phase === "head") this.#refuseHttp(408, "request head too slow");
    else this.close();
  }

  #setDeadline(): void {
    const l = this.#limits;
    switch (this.#tracker.phase) {
      case "idle":
        this.deadline = this.#lastActivity + l.idleTimeoutMs;
        break;
      case "head":
      case "upgrading":
        this.deadline = this.#requestStart + l.headersTimeoutMs;
        break;
      case "body":
        this.deadline = this.#requestStart + l.requestTimeoutMs +
          this.#bodyBytes * 1000 / l.minBodyBytesPerSecond;
        break;
      case "websocket":
        // The WebSocket has its own: the gateway's auth deadline and Deno's ping timeout.
        this.deadline = Infinity;
    }
  }

  async #fromClient(): Promise<void> {
    const buf = new Uint8Array(64 * 1024);
    for (;;) {
      const n = await this.#client.read(buf);
      if (n === null) return;
      this.#lastActivity = Date.now();
      let chunk = buf.subarray(0, n);
      while (chunk.length > 0 || this.#tracker.phase === "upgrading") {
        if (this.#tracker.phase === "idle") {
          this.#requestStart = this.#lastActivity;
          this.#bodyBytes = 0;
        }
        const inBody = this.#tracker.phase === "body";
        const taken = this.#tracker.feed(chunk);
        if (typeof taken !== "number") return this.#refuse(taken);
        // Bytes of a chunk that began in the body: the body's, near enough for a deadline.
        if (inBody) this.#bodyBytes += taken;
        if (taken > 0) await writeAll(this.#up!, chunk.subarray(0, taken));
        chunk = chunk.subarray(taken);
        this.#setDeadline();
        if (this.#tracker.phase === "upgrading") {
          // Frames or requests? Only the server's answer tells; the client waits for it too.
          const accepted = await new Promise<boolean>((resolve) => (this.#answer = resolve));
          if (this.#closed) return;
          this.#tracker.upgraded(accepted);
          this.#setDeadline();
        }
      }
    }
  }

  async #fromServer(): Promise<void> {
    const buf = new Uint8Array(64 * 1024);
    for (;;) {
      const n = await this.#up!.read(buf);
      if (n === null) return;
      this.#lastActivity = Date.now();
      // Not a copy: written before the buffer is read into again.
      const chunk = buf.subarray(0, n);
      if (this.#answer) this.#readAnswer(chunk);
      else if (this.#websocket) this.#serverFrames.feed(chunk, 0);
      // Only a last message (a refusal) can be on its way: then the rest goes after it.
      this.#writes = this.#finishing
        ? this.#writes.then(() => writeAll(this.#client, chunk))
        : writeAll(this.#client, chunk);
      await this.#writes;
      if (this.#tracker.phase === "idle") this.#setDeadline();
    }
  }

  /** The head of the answer to an upgrade request: 101 or not, and where frames begin. */
  #readAnswer(chunk: Uint8Array): void {
    if (this.#status.length < 12) this.#status += latin1.decode(chunk.subarray(0, 16));
    let end = -1;
    for (let i = 0; i < chunk.length && end < 0; i++) {
      const b = chunk[i];
      this.#headMatch = b === CRLF2[this.#headMatch] ? this.#headMatch + 1 : b === 13 ? 1 : 0;
      if (this.#headMatch === 4) end = i + 1;
    }
    if (end < 0) return;
    const answer = this.#answer!;
    this.#answer = undefined;
    this.#websocket = /^HTTP\/1\.[01] 101\b/.test(this.#status);
    this.#status = "";
    this.#headMatch = 0;
    if (this.#websocket) this.#serverFrames.feed(chunk, end);
    answer(this.#websocket);
  }

  #refuse(r: WireRefusal): void {
    if ("status" in r) return this.#refuseHttp(r.status, r.reason);
    const reason = new TextEncoder().encode(r.reason).subarray(0, 123);
    const frame = new Uint8Array([0x88, reason.length + 2, r.wsClose >> 8, r.wsClose & 0xff]);
    this.#up?.close();
    this.#up = undefined;
    this.#finish(() =>
      this.#serverFrames.atBoundary
        ? writeAll(this.#client, concatBytes([frame, reason]))
        : Promise.resolve()
    );
  }

  #refuseHttp(status: number, reason: string): void {
    const body = new TextEncoder().encode(JSON.stringify(VirError.report("RPC", "RPC", reason)));
    const head = `HTTP/1.1 ${status} ${STATUS_TEXT[status]}\r\ncontent-type: application/json\r\n` +
      `content-length: ${body.length}\r\nconnection: close\r\n\r\n`;
    this.#finish(() => writeAll(this.#client, concatBytes([new TextEncoder().encode(head), body])));
  }

  /**
   * Writes a last message after whatever is being written, then closes — lingering: the
   * client's unread bytes are drained for a moment first, since closing a socket with unread
   * input resets it, and a reset can make the client lose the message before it reads it.
   */
  #finish(last: () => Promise<void>): void {
    this.deadline = Infinity;
    this.#finishing = true;
    this.#writes = this.#writes.then(last).then(() => this.#linger()).catch(() => {})
      .finally(() => this.close());
  }

  async #linger(): Promise<void> {
    await this.#client.closeWrite();
    const timer = setTimeout(() => this.close(), LINGER_MS);
    try {
      const buf = new Uint8Array(64 * 1024);
      while ((await this.#client.read(buf)) !== null);
    } finally {
      clearTimeout(timer);
    }
  }
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  // Nearly always one write: the loop's subarray only for the rest of a partial one.
  let off = await conn.write(bytes);
  while (off < bytes.length) off += await conn.write(bytes.subarray(off));
}
