import type { DriverEvent } from "../../util/driver.ts";
import { VirError } from "../../util/errors.ts";
import type { RpcChannel, ServedDriverInfo } from "./channel.ts";
import { isVirErrorJSON } from "./http.ts";
import { RPC_SUBPROTOCOL, type WsSubscribed } from "./ws_protocol.ts";

const MIN_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 5000;

/** Where the RPC socket is and how to reach it. */
export interface WsTarget {
  /** `ws://host:port/v1/{driverPath}/rpc` (or `wss://`). */
  url: string;
  /** The gateway's origin, for error messages. */
  origin: string;
  token?: string;
  /** Per-call deadline, and the deadline of the handshake. */
  timeoutMs: number;
  /** The runtime's `WebSocket` constructor. */
  WebSocket: typeof WebSocket;
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: VirError): void;
  timer: ReturnType<typeof setTimeout>;
}

/**
 * The WebSocket channel (protocol in `ws_protocol.ts`): one socket per remote connection, each
 * call a message with an id, so any number of calls share the socket and are matched to their
 * answers by id. The token goes in the first message, never in the URL. Events come on the same
 * socket; when it drops, pending calls fail, and an event subscriber reconnects (with back-off)
 * and resumes after the last event id it saw. Without subscribers the next call reconnects.
 *
 * @example
 * ```ts ignore
 * const opened = await WsChannel.open({ url, origin, token, timeoutMs: 30_000, WebSocket });
 * if (opened) await opened.channel.call("connectGetHostname", []);
 * ```
 */
export class WsChannel implements RpcChannel {
  readonly kind = "websocket";
  #t: WsTarget;
  #socket?: WebSocket;
  #connecting?: Promise<WebSocket>;
  #pending = new Map<number, Pending>();
  #nextId = 1;
  #deliver?: (ev: DriverEvent) => void;
  #lastEventId: string | null = null;
  #backoff = MIN_BACKOFF_MS;
  #retry?: ReturnType<typeof setTimeout>;
  #closed = false;

  private constructor(target: WsTarget) {
    this.#t = target;
  }

  /**
   * Opens the socket and asks what the gateway serves. Resolves `undefined` when the WebSocket
   * handshake itself fails (an old gateway, a proxy without WebSocket support), so that the
   * caller can fall back to HTTP; a refused token or a timeout rejects as usual.
   */
  static async open(
    target: WsTarget,
  ): Promise<{ channel: WsChannel; info: ServedDriverInfo } | undefined> {
    const channel = new WsChannel(target);
    try {
      await channel.#whenOpen();
    } catch (e) {
      if (e instanceof HandshakeFailed) return undefined;
      throw e;
    }
    try {
      const info = await channel.#request({ describe: true }) as ServedDriverInfo;
      return { channel, info };
    } catch (e) {
      channel.close();
      throw e;
    }
  }

  call(method: string, args: unknown[]): Promise<unknown> {
    return this.#request({ method, args });
  }

  subscribe(deliver: (ev: DriverEvent) => void): void {
    if (this.#deliver) return;
    this.#deliver = deliver;
    // Sent before any later call on the same socket, so the gateway is listening before that
    // call runs: no event it causes can be missed. A socket still connecting subscribes on open.
    if (this.#socket?.readyState === WebSocket.OPEN) this.#sendSubscribe(this.#socket);
  }

  unsubscribe(): void {
    if (!this.#deliver) return;
    this.#deliver = undefined;
    clearTimeout(this.#retry);
    if (this.#socket?.readyState === WebSocket.OPEN) {
      this.#request({ unsubscribe: true }).catch(() => {});
    }
  }

  close(): void {
    this.#closed = true;
    this.#deliver = undefined;
    clearTimeout(this.#retry);
    this.#socket?.close(1000);
    this.#socket = undefined;
    this.#failAll(VirError.report("RPC", "INVALID_CONN", "connection closed"));
  }

  #request(body: Record<string, unknown>): Promise<unknown> {
    if (this.#closed) {
      return Promise.reject(VirError.report("RPC", "INVALID_CONN", "connection closed"));
    }
    const id = this.#nextId++;
    body.id = id;
    const text = JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(VirError.report("RPC", "OPERATION_TIMEOUT", `no answer from ${this.#t.origin}`));
      }, this.#t.timeoutMs);
      this.#pending.set(id, { resolve, reject, timer });
      const socket = this.#socket;
      if (socket?.readyState === WebSocket.OPEN) return socket.send(text);
      this.#whenOpen().then((s) => s.send(text), (e) => this.#settle(id, undefined, e));
    });
  }

  #settle(id: number, result: unknown, error?: unknown): void {
    const p = this.#pending.get(id);
    if (!p) return;
    this.#pending.delete(id);
    clearTimeout(p.timer);
    if (error === undefined) p.resolve(result);
    else p.reject(error instanceof VirError ? error : this.#lost(String(error)));
  }

  #onMessage = (e: MessageEvent) => {
    let msg: { id?: number; result?: unknown; error?: unknown; eid?: string; event?: unknown };
    try {
      msg = JSON.parse(e.data as string);
    } catch {
      return;
    }
    if (msg.eid !== undefined) {
      this.#lastEventId = msg.eid;
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

  #whenOpen(): Promise<WebSocket> {
    const s = this.#socket;
    if (s?.readyState === WebSocket.OPEN) return Promise.resolve(s);
    return this.#connecting ??= this.#connect().finally(() => (this.#connecting = undefined));
  }

  #connect(): Promise<WebSocket> {
    return new Promise((resolve, reject) => {
      let socket: WebSocket;
      try {
        socket = new this.#t.WebSocket(this.#t.url, RPC_SUBPROTOCOL);
      } catch (e) {
        return reject(new HandshakeFailed(String(e)));
      }
      let opened = false;
      const timer = setTimeout(() => {
        socket.close();
        reject(VirError.report("RPC", "OPERATION_TIMEOUT", `no answer from ${this.#t.origin}`));
      }, this.#t.timeoutMs);
      socket.onopen = () => {
        opened = true;
        clearTimeout(timer);
        if (this.#closed) {
          socket.close(1000);
          return reject(VirError.report("RPC", "INVALID_CONN", "connection closed"));
        }
        this.#socket = socket;
        this.#backoff = MIN_BACKOFF_MS;
        if (this.#t.token) socket.send(JSON.stringify({ auth: this.#t.token }));
        if (this.#deliver) this.#sendSubscribe(socket);
        resolve(socket);
      };
      socket.onmessage = this.#onMessage;
      socket.onclose = () => {
        clearTimeout(timer);
        if (!opened) reject(new HandshakeFailed(`no WebSocket at ${this.#t.url}`));
        else this.#dropped(socket);
      };
    });
  }

  #sendSubscribe(socket: WebSocket): void {
    const id = this.#nextId++;
    const timer = setTimeout(() => this.#pending.delete(id), this.#t.timeoutMs);
    this.#pending.set(id, {
      resolve: (r) => {
        if (this.#lastEventId === null) this.#lastEventId = (r as WsSubscribed).ready;
      },
      // A refused stream (read-only limits, too many streams) would be refused again.
      reject: () => {},
      timer,
    });
    socket.send(JSON.stringify({ id, subscribe: this.#lastEventId }));
  }

  #dropped(socket: WebSocket): void {
    if (this.#socket !== socket) return;
    this.#socket = undefined;
    this.#failAll(this.#lost("connection closed"));
    if (this.#deliver && !this.#closed) this.#reconnectLater();
  }

  #reconnectLater(): void {
    this.#retry = setTimeout(() => {
      if (!this.#deliver || this.#closed) return;
      this.#whenOpen().catch(() => this.#reconnectLater());
    }, this.#backoff);
    this.#backoff = Math.min(this.#backoff * 2, MAX_BACKOFF_MS);
  }

  #failAll(error: VirError): void {
    const calls = [...this.#pending.keys()];
    for (const id of calls) this.#settle(id, undefined, error);
  }

  #lost(why: string): VirError {
    return VirError.report("RPC", "SYSTEM_ERROR", `lost ${this.#t.origin}: ${why}`);
  }
}

/** The WebSocket handshake failed: the gateway (or a proxy) does not offer the RPC socket. */
class HandshakeFailed extends Error {}
