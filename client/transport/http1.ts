/**
 * A small keep-alive HTTP/1.1 client written on Deno connections, behind the remote driver's
 * `GatewayFetch` (the part of `fetch` it uses), for host programs (`host.ts` passes it; the portable client does not carry it):
 * over the unix socket of the local daemon or a gateway's `--unix`, and over TCP to a gateway
 * at an `http://` origin. Deno's own `fetch` works too, but through `createHttpClient` its first
 * request in a process costs 10–30 ms of setup (most of a one-command evsh run), and for one
 * small JSON call it spends more time building and converting its Request, Headers and body
 * streams than the gateway spends on the call (about 80 µs against 20 µs, measured by
 * `tests/bench/gateway_bench.ts`); here a request is one buffer written in one go, and an
 * answer is no `Response`. It speaks
 * what the gateway answers: a status line, headers, then a body with `content-length`,
 * `transfer-encoding: chunked` (event streams) or until the connection closes. Idle connections
 * are reused, one request at a time each; any number run in parallel on connections of their
 * own.
 *
 * @example
 * ```ts ignore
 * import { unixSocketFetch } from "./http1.ts";
 * const f = unixSocketFetch("/run/user/1000/edgevirt/edgevirt-sock");
 * console.log((await f("http://localhost/")).status);
 * ```
 * @module
 */

import type { GatewayFetch, GatewayRequestInit, GatewayResponse } from "../../util/driver.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const CR = 13;
const LF = 10;

/** One connection and what has been read from it but not consumed yet. */
class Connection {
  readonly conn: Deno.Conn;
  #buf = new Uint8Array(16 * 1024);
  #start = 0;
  #end = 0;

  constructor(conn: Deno.Conn) {
    this.conn = conn;
  }

  /** Reads more; false at the end of the stream. */
  async #fill(): Promise<boolean> {
    if (this.#start === this.#end) this.#start = this.#end = 0;
    if (this.#end === this.#buf.length) {
      const live = this.#end - this.#start;
      const next = live * 2 > this.#buf.length ? new Uint8Array(this.#buf.length * 2) : this.#buf;
      next.set(this.#buf.subarray(this.#start, this.#end));
      this.#buf = next;
      this.#start = 0;
      this.#end = live;
    }
    const n = await this.conn.read(this.#buf.subarray(this.#end));
    if (n === null) return false;
    this.#end += n;
    return true;
  }

  /** The bytes up to the next CRLF (which is consumed), as text; `null` at the end. */
  async line(): Promise<string | null> {
    let from = this.#start;
    for (;;) {
      const at = this.#buf.subarray(from, this.#end).indexOf(LF);
      if (at >= 0) {
        const lf = from + at;
        const end = lf > this.#start && this.#buf[lf - 1] === CR ? lf - 1 : lf;
        const text = decoder.decode(this.#buf.subarray(this.#start, end));
        this.#start = lf + 1;
        return text;
      }
      from = this.#end;
      const offset = from - this.#start;
      if (!(await this.#fill())) return null;
      from = this.#start + offset;
    }
  }

  /** The head of an answer (status line and headers, up to the empty line). */
  async head(): Promise<string[] | null> {
    const lines: string[] = [];
    for (;;) {
      const line = await this.line();
      if (line === null) {
        if (lines.length) throw closed();
        return null;
      }
      if (line === "") return lines;
      lines.push(line);
    }
  }

  /** Exactly `n` bytes (a copy: the buffer is reused). */
  async exactly(n: number): Promise<Uint8Array<ArrayBuffer>> {
    while (this.#end - this.#start < n) {
      if (!(await this.#fill())) throw closed();
    }
    const out = this.#buf.slice(this.#start, this.#start + n);
    this.#start += n;
    return out;
  }

  /** Whatever is buffered or arrives next; `null` at the end. */
  async some(): Promise<Uint8Array<ArrayBuffer> | null> {
    if (this.#start === this.#end && !(await this.#fill())) return null;
    const out = this.#buf.slice(this.#start, this.#end);
    this.#start = this.#end;
    return out;
  }

  close(): void {
    try {
      this.conn.close();
    } catch {
      // closed already (an abort, or the peer)
    }
  }
}

function closed(): Error {
  return new TypeError("connection closed before the answer was complete");
}

/**
 * An answer as the remote driver reads it. Not a `Response`: Deno loads its fetch code on the
 * first `Response` (or `Request`, `Headers`) a process makes, which costs a one-command evsh run
 * about 10 ms, for an answer whose status, one header and text are all it reads.
 */
class Answer implements GatewayResponse {
  readonly status: number;
  readonly body: ReadableStream<Uint8Array<ArrayBuffer>> | null;
  readonly #headers: [string, string][];
  #bytes: Uint8Array<ArrayBuffer> | null;

  constructor(
    status: number,
    headers: [string, string][],
    bytes: Uint8Array<ArrayBuffer> | null,
    body: ReadableStream<Uint8Array<ArrayBuffer>> | null,
  ) {
    this.status = status;
    this.#headers = headers;
    this.#bytes = bytes;
    this.body = body;
  }

  get ok(): boolean {
    return this.status >= 200 && this.status < 300;
  }

  readonly headers = {
    get: (name: string): string | null => {
      const key = name.toLowerCase();
      const values = this.#headers.filter(([k]) => k === key).map(([, v]) => v);
      return values.length ? values.join(", ") : null;
    },
  };

  async text(): Promise<string> {
    if (this.body) {
      const text = new TextDecoder();
      let out = "";
      for await (const bytes of this.body) out += text.decode(bytes, { stream: true });
      return out + text.decode();
    }
    const bytes = this.#bytes;
    this.#bytes = null;
    return bytes ? decoder.decode(bytes) : "";
  }

  async json(): Promise<unknown> {
    return JSON.parse(await this.text());
  }
}

/**
 * A body this large goes in a write of its own after the head's, rather than copied behind
 * the head: a stream's MiB pieces would otherwise cost an allocation and a copy each.
 */
const OWN_WRITE = 64 * 1024;

/** The request as bytes: the head and the body in one buffer, or a large body apart. */
function message(
  method: string,
  path: string,
  host: string,
  init?: GatewayRequestInit,
): Uint8Array[] {
  const body = init?.body ?? "";
  if (typeof body !== "string" && !(body instanceof Uint8Array)) {
    throw new TypeError("only string and byte bodies are supported");
  }
  const bytes = typeof body === "string" ? encoder.encode(body) : body;
  let head = `${method} ${path} HTTP/1.1\r\nhost: ${host}\r\n`;
  for (const k in init?.headers) head += `${k}: ${init.headers[k]}\r\n`;
  if (bytes.length || method === "POST") head += `content-length: ${bytes.length}\r\n`;
  head += "\r\n";
  if (bytes.length >= OWN_WRITE) return [encoder.encode(head), bytes];
  // Room for the head as UTF-8: three bytes per UTF-16 unit at most.
  const out = new Uint8Array(head.length * 3 + bytes.length);
  const { written } = encoder.encodeInto(head, out);
  out.set(bytes, written);
  return [out.subarray(0, written + bytes.length)];
}

/**
 * A `fetch` over connections from `connect`, for an `http://` origin whose `Host` is `host`.
 * Bodies are strings or bytes (the client sends JSON); an aborted `signal` closes the
 * connection and rejects (or errors the body) with the signal's reason, as `fetch` does. A
 * kept-alive connection the peer closed meanwhile is retried on a fresh one.
 *
 * @example
 * ```ts ignore
 * import { http1Fetch } from "./http1.ts";
 * const f = http1Fetch(() => Deno.connect({ hostname: "127.0.0.1", port: 16510 }), "127.0.0.1");
 * console.log((await f("http://127.0.0.1:16510/")).status);
 * ```
 */
export function http1Fetch(connect: () => Promise<Deno.Conn>, host: string): GatewayFetch {
  const idle: Connection[] = [];

  /** The answer to a request on `c` whose head was read; `release` ends the request. */
  const respond = async (
    c: Connection,
    head: string[],
    method: string,
    release: (keep: boolean) => void,
    failure: (e: unknown) => unknown,
  ): Promise<GatewayResponse> => {
    const status = parseInt(head[0].slice(9, 12), 10);
    const headers: [string, string][] = [];
    let length = -1;
    let chunked = false;
    let keepAlive = true;
    for (let i = 1; i < head.length; i++) {
      const line = head[i];
      const colon = line.indexOf(":");
      if (colon <= 0) continue;
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      headers.push([name, value]);
      if (name === "content-length") length = parseInt(value, 10);
      else if (name === "transfer-encoding") chunked = value.toLowerCase() === "chunked";
      else if (name === "connection") keepAlive = value.toLowerCase() !== "close";
    }
    const empty = status === 204 || status === 304;
    if (method === "HEAD" || empty || (!chunked && length >= 0)) {
      const body = length > 0 && method !== "HEAD" && !empty ? await c.exactly(length) : null;
      release(keepAlive);
      return new Answer(status, headers, body, null);
    }
    const body = new ReadableStream<Uint8Array<ArrayBuffer>>({
      async pull(controller) {
        try {
          if (!chunked) {
            const bytes = await c.some();
            if (bytes) return controller.enqueue(bytes);
            release(false);
            return controller.close();
          }
          const size = parseInt((await c.line()) ?? "", 16);
          if (!(size >= 0)) throw closed();
          if (size === 0) {
            // Trailers, if any, up to the empty line.
            while (await c.line());
            release(keepAlive);
            return controller.close();
          }
          controller.enqueue(await c.exactly(size));
          await c.line();
        } catch (e) {
          release(false);
          controller.error(failure(e));
        }
      },
      cancel() {
        release(false);
      },
    });
    return new Answer(status, headers, null, body);
  };

  return async (url, init) => {
    const method = init?.method ?? "GET";
    const parts = message(method, url.slice(url.indexOf("/", url.indexOf("//") + 2)), host, init);
    const signal = init?.signal;
    signal?.throwIfAborted();
    for (;;) {
      const reused = idle.pop();
      const c = reused ?? new Connection(await connect());
      const abort = () => c.close();
      signal?.addEventListener("abort", abort);
      let released = false;
      const release = (keep: boolean) => {
        if (released) return;
        released = true;
        signal?.removeEventListener("abort", abort);
        if (keep && !signal?.aborted) idle.push(c);
        else c.close();
      };
      let head: string[] | null;
      try {
        for (const bytes of parts) {
          for (let n = 0; n < bytes.length;) n += await c.conn.write(bytes.subarray(n));
        }
        head = await c.head();
      } catch (e) {
        release(false);
        if (signal?.aborted) throw signal.reason;
        if (reused) continue;
        throw e;
      }
      if (!head) {
        // Closed before a byte came back: a kept-alive connection the peer let go.
        release(false);
        if (reused) continue;
        throw closed();
      }
      const failure = (e: unknown) => signal?.aborted ? signal.reason : e;
      try {
        return await respond(c, head, method, release, failure);
      } catch (e) {
        release(false);
        throw failure(e);
      }
    }
  };
}

/**
 * {@link http1Fetch} over the unix socket at `path`.
 *
 * @example
 * ```ts ignore
 * import { unixSocketFetch } from "./http1.ts";
 * const f = unixSocketFetch("/run/user/1000/edgevirt/edgevirt-sock");
 * ```
 */
export function unixSocketFetch(path: string): GatewayFetch {
  return http1Fetch(() => Deno.connect({ transport: "unix", path }), "localhost");
}

/**
 * {@link http1Fetch} over TCP for a plain `http://` origin; `undefined` for others (TLS stays
 * with the runtime's `fetch`).
 *
 * @example
 * ```ts ignore
 * import { tcpFetch } from "./http1.ts";
 * const f = tcpFetch("http://127.0.0.1:16510");
 * ```
 */
export function tcpFetch(origin: string): GatewayFetch | undefined {
  const url = new URL(origin);
  if (url.protocol !== "http:") return undefined;
  const hostname = url.hostname.replace(/^\[|\]$/g, "");
  const port = Number(url.port || 80);
  return http1Fetch(async () => {
    const conn = await Deno.connect({ hostname, port });
    // Calls are small request/answer pairs: Nagle's delay would only add latency.
    conn.setNoDelay(true);
    return conn;
  }, url.host);
}
