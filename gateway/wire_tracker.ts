/**
 * Follows the bytes a client sends on one HTTP/1.1 connection — request heads, bodies (by
 * length or chunked), and after an accepted upgrade the WebSocket frames — without holding any
 * of them, so that the connection guard knows at each moment which deadline applies and can
 * refuse an oversized head or WebSocket message from its header, before the runtime buffers it.
 *
 * @module
 */

/** Where the client stands on its connection. */
export type WirePhase = "idle" | "head" | "body" | "upgrading" | "websocket";

/** Why the tracker refuses the rest of a connection. */
export type WireRefusal =
  | { readonly status: 400 | 431; readonly reason: string }
  | { readonly wsClose: 1002 | 1009; readonly reason: string };

/** The limits the tracker enforces. */
export interface WireLimits {
  /** Largest request head (request line and headers), in bytes. */
  readonly maxHeadBytes: number;
  /** Largest WebSocket message (all its fragments), in bytes. */
  readonly maxMessageBytes: number;
}

const latin1 = new TextDecoder("latin1");
const FRAMING_HEADERS = new Set(["transfer-encoding", "content-length", "upgrade"]);

/**
 * The client-to-server byte stream of one connection, as a state machine fed with what arrives.
 *
 * @example
 * ```ts
 * import { WireTracker } from "./wire_tracker.ts";
 * const t = new WireTracker({ maxHeadBytes: 1024, maxMessageBytes: 16 });
 * const bytes = new TextEncoder().encode("POST / HTTP/1.1\r\nContent-Length: 3\r\n\r\nab");
 * t.feed(bytes); // 38: the head, up to its end
 * t.feed(bytes.subarray(38)); // 2
 * console.log(t.phase); // "body": one byte of the body still to come
 * ```
 */
export class WireTracker {
  #limits: WireLimits;
  #phase: WirePhase = "idle";
  /** Pieces of the current head so far (heads are small and bounded), and their length. */
  #head: Uint8Array[] = [];
  #headBytes = 0;
  /** Whether the line being read has anything but carriage returns. */
  #lineHasText = false;
  /** Body: bytes left of a sized body, or of the current chunk. */
  #left = 0;
  #chunked = false;
  /** Chunked body: the size line being read, or the CRLF after a chunk, or the trailer. */
  #chunkState: "size" | "data" | "data-end" | "trailer" = "size";
  #line: number[] = [];
  #frames: FrameReader;
  #lastHead = "";

  constructor(limits: WireLimits) {
    this.#limits = limits;
    this.#frames = new FrameReader(limits.maxMessageBytes);
  }

  /** The text of the last whole request head (latin-1, blank lines around it trimmed). */
  get lastHead(): string {
    return this.#lastHead;
  }

  /** The current phase. */
  get phase(): WirePhase {
    return this.#phase;
  }

  /**
   * The server answered the upgrade request: with 101 the connection carries WebSocket frames
   * from now on, otherwise it goes on with HTTP requests.
   */
  upgraded(accepted: boolean): void {
    if (this.#phase === "upgrading") this.#phase = accepted ? "websocket" : "idle";
  }

  /**
   * Follows `bytes`. Returns how many were taken — up to the end of a request head or of a
   * body, where the caller may look at what it has before feeding the rest (after an upgrade
   * request, it must: the rest waits until {@link upgraded} says what it is) — or a refusal
   * when they break a limit or the protocol, after which the connection must be closed.
   */
  feed(bytes: Uint8Array): number | WireRefusal {
    let i = 0;
    while (i < bytes.length) {
      switch (this.#phase) {
        case "idle":
          this.#phase = "head";
          break;
        case "head": {
          const r = this.#readHead(bytes, i);
          if (typeof r !== "number") return r;
          if (this.phase !== "head") return r;
          i = r;
          break;
        }
        case "body":
          i = this.#chunked ? this.#readChunked(bytes, i) : this.#readSized(bytes, i);
          if (i < 0) return { status: 400, reason: "bad chunked body" };
          if (this.phase === "idle") return i;
          break;
        // Whether what follows an upgrade request is frames or requests depends on the answer.
        case "upgrading":
          return i;
        case "websocket": {
          const r = this.#frames.feed(bytes, i);
          if (typeof r !== "number") return r;
          i = r;
          break;
        }
      }
    }
    return i;
  }

  /** Line by line (the bytes between line feeds are looked at as a whole, not one by one). */
  #readHead(bytes: Uint8Array, from: number): number | WireRefusal {
    // Where this call's part of the head begins: kept as one piece.
    let start = from;
    for (let i = from; i < bytes.length;) {
      const lf = bytes.indexOf(10, i);
      const end = lf < 0 ? bytes.length : lf + 1;
      this.#headBytes += end - i;
      if (this.#headBytes > this.#limits.maxHeadBytes) {
        return { status: 431, reason: `request head exceeds ${this.#limits.maxHeadBytes} bytes` };
      }
      // Carriage returns do not count: a line of them is empty.
      let last = lf < 0 ? end : lf;
      while (last > i && bytes[last - 1] === 13) last--;
      if (last > i) this.#lineHasText = true;
      i = end;
      if (lf < 0) break;
      // An empty line (CRLF or a bare LF, RFC 9112 §2.2) ends the head, or is one of the
      // blank lines a client may send before a request line.
      const empty = !this.#lineHasText;
      this.#lineHasText = false;
      if (!empty) continue;
      this.#head.push(bytes.subarray(start, end));
      start = end;
      const head = latin1.decode(concatBytes(this.#head)).trim();
      this.#head = [];
      this.#headBytes = 0;
      if (head === "") continue;
      this.#lastHead = head;
      return this.#startBody(head) ?? end;
    }
    // A copy: the caller reads into its buffer again.
    if (start < bytes.length) this.#head.push(bytes.slice(start));
    return bytes.length;
  }

  #startBody(head: string): WireRefusal | undefined {
    // Only the headers that say where the body ends, or that frames follow; repeats joined.
    const headers = new Map<string, string>();
    const lines = head.split("\n");
    for (let k = 1; k < lines.length; k++) {
      const line = lines[k];
      const colon = line.indexOf(":");
      if (colon <= 0) continue;
      const name = line.slice(0, colon).trim().toLowerCase();
      if (!FRAMING_HEADERS.has(name)) continue;
      const value = line.slice(colon + 1).trim();
      headers.set(name, headers.has(name) ? `${headers.get(name)}, ${value}` : value);
    }
    const te = headers.get("transfer-encoding")?.toLowerCase();
    const cl = headers.get("content-length");
    if (te !== undefined) {
      if (!/(^|,)\s*chunked\s*$/.test(te)) return { status: 400, reason: "bad transfer-encoding" };
      this.#chunked = true;
      this.#chunkState = "size";
      this.#line = [];
      this.#phase = "body";
      return undefined;
    }
    if (cl !== undefined) {
      if (!/^\d{1,15}$/.test(cl)) return { status: 400, reason: "bad content-length" };
      this.#chunked = false;
      this.#left = Number(cl);
    }
    const upgrade = /\bwebsocket\b/i.test(headers.get("upgrade") ?? "");
    this.#phase = upgrade ? "upgrading" : cl !== undefined && this.#left > 0 ? "body" : "idle";
    return undefined;
  }

  #readSized(bytes: Uint8Array, from: number): number {
    const n = Math.min(this.#left, bytes.length - from);
    this.#left -= n;
    if (this.#left === 0) this.#phase = "idle";
    return from + n;
  }

  /** Chunked transfer coding (RFC 9112 §7.1); -1 on a malformed body. */
  #readChunked(bytes: Uint8Array, from: number): number {
    let i = from;
    while (i < bytes.length && this.#phase === "body") {
      if (this.#chunkState === "data") {
        const n = Math.min(this.#left, bytes.length - i);
        this.#left -= n;
        i += n;
        if (this.#left === 0) {
          this.#chunkState = "data-end";
          this.#line = [];
        }
        continue;
      }
      const b = bytes[i++];
      this.#line.push(b);
      if (this.#line.length > 4096) return -1;
      if (b !== 10) continue;
      const line = latin1.decode(new Uint8Array(this.#line)).replace(/\r?\n$/, "");
      this.#line = [];
      if (this.#chunkState === "data-end") {
        if (line !== "") return -1;
        this.#chunkState = "size";
      } else if (this.#chunkState === "size") {
        const m = /^([0-9a-fA-F]{1,12})(;.*)?$/.exec(line);
        if (!m) return -1;
        this.#left = parseInt(m[1], 16);
        this.#chunkState = this.#left === 0 ? "trailer" : "data";
      } else if (line === "") {
        this.#phase = "idle";
      }
    }
    return i;
  }
}

/**
 * A client's WebSocket frames (RFC 6455 §5.2), followed from their headers: payloads are
 * skipped, never held, and a message's size is known as soon as each frame header arrives.
 *
 * @example
 * ```ts
 * import { FrameReader } from "./wire_tracker.ts";
 * const frames = new FrameReader(16);
 * // A masked binary frame announcing 17 bytes: refused from its header (2 bytes and the key).
 * console.log(frames.feed(new Uint8Array([0x82, 0x91, 0, 0, 0, 0]), 0)); // { wsClose: 1009, … }
 * ```
 */
export class FrameReader {
  #maxMessageBytes: number;
  #header: number[] = [];
  #payloadLeft = 0;
  #messageBytes = 0;

  /** Messages up to `maxMessageBytes`. */
  constructor(maxMessageBytes: number) {
    this.#maxMessageBytes = maxMessageBytes;
  }

  /** Follows `bytes` from `from`; returns where it stopped (the end) or a refusal. */
  feed(bytes: Uint8Array, from: number): number | WireRefusal {
    let i = from;
    while (i < bytes.length) {
      if (this.#payloadLeft > 0) {
        const n = Math.min(this.#payloadLeft, bytes.length - i);
        this.#payloadLeft -= n;
        i += n;
        continue;
      }
      this.#header.push(bytes[i++]);
      if (this.#header.length < frameHeaderLength(this.#header)) continue;
      const f = this.#header;
      this.#header = [];
      const opcode = f[0] & 0x0f;
      const length = framePayloadLength(f);
      if (!(f[1] & 0x80)) return { wsClose: 1002, reason: "client frames must be masked" };
      if (opcode >= 8) {
        // Control frames carry at most 125 bytes and may come between a message's fragments.
        if (length > 125) return { wsClose: 1002, reason: "control frame too long" };
      } else {
        this.#messageBytes += length;
        if (this.#messageBytes > this.#maxMessageBytes) {
          return { wsClose: 1009, reason: `message exceeds ${this.#maxMessageBytes} bytes` };
        }
        if (f[0] & 0x80) this.#messageBytes = 0;
      }
      this.#payloadLeft = length;
    }
    return i;
  }
}

/**
 * The length of a WebSocket frame header whose first bytes are `f` (2 until the length byte is
 * known).
 *
 * @example
 * ```ts
 * import { frameHeaderLength } from "./wire_tracker.ts";
 * console.log(frameHeaderLength([0x81, 0xfe])); // 8: a 16-bit length, then the mask key
 * ```
 */
export function frameHeaderLength(f: ArrayLike<number>): number {
  if (f.length < 2) return 2;
  const len7 = f[1] & 0x7f;
  return 2 + (len7 === 126 ? 2 : len7 === 127 ? 8 : 0) + ((f[1] & 0x80) ? 4 : 0);
}

/**
 * The payload length a whole WebSocket frame header `f` announces.
 *
 * @example
 * ```ts
 * import { framePayloadLength } from "./wire_tracker.ts";
 * console.log(framePayloadLength([0x81, 0xfe, 1, 0])); // 256
 * ```
 */
export function framePayloadLength(f: ArrayLike<number>): number {
  const len7 = f[1] & 0x7f;
  if (len7 < 126) return len7;
  if (len7 === 126) return (f[2] << 8) | f[3];
  // 64-bit lengths: anything past 2^53 is far beyond any limit, so doubles are exact enough.
  let n = 0;
  for (let k = 2; k < 10; k++) n = n * 256 + f[k];
  return n;
}

/**
 * One buffer of `parts`, in order (the part itself when there is one).
 *
 * @example
 * ```ts
 * import { concatBytes } from "./wire_tracker.ts";
 * console.log(concatBytes([new Uint8Array([1]), new Uint8Array([2, 3])])); // Uint8Array [1, 2, 3]
 * ```
 */
export function concatBytes(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
