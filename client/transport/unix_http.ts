/**
 * A small HTTP/1.1 client over Deno unix sockets, for talking to the local daemon. Deno's own
 * `fetch` through `createHttpClient` works too, but its first request in a process costs
 * 10–30 ms of setup, which is most of a one-command evsh run; a request written by hand on
 * `Deno.connect` costs under 1 ms. It speaks exactly what the gateway answers: a status line,
 * headers, then a body with `content-length`, `transfer-encoding: chunked` (event streams) or
 * none; connections are kept alive and reused one request at a time.
 *
 * @example
 * ```ts ignore
 * import { unixSocketFetch } from "./unix_http.ts";
 * const f = unixSocketFetch("/run/user/1000/edgevirt/edgevirt-sock");
 * console.log((await f("http://localhost/")).status);
 * ```
 * @module
 */

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const CRLF2 = encoder.encode("\r\n\r\n");

/** Buffered reads from one connection. */
class Reader {
  #conn: Deno.UnixConn;
  #buf = new Uint8Array(0);

  constructor(conn: Deno.UnixConn) {
    this.#conn = conn;
  }

  /** Reads more bytes into the buffer; false at end of stream. */
  async #fill(): Promise<boolean> {
    const chunk = new Uint8Array(65536);
    const n = await this.#conn.read(chunk);
    if (n === null) return false;
    const next = new Uint8Array(this.#buf.length + n);
    next.set(this.#buf);
    next.set(chunk.subarray(0, n), this.#buf.length);
    this.#buf = next;
    return true;
  }

  #take(n: number): Uint8Array<ArrayBuffer> {
    const out = this.#buf.slice(0, n);
    this.#buf = this.#buf.slice(n);
    return out;
  }

  /** Bytes up to and without `delimiter`, which is consumed. */
  async until(delimiter: Uint8Array): Promise<Uint8Array<ArrayBuffer>> {
    while (true) {
      const i = indexOf(this.#buf, delimiter);
      if (i >= 0) {
        const out = this.#take(i);
        this.#take(delimiter.length);
        return out;
      }
      if (!(await this.#fill())) throw new Error("connection closed by the daemon");
    }
  }

  /** Exactly `n` bytes. */
  async exactly(n: number): Promise<Uint8Array<ArrayBuffer>> {
    while (this.#buf.length < n) {
      if (!(await this.#fill())) throw new Error("connection closed by the daemon");
    }
    return this.#take(n);
  }

  /** Whatever is buffered or arrives next; null at end of stream. */
  async some(): Promise<Uint8Array<ArrayBuffer> | null> {
    if (!this.#buf.length && !(await this.#fill())) return null;
    return this.#take(this.#buf.length);
  }
}

function indexOf(haystack: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

const CRLF = encoder.encode("\r\n");

/**
 * A response whose body was read whole (`content-length`): the part of `Response` the remote
 * driver reads (`status`, `ok`, `headers`, `text()`, `json()`), without the stream machinery
 * a real `Response` sets up, which costs a short-lived process several ms on its first one.
 */
class BufferedResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body = null;
  #bytes: Uint8Array;

  constructor(status: number, headers: Headers, bytes: Uint8Array) {
    this.status = status;
    this.headers = headers;
    this.#bytes = bytes;
  }

  get ok(): boolean {
    return this.status >= 200 && this.status < 300;
  }

  text(): Promise<string> {
    return Promise.resolve(decoder.decode(this.#bytes));
  }

  async json(): Promise<unknown> {
    return JSON.parse(await this.text());
  }
}

interface Pooled {
  conn: Deno.UnixConn;
  reader: Reader;
}

/**
 * A `fetch` for `http://localhost/…` requests sent over the unix socket at `path`. Bodies are
 * strings (the client sends JSON); an aborted `signal` closes the connection and rejects with
 * the signal's reason, as `fetch` does.
 */
export function unixSocketFetch(path: string): typeof fetch {
  const idle: Pooled[] = [];
  const release = (p: Pooled) => idle.push(p);

  const send = async (p: Pooled, head: string, body: Uint8Array) => {
    const bytes = new Uint8Array(head.length * 3 + body.length);
    const { written } = encoder.encodeInto(head, bytes);
    bytes.set(body, written);
    let n = 0;
    const total = written + body.length;
    while (n < total) n += await p.conn.write(bytes.subarray(n, total));
  };

  const request = async (
    p: Pooled,
    method: string,
    target: string,
    headers: Headers,
    body: Uint8Array,
  ): Promise<Response> => {
    let head = `${method} ${target} HTTP/1.1\r\nhost: localhost\r\n`;
    headers.forEach((v, k) => (head += `${k}: ${v}\r\n`));
    head += `content-length: ${body.length}\r\n\r\n`;
    await send(p, head, body);
    const lines = decoder.decode(await p.reader.until(CRLF2)).split("\r\n");
    const status = Number(lines[0].split(" ")[1]);
    const resHeaders = new Headers();
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(":");
      if (colon > 0) resHeaders.append(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
    }
    const noBody = method === "HEAD" || status === 204 || status === 304;
    const length = resHeaders.get("content-length");
    if (noBody || length !== null) {
      const bytes = noBody ? new Uint8Array(0) : await p.reader.exactly(Number(length));
      release(p);
      return new BufferedResponse(status, resHeaders, bytes) as unknown as Response;
    }
    const chunked = resHeaders.get("transfer-encoding")?.toLowerCase() === "chunked";
    const stream = new ReadableStream<Uint8Array>({
      async pull(controller) {
        try {
          if (!chunked) {
            const bytes = await p.reader.some();
            if (bytes) controller.enqueue(bytes);
            else {
              p.conn.close();
              controller.close();
            }
            return;
          }
          const size = parseInt(decoder.decode(await p.reader.until(CRLF)), 16);
          if (size === 0) {
            await p.reader.until(CRLF);
            release(p);
            controller.close();
            return;
          }
          controller.enqueue(await p.reader.exactly(size));
          await p.reader.until(CRLF);
        } catch (e) {
          controller.error(e);
        }
      },
      cancel() {
        p.conn.close();
      },
    });
    return new Response(stream, { status, headers: resHeaders });
  };

  return async (input, init) => {
    const url = new URL(typeof input === "string" || input instanceof URL ? input : input.url);
    const method = init?.method ?? "GET";
    const headers = new Headers(init?.headers);
    const body = typeof init?.body === "string" ? encoder.encode(init.body) : new Uint8Array(0);
    const signal = init?.signal;
    signal?.throwIfAborted();
    for (let attempt = 0;; attempt++) {
      const reused = idle.pop();
      const p = reused ?? await (async () => {
        const conn = await Deno.connect({ transport: "unix", path });
        return { conn, reader: new Reader(conn) };
      })();
      const abort = () => p.conn.close();
      signal?.addEventListener("abort", abort, { once: true });
      try {
        return await request(p, method, url.pathname + url.search, headers, body);
      } catch (e) {
        try {
          p.conn.close();
        } catch {
          // closed by the abort already
        }
        if (signal?.aborted) throw signal.reason;
        // A kept-alive connection the daemon closed meanwhile: once more on a fresh one.
        if (!reused || attempt > 0) throw e;
      } finally {
        signal?.removeEventListener("abort", abort);
      }
    }
  };
}
