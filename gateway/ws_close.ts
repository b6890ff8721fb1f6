/**
 * Closing a server WebSocket so that the client reads the close frame's code and reason.
 *
 * Deno's server WebSocket (2.x, `ext/websocket/01_websocket.js`) ends a socket that is
 * `CLOSING` as soon as another data frame arrives: it drops the connection at once, before the
 * close frame it was asked to send is written, and with the client's frame unread, so the
 * client sees a reset or an end of file ("Unexpected EOF", close code 0) rather than the
 * gateway's 1007/1008/1009. A client that sent a bad frame has usually sent more behind it,
 * so `socket.close()` from a message handler lost the reason nearly every time.
 *
 * The close is therefore lingering, as the guarded listener's refusals are at the TCP level:
 * once asked, the socket's further messages are ignored, and the close frame goes out when the
 * client has been quiet for a moment (its frames already in flight have arrived), or after
 * {@link LINGER_MS} at the latest, so a client that never stops sending is cut all the same.
 *
 * @module
 */
import type { ServerSocket } from "./ws_upgrade.ts";

/**
 * How long the client must be silent before the close frame is sent. Not a loopback round
 * trip: a client on a busy host (the wire fuzzer's, in the gateway's own process, at a load
 * of 10 on 2 cores) lost close frames at 50 ms, its next frames arriving that much later.
 */
export const QUIET_MS = 250;
/** The longest a refused socket is kept open for the client's frames in flight. */
export const LINGER_MS = 2000;

/**
 * The lingering close of one server WebSocket.
 *
 * @example
 * ```ts ignore
 * const closer = new WsCloser(socket);
 * socket.onmessage = (e) => {
 *   if (closer.closing) return closer.heard();
 *   if (typeof e.data !== "string") return closer.close(1007, "text messages only");
 * };
 * ```
 */
export class WsCloser {
  #socket: ServerSocket;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #until = 0;
  #close: (() => void) | undefined;

  constructor(socket: ServerSocket) {
    this.#socket = socket;
    socket.addEventListener("close", () => clearTimeout(this.#timer));
  }

  /** Whether a close was asked for: the socket's messages are no longer to be read. */
  get closing(): boolean {
    return this.#close !== undefined;
  }

  /** Closes with `code` and `reason` once the client is quiet; a second call is ignored. */
  close(code: number, reason?: string): void {
    if (this.#close || this.#socket.readyState !== WebSocket.OPEN) return;
    this.#close = () => {
      if (this.#socket.readyState === WebSocket.OPEN) this.#socket.close(code, reason);
    };
    this.#until = Date.now() + LINGER_MS;
    this.#wait();
  }

  /** A message arrived while closing: the client is not quiet yet. */
  heard(): void {
    if (this.#close && Date.now() < this.#until) this.#wait();
  }

  #wait(): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(this.#close!, Math.min(QUIET_MS, this.#until - Date.now()));
  }
}
