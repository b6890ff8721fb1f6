/**
 * The server side of a WebSocket (RFC 6455) read from the bytes a listener hands over and
 * written through it: what the guarded TCP listener serves in-process instead of passing the
 * connection on to `Deno.serve`. It behaves as Deno's server WebSocket does where the gateway
 * can tell: text and binary messages (fragmented or not), ping answered with pong, the close
 * handshake, protocol errors ended with 1002 (1007 for text that is not UTF-8), and Deno's idle
 * check (a ping after half the idle timeout without a frame from the client, then 1001 "No
 * response from ping frame." after the other half).
 *
 * Sizes are not checked here: the listener's wire tracker refuses a message from its frame
 * headers before any of it reaches {@link RelayWebSocket.feed}.
 *
 * @module
 */
import type { ServerSocket } from "./ws_upgrade.ts";
import { concatBytes, frameHeaderLength, framePayloadLength } from "./wire_tracker.ts";

/** Where a socket's frames go. */
export interface WsTransport {
  /** Queues bytes to the client, in order. */
  write(bytes: Uint8Array): void;
  /** Ends the connection once everything written is out. */
  end(): void;
}

const CONNECTING = 0;
const OPEN = 1;
const CLOSING = 2;
const CLOSED = 3;

const CONTINUATION = 0x0;
const TEXT = 0x1;
const BINARY = 0x2;
const CLOSE = 0x8;
const PING = 0x9;
const PONG = 0xa;

/** Deno's default `idleTimeout` of a server WebSocket (30 s). */
export const DEFAULT_IDLE_TIMEOUT_MS = 30_000;
/** How long a close the server began waits for the client's close frame. */
const CLOSE_WAIT_MS = 2000;
/** Text shorter than this is encoded straight into its frame. */
const ENCODE_IN_PLACE = 16 * 1024;

const encoder = new TextEncoder();
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * One server WebSocket over a connection the listener reads.
 *
 * @example
 * ```ts
 * import { RelayWebSocket } from "./relay_websocket.ts";
 * const written: Uint8Array[] = [];
 * const ws = new RelayWebSocket("");
 * ws.onmessage = (e) => ws.send(`echo ${e.data}`);
 * ws.accept({ write: (b) => written.push(b), end: () => {} });
 * // A masked text frame "hi" (mask 0): FIN|text, MASK|2, the key, the payload.
 * ws.feed(new Uint8Array([0x81, 0x82, 0, 0, 0, 0, 0x68, 0x69]));
 * console.log(new TextDecoder().decode(written[0].subarray(2))); // "echo hi"
 * ```
 */
export class RelayWebSocket implements ServerSocket {
  onopen: ((ev: Event) => void) | null = null;
  onmessage: ((ev: MessageEvent) => void) | null = null;
  onclose: ((ev: CloseEvent) => void) | null = null;
  /** The subprotocol the server chose ("" for none). */
  readonly protocol: string;
  #closeListeners: (() => void)[] = [];
  #state = CONNECTING;
  #out: WsTransport | undefined;
  #idleMs: number;

  /** The frame header being read: its bytes so far, and how many it has in all. */
  #head = new Uint8Array(14);
  #headLen = 0;
  #headNeed = 2;
  /** The frame payload being read, and how much of it has come. */
  #payload: Uint8Array | undefined;
  #payloadAt = 0;
  /** The fragments of a message not finished yet, and its opcode. */
  #parts: Uint8Array[] = [];
  #partsOp = 0;

  #lastHeard = 0;
  #pingedAt = 0;
  #closeBy = Infinity;

  constructor(protocol: string, idleTimeoutMs = DEFAULT_IDLE_TIMEOUT_MS) {
    this.protocol = protocol;
    this.#idleMs = idleTimeoutMs;
  }

  get readyState(): number {
    return this.#state;
  }

  /** The handshake is written: frames flow through `out` from now on. */
  accept(out: WsTransport): void {
    this.#out = out;
    this.#state = OPEN;
    this.#lastHeard = Date.now();
    this.#call(this.onopen, new Event("open"));
  }

  addEventListener(_type: "close", listener: () => void): void {
    this.#closeListeners.push(listener);
  }

  send(data: string | Uint8Array): void {
    if (this.#state === CONNECTING) {
      throw new DOMException("readyState not OPEN", "InvalidStateError");
    }
    if (this.#state !== OPEN) return;
    if (typeof data !== "string") return this.#frame(BINARY, data);
    if (data.length >= ENCODE_IN_PLACE) return this.#frame(TEXT, encoder.encode(data));
    // The payload encoded after room for the longest header this size can need (4 bytes).
    const buf = new Uint8Array(4 + data.length * 3);
    const n = encoder.encodeInto(data, buf.subarray(4)).written;
    const h = n < 126 ? 2 : 4;
    writeHeader(buf, 4 - h, TEXT, n);
    this.#out!.write(buf.subarray(4 - h, 4 + n));
  }

  close(code?: number, reason = ""): void {
    if (code !== undefined && !sendableCode(code)) {
      throw new DOMException(`invalid close code ${code}`, "InvalidAccessError");
    }
    const why = encoder.encode(reason);
    if (why.length > 123) throw new DOMException("close reason too long", "SyntaxError");
    if (this.#state === CONNECTING) return this.#closed(1006, "", false);
    if (this.#state !== OPEN) return;
    this.#sendClose(code, why);
    this.#state = CLOSING;
    this.#closeBy = Date.now() + CLOSE_WAIT_MS;
  }

  /** When {@link tick} is next due: a ping to send, or a client to give up on. */
  get deadline(): number {
    if (this.#state === CLOSING) return this.#closeBy;
    if (this.#state !== OPEN || this.#idleMs <= 0) return Infinity;
    return (this.#pingedAt || this.#lastHeard) + this.#idleMs / 2;
  }

  /** Runs what is due at `now`: the idle ping, its timeout, or a close the client ignores. */
  tick(now: number): void {
    if (now < this.deadline) return;
    if (this.#state === CLOSING) return this.#closed(1006, "", false);
    if (!this.#pingedAt) {
      this.#pingedAt = now;
      return this.#frame(PING, new Uint8Array(0));
    }
    const reason = "No response from ping frame.";
    this.#sendClose(1001, encoder.encode(reason));
    this.#closed(1001, reason, false);
  }

  /** The client's side ended (or the connection broke) without a close handshake. */
  peerEnded(): void {
    if (this.#state !== CLOSED) this.#closed(1006, "", false);
  }

  /** Ends the socket for a frame the listener refused: a close frame saying why, and the end. */
  fail(code: number, reason: string): void {
    if (this.#state !== CLOSED) this.#fail(code, reason);
  }

  /** Takes the client's bytes, in order; `bytes` may be reused once this returns. */
  feed(bytes: Uint8Array): void {
    if (this.#state === CLOSED) return;
    this.#lastHeard = Date.now();
    this.#pingedAt = 0;
    let i = 0;
    while (i < bytes.length || (this.#payload && this.#payloadAt === this.#payload.length)) {
      if (!this.#payload) {
        while (this.#headLen < this.#headNeed && i < bytes.length) {
          this.#head[this.#headLen++] = bytes[i++];
          if (this.#headLen === 2) this.#headNeed = frameHeaderLength(this.#head);
        }
        if (this.#headLen < this.#headNeed) return;
        const problem = this.#startFrame();
        if (problem) return this.#fail(1002, problem);
        continue;
      }
      const n = Math.min(this.#payload.length - this.#payloadAt, bytes.length - i);
      this.#payload.set(bytes.subarray(i, i + n), this.#payloadAt);
      this.#payloadAt += n;
      i += n;
      if (this.#payloadAt === this.#payload.length) {
        this.#endFrame();
        if (this.#state === CLOSED) return;
      }
    }
  }

  /** A header is complete: checks it and makes room for its payload; a problem ends all. */
  #startFrame(): string | undefined {
    const h = this.#head;
    const op = h[0] & 0x0f;
    if (h[0] & 0x70) return "reserved bits set";
    if (!(h[1] & 0x80)) return "client frames must be masked";
    const length = framePayloadLength(h);
    if (op >= 8) {
      if (op !== CLOSE && op !== PING && op !== PONG) return `reserved opcode ${op}`;
      if (!(h[0] & 0x80)) return "fragmented control frame";
      if (length > 125) return "control frame too long";
    } else if (op !== CONTINUATION && op !== TEXT && op !== BINARY) {
      return `reserved opcode ${op}`;
    } else if (op === CONTINUATION ? !this.#partsOp : this.#partsOp) {
      return op === CONTINUATION ? "continuation without a message" : "expected a continuation";
    }
    this.#payload = new Uint8Array(length);
    this.#payloadAt = 0;
    return undefined;
  }

  #endFrame(): void {
    const h = this.#head;
    const fin = (h[0] & 0x80) !== 0;
    const op = h[0] & 0x0f;
    const payload = this.#payload!;
    unmask(payload, h.subarray(this.#headNeed - 4, this.#headNeed));
    this.#payload = undefined;
    this.#headLen = 0;
    this.#headNeed = 2;
    switch (op) {
      case CLOSE:
        return this.#closeFrame(payload);
      case PING:
        if (this.#state === OPEN) this.#frame(PONG, payload);
        return;
      case PONG:
        return;
    }
    if (op !== CONTINUATION) this.#partsOp = op;
    this.#parts.push(payload);
    if (!fin) return;
    const message = concatBytes(this.#parts);
    const kind = this.#partsOp;
    this.#parts = [];
    this.#partsOp = 0;
    // A close asked for (by the server) stops the messages, as the web API's socket does.
    if (this.#state !== OPEN) return;
    let data: string | ArrayBuffer;
    if (kind === TEXT) {
      try {
        data = utf8.decode(message);
      } catch {
        return this.#fail(1007, "invalid UTF-8 in a text message");
      }
    } else {
      data = message.buffer as ArrayBuffer;
    }
    this.#call(this.onmessage, new MessageEvent("message", { data }));
  }

  #closeFrame(payload: Uint8Array): void {
    if (payload.length === 1) return this.#fail(1002, "close frame with a one-byte payload");
    const code = payload.length >= 2 ? (payload[0] << 8) | payload[1] : 1005;
    if (payload.length >= 2 && !receivableCode(code)) {
      return this.#fail(1002, `invalid close code ${code}`);
    }
    let reason: string;
    try {
      reason = utf8.decode(payload.subarray(2));
    } catch {
      return this.#fail(1007, "invalid UTF-8 in a close reason");
    }
    // The client began the close: its code goes back to it (none if it sent none).
    if (this.#state === OPEN) this.#sendClose(code === 1005 ? undefined : code, new Uint8Array(0));
    this.#closed(code, reason, true);
  }

  /** The client broke the protocol: a close frame saying why, and the end. */
  #fail(code: number, reason: string): void {
    if (this.#state === OPEN) this.#sendClose(code, encoder.encode(reason).subarray(0, 123));
    this.#closed(code, reason, false);
  }

  #sendClose(code: number | undefined, reason: Uint8Array): void {
    if (code === undefined) return this.#frame(CLOSE, new Uint8Array(0));
    const payload = new Uint8Array(2 + reason.length);
    payload[0] = code >> 8;
    payload[1] = code & 0xff;
    payload.set(reason, 2);
    this.#frame(CLOSE, payload);
  }

  #closed(code: number, reason: string, wasClean: boolean): void {
    this.#state = CLOSED;
    this.#parts = [];
    this.#out?.end();
    for (const l of this.#closeListeners) l();
    this.#call(this.onclose, new CloseEvent("close", { code, reason, wasClean }));
  }

  #frame(op: number, payload: Uint8Array): void {
    const n = payload.length;
    const h = n < 126 ? 2 : n < 65536 ? 4 : 10;
    if (n < ENCODE_IN_PLACE) {
      const frame = new Uint8Array(h + n);
      writeHeader(frame, 0, op, n);
      frame.set(payload, h);
      return this.#out!.write(frame);
    }
    const head = new Uint8Array(h);
    writeHeader(head, 0, op, n);
    this.#out!.write(head);
    this.#out!.write(payload);
  }

  /** Calls a handler as the web API's socket does: what it throws does not end the socket. */
  #call<E extends Event>(handler: ((ev: E) => void) | null, ev: E): void {
    try {
      handler?.call(this, ev);
    } catch (e) {
      console.error("edgevirt gateway: a WebSocket handler failed:", e);
    }
  }
}

/** A close code a server may send (RFC 6455 §7.4; 1005, 1006 and 1015 are never sent). */
function sendableCode(code: number): boolean {
  return Number.isInteger(code) && code >= 1000 && code < 5000 &&
    code !== 1004 && code !== 1005 && code !== 1006 && code !== 1015;
}

/** A close code a client may send: the sendable ones short of the unassigned 1016–2999. */
function receivableCode(code: number): boolean {
  return sendableCode(code) && (code < 1016 || code >= 3000);
}

function writeHeader(buf: Uint8Array, at: number, op: number, n: number): void {
  buf[at] = 0x80 | op;
  if (n < 126) {
    buf[at + 1] = n;
  } else if (n < 65536) {
    buf[at + 1] = 126;
    buf[at + 2] = n >> 8;
    buf[at + 3] = n & 0xff;
  } else {
    buf[at + 1] = 127;
    const high = Math.floor(n / 2 ** 32);
    const low = n >>> 0;
    for (let k = 0; k < 4; k++) {
      buf[at + 2 + k] = (high >>> (24 - 8 * k)) & 0xff;
      buf[at + 6 + k] = (low >>> (24 - 8 * k)) & 0xff;
    }
  }
}

/** XORs `payload` with the 4-byte `key`, four bytes at a time where it can. */
function unmask(payload: Uint8Array, key: Uint8Array): void {
  const n = payload.length;
  const words = n >> 2;
  if (words > 8 && payload.byteOffset % 4 === 0) {
    const k32 = new Uint32Array(key.slice().buffer)[0];
    const w = new Uint32Array(payload.buffer, payload.byteOffset, words);
    for (let i = 0; i < words; i++) w[i] ^= k32;
    for (let i = words * 4; i < n; i++) payload[i] ^= key[i & 3];
    return;
  }
  for (let i = 0; i < n; i++) payload[i] ^= key[i & 3];
}
