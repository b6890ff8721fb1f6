import type { DriverEvent } from "../../util/driver.ts";
import { type Deadline, Deadlines } from "../../util/deadlines.ts";
import { VirError } from "../../util/errors.ts";
import type { RpcChannel, ServedDriverInfo } from "./channel.ts";
import { isVirErrorJSON } from "./http.ts";
import { RPC_SUBPROTOCOL } from "../../protocol/ws_protocol.ts";

/** Where the RPC socket is and how to reach it. */
export interface WsTarget {
  /** `ws://host:port/v1/rpc` (or `wss://`). */
  url: string;
  /** The gateway's origin, for error messages. */
  origin: string;
  /** The URI the gateway opens for this connection (`test:///default`). */
  uri: string;
  token?: string;
  /** Per-call deadline, and the deadline of the handshake. */
  timeoutMs: number;
  /** The runtime's `WebSocket` constructor. */
  WebSocket: typeof WebSocket;
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: VirError): void;
  deadline: Deadline;
}

/**
 * The WebSocket channel (protocol in `ws_protocol.ts`): one socket per remote connection, and
 * the socket is the gateway-side session, as a libvirtd client connection is. Each call is a
 * message with an id, so any number of calls share the socket and are matched to their answers
 * by id. The token goes in the first message, never in the URL. Events come on the same socket,
 * a call's ahead of its answer, and are handed over as their frames arrive.
 * When the socket drops, the connection is gone, as with libvirtd: pending and later calls
 * fail, and nothing reconnects behind the caller's back (a new session would be a new
 * connection, with `test:///default` possibly reset).
 *
 * @example
 * ```ts ignore
 * const opened = await WsChannel.open({ url, origin, uri, token, timeoutMs: 30_000, WebSocket });
 * if (opened) await opened.channel.call("connectGetHostname", []);
 * ```
 */
export class WsChannel implements RpcChannel {
  readonly kind = "websocket";
  #t: WsTarget;
  #socket!: WebSocket;
  #pending = new Map<number, Pending>();
  #deadlines: Deadlines;
  #nextId = 1;
  #deliver?: (ev: DriverEvent) => void;
  /** Why calls fail from now on: set once the connection is closed or lost. */
  #gone?: VirError;

  private constructor(target: WsTarget) {
    this.#t = target;
    this.#deadlines = new Deadlines(target.timeoutMs);
  }

  /**
   * Opens the socket and the session's driver connection. Resolves `undefined` when the
   * WebSocket handshake itself fails (an old gateway, a proxy without WebSocket support), so
   * that the caller can fall back to HTTP; a refused token, URI or a timeout rejects as usual.
   */
  static async open(
    target: WsTarget,
  ): Promise<{ channel: WsChannel; info: ServedDriverInfo } | undefined> {
    const channel = new WsChannel(target);
    try {
      await channel.#connect();
    } catch (e) {
      if (e instanceof HandshakeFailed) return undefined;
      throw e;
    }
    try {
      const info = await channel.#request({ open: target.uri }) as ServedDriverInfo;
      return { channel, info };
    } catch (e) {
      channel.#end(VirError.report("RPC", "INVALID_CONN", "connection closed"));
      throw e;
    }
  }

  call(method: string, args: unknown[]): Promise<unknown> {
    return this.#request({ method, args });
  }

  subscribe(deliver: (ev: DriverEvent) => void): void {
    if (this.#deliver || this.#gone) return;
    this.#deliver = deliver;
    // Sent before any later call on the same socket, so the gateway is listening before that
    // call runs: no event it causes can be missed. A refused stream (too many streams) would be
    // refused again: the answer is not waited for.
    this.#request({ subscribe: null }).catch(() => {});
  }

  unsubscribe(): void {
    if (!this.#deliver) return;
    this.#deliver = undefined;
    this.#request({ unsubscribe: true }).catch(() => {});
  }

  async close(): Promise<void> {
    if (this.#gone) return;
    this.#deliver = undefined;
    // Answered once the gateway closed the driver connection: a reopen right after this
    // resolves sees what libvirt's would (a reset test:///default when this was the last).
    await this.#request({ close: true }).catch(() => {});
    this.#end(VirError.report("RPC", "INVALID_CONN", "connection closed"));
  }

  #request(body: Record<string, unknown>): Promise<unknown> {
    if (this.#gone) return Promise.reject(this.#gone);
    const id = this.#nextId++;
    body.id = id;
    return new Promise((resolve, reject) => {
      const deadline = this.#deadlines.add(() => {
        this.#pending.delete(id);
        reject(VirError.report("RPC", "OPERATION_TIMEOUT", `no answer from ${this.#t.origin}`));
      });
      this.#pending.set(id, { resolve, reject, deadline });
      this.#socket.send(JSON.stringify(body));
    });
  }

  #settle(id: number, result: unknown, error?: VirError): void {
    const p = this.#pending.get(id);
    if (!p) return;
    this.#pending.delete(id);
    this.#deadlines.cancel(p.deadline);
    if (error === undefined) p.resolve(result);
    else p.reject(error);
  }

  #onMessage = (e: MessageEvent) => {
    let msg: { id?: number; result?: unknown; error?: unknown; eid?: string; event?: unknown };
    try {
      msg = JSON.parse(e.data as string);
    } catch {
      return;
    }
    if (msg.eid !== undefined) {
      this.#deliver?.(msg.event as DriverEvent);
    } else if (typeof msg.id === "number") {
      const err = msg.error === undefined
        ? undefined
        : isVirErrorJSON(msg.error)
        ? VirError.fromJSON(msg.error)
        : VirError.report("RPC", "RPC", "the gateway sent a malformed error");
      this.#settle(msg.id, msg.result, err);
    }
  };

  #connect(): Promise<void> {
    return new Promise((resolve, reject) => {
      let socket: WebSocket;
      try {
        socket = new this.#t.WebSocket(this.#t.url, RPC_SUBPROTOCOL);
      } catch {
        return reject(new HandshakeFailed());
      }
      this.#socket = socket;
      let opened = false;
      const timer = setTimeout(() => {
        socket.close();
        reject(VirError.report("RPC", "OPERATION_TIMEOUT", `no answer from ${this.#t.origin}`));
      }, this.#t.timeoutMs);
      socket.onopen = () => {
        opened = true;
        clearTimeout(timer);
        if (this.#t.token) socket.send(JSON.stringify({ auth: this.#t.token }));
        resolve();
      };
      socket.onmessage = this.#onMessage;
      socket.onclose = () => {
        clearTimeout(timer);
        if (!opened) reject(new HandshakeFailed());
        else this.#end(this.#lost("connection closed"));
      };
    });
  }

  /** Ends the connection for good: pending and later calls fail with `why`. */
  #end(why: VirError): void {
    if (this.#gone) return;
    this.#gone = why;
    this.#deliver = undefined;
    if (this.#socket.readyState !== this.#t.WebSocket.CLOSED) this.#socket.close(1000);
    for (const id of [...this.#pending.keys()]) this.#settle(id, undefined, why);
  }

  #lost(why: string): VirError {
    return VirError.report("RPC", "SYSTEM_ERROR", `lost ${this.#t.origin}: ${why}`);
  }
}

/**
 * The WebSocket handshake failed: the gateway (or a proxy) does not offer the RPC socket. It
 * needs no message: `open` falls back to HTTP, whose own failure (if any) names the cause.
 */
class HandshakeFailed extends Error {}
