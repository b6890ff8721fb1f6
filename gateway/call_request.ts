/**
 * The part of a request the gateway's call routes read, so that a call can be answered from a
 * web `Request` (`Deno.serve`, `app.request`) or from the bytes the guarded TCP listener read
 * itself, without the cost of making a `Request` of them (URL parsing, WebIDL checks of every
 * header, a body stream).
 *
 * @module
 */

/** Headers as the call routes read them; a web `Headers` is one. */
export interface HeaderView {
  get(name: string): string | null;
  has(name: string): boolean;
}

/** A request as the call routes read it; a web `Request` is one. */
export interface CallRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: HeaderView;
  /** The body as a stream (an upload's piece), or `null` for none. */
  readonly body: ReadableStream<Uint8Array> | null;
  json(): Promise<unknown>;
}

/** Routes a listener may answer in-process from the requests it reads. */
export interface InProcessCalls {
  /** Whether the request with this head is answered by {@link answer}, its body read whole. */
  takes(req: CallRequest): boolean;
  answer(req: CallRequest): Promise<Response>;
}

const utf8 = new TextDecoder();

/** Header names to their values, repeats joined with ", " as `Headers` joins them. */
class HeadHeaders implements HeaderView {
  #map = new Map<string, string>();

  add(name: string, value: string): void {
    const had = this.#map.get(name);
    this.#map.set(name, had === undefined ? value : `${had}, ${value}`);
  }

  get(name: string): string | null {
    return this.#map.get(name.toLowerCase()) ?? null;
  }

  has(name: string): boolean {
    return this.#map.has(name.toLowerCase());
  }

  entries(): [string, string][] {
    return [...this.#map];
  }
}

/**
 * A request read from the wire: its head parsed, its body given once it has all come.
 *
 * @example
 * ```ts
 * import { WireRequest } from "./call_request.ts";
 * const head = "POST /v1/test/default/call/connectGetURI HTTP/1.1\r\nHost: h:1\r\n" +
 *   "Content-Length: 2\r\n\r\n";
 * const req = WireRequest.parse(head, "http", "127.0.0.1:1")!;
 * req.content = new TextEncoder().encode("[]");
 * console.log(req.url, await req.json()); // http://h:1/v1/test/default/call/connectGetURI []
 * ```
 */
export class WireRequest implements CallRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: HeadHeaders;
  /** Whether the connection ends after the answer (HTTP/1.0, or `Connection: close`). */
  readonly lastOnConnection: boolean;
  /** The body's bytes, once they have all come. */
  content: Uint8Array = new Uint8Array(0);

  private constructor(method: string, url: string, headers: HeadHeaders, last: boolean) {
    this.method = method;
    this.url = url;
    this.headers = headers;
    this.lastOnConnection = last;
  }

  /**
   * Parses a whole head (request line and header fields, as latin-1 text). `undefined` for a
   * head that is not an origin-form HTTP/1.x request with well-formed fields.
   */
  static parse(head: string, scheme: string, host: string): WireRequest | undefined {
    const lines = head.split("\n");
    let k = 0;
    const m = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+) (\/\S*) HTTP\/1\.([01])\r?$/.exec(lines[k] ?? "");
    if (!m) return undefined;
    const headers = new HeadHeaders();
    for (k++; k < lines.length; k++) {
      const line = lines[k].replace(/\r$/, "");
      if (line === "") break;
      const colon = line.indexOf(":");
      const name = line.slice(0, colon);
      // RFC 9112 §5.1: no whitespace between a field name and its colon; no obsolete folding.
      if (colon <= 0 || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) return undefined;
      headers.add(name.toLowerCase(), line.slice(colon + 1).trim());
    }
    // An authority only (RFC 3986 §3.2): a `Host` with a path in it would move the URL's path.
    const authority = headers.get("host") ?? host;
    if (!/^[A-Za-z0-9._~%!$&'()*+,;=:[\]-]+$/.test(authority)) return undefined;
    const connection = headers.get("connection")?.toLowerCase() ?? "";
    const last = m[3] === "0" ? !/\bkeep-alive\b/.test(connection) : /\bclose\b/.test(connection);
    return new WireRequest(
      m[1],
      `${scheme}://${authority}${m[2]}`,
      headers,
      last,
    );
  }

  /** A web `Request` of the head (without the body), for handlers that need one. */
  toRequest(): Request | undefined {
    try {
      return new Request(this.url, { method: this.method, headers: this.headers.entries() });
    } catch {
      // A field value `Headers` refuses, or a `Host` no URL can have.
      return undefined;
    }
  }

  get body(): ReadableStream<Uint8Array> | null {
    const content = this.content;
    if (content.length === 0) return null;
    return new ReadableStream({
      start(controller) {
        controller.enqueue(content);
        controller.close();
      },
    });
  }

  json(): Promise<unknown> {
    try {
      return Promise.resolve(JSON.parse(utf8.decode(this.content)));
    } catch (e) {
      return Promise.reject(e);
    }
  }
}
