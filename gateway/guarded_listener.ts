/**
 * The gateway's TCP listener with the limits `Deno.serve` lacks (denoland/deno#3515): it has no
 * read timeouts, so a client sending a request head or body a byte at a time holds its
 * connection forever, and it reads a WebSocket message whole before the application can judge
 * its size. Here the HTTP requests of every TCP connection are relayed to a `Deno.serve` on a
 * private unix socket, and its WebSockets are served in-process ({@link RelayWebSocket}: the
 * handler upgrades with `upgradeWebSocket` of `ws_upgrade.ts`), while a {@link WireTracker}
 * follows what the client sends, so that:
 *
 * - a request head must arrive within `headersTimeoutMs` (else 408), a whole request within
 *   `requestTimeoutMs` plus what its body earns at `minBodyBytesPerSecond`, and a connection
 *   with nothing in flight closes after `idleTimeoutMs` (Node's `headersTimeout`,
 *   `requestTimeout` and `keepAliveTimeout`; Kestrel's minimum body data rate);
 * - a head beyond `maxHeadBytes` gets 431, a WebSocket message beyond `maxMessageBytes` is
 *   refused from its frame header with close code 1009, before any of it is buffered;
 * - at most `maxConnections` connections are open at once.
 *
 * The relay costs one local socket hop per HTTP request other than a call or an upload's piece
 * (a WebSocket message takes none); it is used for TCP, which faces the network. The unix
 * socket, reachable only by the owner and group of its file, is served directly.
 *
 * @module
 */
import { VirError } from "../util/errors.ts";
import { BodyPool } from "./body_pool.ts";
import { type InProcessCalls, WireRequest } from "./call_request.ts";
import { ConnWriter, writeAll } from "./conn_writer.ts";
import { DEFAULT_LIMITS } from "./limits.ts";
import { RelayWebSocket } from "./relay_websocket.ts";
import { concatBytes, type WireLimits, type WireRefusal, WireTracker } from "./wire_tracker.ts";
import { isUpgradeAnswer, offerUpgrade, upgradeAnswer } from "./ws_upgrade.ts";

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
  /**
   * Bytes a WebSocket may have waiting to be written to a client that does not read them
   * (events it subscribed to, answers it does not collect) before the connection is cut
   * (default 64 MiB): the gateway holds them, so a client must not decide how many.
   */
  maxQueuedBytes: number;
}

/** The defaults of {@link ConnectionLimits}. */
export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = {
  headersTimeoutMs: 30_000,
  requestTimeoutMs: 300_000,
  minBodyBytesPerSecond: 64 * 1024,
  idleTimeoutMs: 120_000,
  maxConnections: 4096,
  maxQueuedBytes: 64 * 1024 * 1024,
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
  /**
   * Requests answered here instead of by the handler through the inner server (the gateway's
   * calls, an upload's pieces): no socket hop, no `Request` built. On a connection that sent
   * requests to the inner server, its answers come first and its connection is ended, so that
   * answers keep their order.
   */
  calls?: InProcessCalls;
}

/** A running guarded listener. */
export interface GuardedServer {
  /** The address it listens on. */
  readonly addr: Deno.NetAddr;
  /** Stops accepting, closes every connection and the inner server. */
  shutdown(): Promise<void>;
}

/** How long a refused client's remaining input is drained before its socket closes. */
const LINGER_MS = 1000;
const encoder = new TextEncoder();
const WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/** Reason phrases of the answers the listener writes itself (others go without one). */
const STATUS_TEXT: Record<number, string> = {
  200: "OK",
  201: "Created",
  202: "Accepted",
  204: "No Content",
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  408: "Request Timeout",
  409: "Conflict",
  412: "Precondition Failed",
  413: "Content Too Large",
  415: "Unsupported Media Type",
  421: "Misdirected Request",
  426: "Upgrade Required",
  429: "Too Many Requests",
  431: "Request Header Fields Too Large",
  500: "Internal Server Error",
  503: "Service Unavailable",
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
  const scheme = options.cert ? "https" : "http";
  const host = addr.hostname.includes(":")
    ? `[${addr.hostname}]:${addr.port}`
    : `${addr.hostname}:${addr.port}`;

  const relays = new Set<Relay>();
  // An upload's pieces are 1 MiB (client/remote/stream.ts); a few in flight at once.
  const bodies = new BodyPool(1024 * 1024, 16);
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
      const relay = new Relay(conn, l, {
        path,
        handler,
        calls: options.calls,
        bodies,
        scheme,
        host,
      });
      relays.add(relay);
      relay.run().finally(() => relays.delete(relay));
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

/** What a relay needs beside its connection. */
interface RelayContext {
  /** The inner server's unix socket. */
  path: string;
  /** The handler, for the upgrade requests served in-process. */
  handler: (req: Request) => Response | Promise<Response>;
  calls?: InProcessCalls;
  /** Room for the bodies of those calls. */
  bodies: BodyPool;
  scheme: "http" | "https";
  /** The listener's address, for a request without a `Host`. */
  host: string;
}

/**
 * One client connection: its HTTP requests relayed to the inner server, connected on the first
 * one; or, after an upgrade, a WebSocket served here.
 */
class Relay {
  deadline = Infinity;
  #client: Deno.Conn;
  #ctx: RelayContext;
  #up: Deno.Conn | undefined;
  #upDone: Promise<void> | undefined;
  /** The inner connection is being ended for a request served here: its end is not the relay's. */
  #switching = false;
  #limits: ConnectionLimits;
  #tracker: WireTracker;
  #requestStart = 0;
  #bodyBytes = 0;
  #lastActivity = Date.now();
  /** The start of a request head whose end has not come yet (copies). */
  #heldHead: Uint8Array[] = [];
  /** A call answered here, and how much of its body (sized by its head) has come. */
  #call: { req: WireRequest; at: number } | undefined;
  #ws: RelayWebSocket | undefined;
  #wsOut: ConnWriter | undefined;
  /** Client writes in order, so a refusal never lands inside an answer's bytes. */
  #writes: Promise<void> = Promise.resolve();
  /** A last message is queued: the connection closes after it. */
  #finishing = false;
  #closed = false;

  constructor(client: Deno.Conn, limits: ConnectionLimits, ctx: RelayContext) {
    this.#client = client;
    this.#limits = limits;
    this.#ctx = ctx;
    this.#tracker = new WireTracker(limits);
    this.#setDeadline();
  }

  async run(): Promise<void> {
    try {
      await this.#fromClient();
      // The client has sent all it will: a WebSocket ends; answers still owed are relayed
      // (a half-close is passed on, and Deno.serve ends the connection once they are out).
      if (this.#ws) this.#ws.peerEnded();
      else if (this.#up && !this.#finishing) {
        await this.#up.closeWrite();
        await this.#upDone;
      }
    } catch {
      // A reset or closed socket on either side ends the relay.
    } finally {
      await this.#writes.catch(() => {});
      await this.#wsOut?.flushed();
      this.close();
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    // A body that never came whole is nobody's.
    if (this.#call) this.#ctx.bodies.give(this.#call.req.content);
    this.#call = undefined;
    this.deadline = Infinity;
    this.#ws?.peerEnded();
    for (const c of [this.#client, this.#up]) {
      try {
        c?.close();
      } catch {
        // Already closed.
      }
    }
  }

  /** The deadline passed: a late head gets 408, a WebSocket its idle check, the rest just ends. */
  expire(): void {
    if (this.#ws) {
      this.#ws.tick(Date.now());
      return this.#setDeadline();
    }
    if (this.#tracker.phase === "head") this.#refuseHttp(408, "request head too slow");
    else this.close();
  }

  #setDeadline(): void {
    if (this.#finishing) return;
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
        // The socket's own: the idle ping, a close waiting for the client's answer.
        this.deadline = this.#ws?.deadline ?? Infinity;
    }
  }

  async #fromClient(): Promise<void> {
    const buf = new Uint8Array(64 * 1024);
    for (;;) {
      const n = await this.#client.read(buf);
      if (n === null || this.#finishing) return;
      this.#lastActivity = Date.now();
      let chunk = buf.subarray(0, n);
      // Piece by piece: the tracker stops at the end of each head and each body.
      while (chunk.length > 0) {
        const phase = this.#tracker.phase;
        if (phase === "idle") {
          this.#requestStart = this.#lastActivity;
          this.#bodyBytes = 0;
        }
        const taken = this.#tracker.feed(chunk);
        if (typeof taken !== "number") return this.#refuse(taken);
        const piece = chunk.subarray(0, taken);
        chunk = chunk.subarray(taken);
        if (this.#ws) {
          this.#ws.feed(piece);
        } else if (phase === "body") {
          this.#bodyBytes += taken;
          if (!(await this.#body(piece))) return;
        } else if (!(await this.#head(piece))) return;
        this.#setDeadline();
      }
    }
  }

  /**
   * A piece of a request head. Held until the head ends; then an upgrade or a call is served
   * here, anything else goes to the inner server. False when the connection is ending.
   */
  async #head(piece: Uint8Array): Promise<boolean> {
    const phase = this.#tracker.phase;
    if (phase === "head") {
      // A copy: the caller reads into its buffer again.
      this.#heldHead.push(piece.slice());
      return true;
    }
    const held = this.#heldHead;
    this.#heldHead = [];
    if (phase === "upgrading") return this.#upgrade();
    const calls = this.#ctx.calls;
    if (calls) {
      const req = WireRequest.parse(this.#tracker.lastHead, this.#ctx.scheme, this.#ctx.host);
      if (req && calls.takes(req)) {
        if (!(await this.#endInner())) return false;
        // Its length was checked against the body limit (`takes`).
        req.content = this.#ctx.bodies.take(Number(req.headers.get("content-length")));
        this.#call = { req, at: 0 };
        return phase === "body" || this.#answerCall(calls);
      }
    }
    await this.#toServer(concatBytes([...held, piece]));
    return true;
  }

  /** A piece of a request body: the call's, or the inner server's. */
  async #body(piece: Uint8Array): Promise<boolean> {
    if (!this.#call) {
      await this.#toServer(piece);
      return true;
    }
    this.#call.req.content.set(piece, this.#call.at);
    this.#call.at += piece.length;
    return this.#tracker.phase !== "idle" || this.#answerCall(this.#ctx.calls!);
  }

  /** Answers the call whose body has come, on the connection's keep-alive unless it ends. */
  async #answerCall(calls: InProcessCalls): Promise<boolean> {
    const { req } = this.#call!;
    this.#call = undefined;
    let res: Response;
    try {
      res = await calls.answer(req);
    } catch {
      res = new Response(null, { status: 500 });
    } finally {
      // Answered: the driver has the body's bytes wherever it keeps them.
      this.#ctx.bodies.give(req.content);
    }
    const bytes = new Uint8Array(await res.arrayBuffer());
    const answer = concatBytes([answerHead(res, bytes.length, req.lastOnConnection), bytes]);
    if (req.lastOnConnection) {
      this.#finish(() => writeAll(this.#client, answer));
      return false;
    }
    this.#writes = writeAll(this.#client, answer);
    await this.#writes;
    return !this.#closed;
  }

  /**
   * Before a request is answered here: the requests the inner server was given on this
   * connection are answered first, and its connection ended (the next request for it opens
   * another). A client waits for an answer before its next request (keep-alive), so there is
   * rarely anything left to wait for. False when the client's connection ended meanwhile.
   */
  async #endInner(): Promise<boolean> {
    if (!this.#up) return true;
    this.#switching = true;
    await this.#up.closeWrite().catch(() => {});
    await this.#upDone;
    await this.#writes.catch(() => {});
    this.#up.close();
    this.#up = undefined;
    this.#switching = false;
    return !this.#closed;
  }

  async #toServer(bytes: Uint8Array): Promise<void> {
    if (!this.#up) {
      const up = await Deno.connect({ transport: "unix", path: this.#ctx.path });
      this.#up = up;
      this.#upDone = this.#fromServer(up).catch(() => {}).then(() => {
        if (!this.#switching) this.close();
      });
    }
    await writeAll(this.#up, bytes);
  }

  async #fromServer(up: Deno.Conn): Promise<void> {
    const buf = new Uint8Array(64 * 1024);
    for (;;) {
      const n = await up.read(buf);
      if (n === null) return;
      this.#lastActivity = Date.now();
      // Not a copy: written before the buffer is read into again.
      const chunk = buf.subarray(0, n);
      // Only a last message (a refusal) can be on its way: then the rest goes after it.
      this.#writes = this.#finishing
        ? this.#writes.then(() => writeAll(this.#client, chunk))
        : writeAll(this.#client, chunk);
      await this.#writes;
      if (this.#tracker.phase === "idle") this.#setDeadline();
    }
  }

  /**
   * Serves an upgrade request here: the handler runs on a request built from the head, and
   * a WebSocket it accepts reads this connection's frames from now on. Anything else it
   * answers is written, and the connection closed. False when the connection is ending.
   */
  async #upgrade(): Promise<boolean> {
    if (!(await this.#endInner())) return false;
    const req = WireRequest.parse(this.#tracker.lastHead, this.#ctx.scheme, this.#ctx.host)
      ?.toRequest();
    if (!req) {
      this.#refuseHttp(400, "bad request head");
      return false;
    }
    let accepted: { ws: RelayWebSocket; key: string } | undefined;
    offerUpgrade(req, (options) => {
      const key = handshakeKey(req);
      const ws = new RelayWebSocket(options.protocol ?? "");
      accepted = { ws, key };
      return { socket: ws, response: upgradeAnswer() };
    });
    let res: Response;
    try {
      res = await this.#ctx.handler(req);
    } catch {
      res = new Response(null, { status: 500 });
    }
    if (this.#closed) return false;
    if (!accepted || !isUpgradeAnswer(res)) {
      const body = new Uint8Array(await res.arrayBuffer().catch(() => new ArrayBuffer(0)));
      this.#finish(() =>
        writeAll(this.#client, concatBytes([answerHead(res, body.length, true), body]))
      );
      return false;
    }
    const { ws, key } = accepted;
    // Answers go out as they are ready, several in flight at once: Nagle's algorithm would hold
    // each one after the first until the client's delayed acknowledgement.
    // (A TLS connection has no such switch.)
    (this.#client as Partial<Deno.TcpConn>).setNoDelay?.(true);
    const out = new ConnWriter(this.#client);
    out.write(encoder.encode(
      "HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: Upgrade\r\n" +
        `sec-websocket-accept: ${await acceptKey(key)}\r\n` +
        (ws.protocol ? `sec-websocket-protocol: ${ws.protocol}\r\n` : "") + "\r\n",
    ));
    this.#tracker.upgraded(true);
    this.#ws = ws;
    this.#wsOut = out;
    ws.accept({
      write: (b) => {
        out.write(b);
        // Past the kernel's socket buffers, and then this much more: the client is not reading.
        if (out.bufferedAmount > this.#limits.maxQueuedBytes) this.close();
      },
      end: () => this.#finish(() => out.flushed()),
    });
    return true;
  }

  #refuse(r: WireRefusal): void {
    if ("status" in r) return this.#refuseHttp(r.status, r.reason);
    // Only a WebSocket's frames are refused with a close code.
    this.#ws!.fail(r.wsClose, r.reason);
  }

  #refuseHttp(status: number, reason: string): void {
    const body = encoder.encode(JSON.stringify(VirError.report("RPC", "RPC", reason)));
    const head = `HTTP/1.1 ${status} ${STATUS_TEXT[status]}\r\ncontent-type: application/json\r\n` +
      `content-length: ${body.length}\r\nconnection: close\r\n\r\n`;
    this.#finish(() => writeAll(this.#client, concatBytes([encoder.encode(head), body])));
  }

  /**
   * Writes a last message after whatever is being written, then closes — lingering: the
   * client's unread bytes are drained for a moment first, since closing a socket with unread
   * input resets it, and a reset can make the client lose the message before it reads it.
   */
  #finish(last: () => Promise<void>): void {
    if (this.#finishing) return;
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

/** The checks `Deno.upgradeWebSocket` makes, with its errors; the client's key. */
function handshakeKey(req: Request): string {
  if (req.headers.get("upgrade")?.toLowerCase() !== "websocket") {
    throw new TypeError("Invalid Header: 'upgrade' header must contain 'websocket'");
  }
  const connection = req.headers.get("connection") ?? "";
  if (!connection.split(",").some((o) => o.trim().toLowerCase() === "upgrade")) {
    throw new TypeError("Invalid Header: 'connection' header must contain 'Upgrade'");
  }
  const key = req.headers.get("sec-websocket-key");
  if (key === null) throw new TypeError("Invalid Header: 'sec-websocket-key' header must be set");
  return key;
}

/** `Sec-WebSocket-Accept` for a client's key (RFC 6455 §4.2.2). */
async function acceptKey(key: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-1", encoder.encode(key + WS_GUID));
  return btoa(String.fromCharCode(...new Uint8Array(digest)));
}

/** The head of an answer the listener writes itself; `last` ends the connection. */
function answerHead(res: Response, length: number, last: boolean): Uint8Array {
  // RFC 9110 §6.6.1: an origin server with a clock sends its Date, as Deno.serve does.
  let head = `HTTP/1.1 ${res.status} ${STATUS_TEXT[res.status] ?? ""}\r\ndate: ${httpDate()}\r\n`;
  res.headers.forEach((value, name) => {
    if (
      name !== "content-length" && name !== "transfer-encoding" && name !== "connection" &&
      name !== "date"
    ) {
      head += `${name}: ${value}\r\n`;
    }
  });
  // RFC 9112 §6.3: a 204 or 304 has no body, and says nothing of its length.
  if (res.status !== 204 && res.status !== 304) head += `content-length: ${length}\r\n`;
  return encoder.encode(head + (last ? "connection: close\r\n" : "") + "\r\n");
}

/** The IMF-fixdate of now, made once a second. */
let dateSecond = 0;
let dateText = "";
function httpDate(): string {
  const now = Date.now();
  const second = Math.floor(now / 1000);
  if (second !== dateSecond) {
    dateSecond = second;
    dateText = new Date(now).toUTCString();
  }
  return dateText;
}
