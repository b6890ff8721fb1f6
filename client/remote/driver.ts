import type { ConnectOptions, DriverConnection, DriverEvent } from "../../util/driver.ts";
import { VirError } from "../../util/errors.ts";
import { runtimeAdapter } from "../transport/mod.ts";
import type { RuntimeAdapter } from "../transport/types.ts";
import type { RpcChannel, ServedDriverInfo } from "./channel.ts";
import type { GatewayHttp } from "./http.ts";
import { HttpChannel } from "./http_channel.ts";
import { resolveToken } from "./token.ts";
import { parseRemoteUri, type RemoteTarget } from "./uri.ts";
import { WsChannel } from "./ws_channel.ts";
import { remoteStream } from "./stream.ts";
import { callInfo, type DriverMethod } from "../../util/contract/contract.ts";
import { RPC_SOCKET_PATH } from "../../protocol/ws_protocol.ts";

export type { ServedDriverInfo } from "./channel.ts";

const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * Opens a driver connection through the gateway, like libvirt's remote driver: the gateway
 * opens a session with a driver connection of its own for the daemon-side URI (see
 * {@link parseRemoteUri}), every driver method that connection implements becomes a remote
 * call, and a method it lacks stays absent, so the public API reports the same
 * `VIR_ERR_NO_SUPPORT` as in-process. `subscribe()` follows the session's events, and
 * `connectClose()` closes the session (and its driver connection) on the gateway.
 *
 * The channel is one WebSocket for calls and events where the runtime has `WebSocket`, and
 * HTTP POST per call plus Server-Sent Events otherwise: on Node 20, over unix sockets (no
 * runtime speaks WebSocket over them through `fetch`), with an injected `fetch` (Workers service
 * bindings, tests), and when the WebSocket handshake fails. `options.channel` (`"http"` or
 * `"websocket"`) forces one.
 *
 * @example
 * ```ts
 * import { openRemote } from "./driver.ts";
 * const drv = await openRemote(new URL("test+http://127.0.0.1:16510/default"), {});
 * console.log(drv.type);
 * await drv.connectClose();
 * ```
 */
export async function openRemote(uri: URL, options: ConnectOptions): Promise<DriverConnection> {
  const target = parseRemoteUri(uri);
  const adapter = runtimeAdapter();
  const { token, notRead } = await resolveToken(options, adapter);
  try {
    return await open(target, options, adapter, token);
  } catch (e) {
    // Asked for a token where the client could not look for one: say why there was none.
    if (notRead && e instanceof VirError && e.codeName === "VIR_ERR_AUTH_FAILED") {
      throw new VirError(e.code, e.domain, `${e.message}; ${notRead}`);
    }
    throw e;
  }
}

async function open(
  target: RemoteTarget,
  options: ConnectOptions,
  adapter: RuntimeAdapter,
  token: string | undefined,
): Promise<DriverConnection> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  // Not read for a unix socket, which never uses it: on Deno the first read of the global
  // loads the WebSocket code (a millisecond of a one-command evsh run).
  const http: GatewayHttp = {
    fetch: options.fetch ??
      (target.socket
        ? options.unixFetch?.(target.socket) ?? await adapter.unixFetch(target.socket)
        : options.tcpFetch?.(target.origin) ?? globalThis.fetch.bind(globalThis)),
    origin: target.origin,
    socket: target.socket,
    token,
    timeoutMs,
  };
  const WS = target.socket ? undefined : (globalThis as { WebSocket?: typeof WebSocket }).WebSocket;
  if (wantsWebSocket(options, target, WS)) {
    const opened = await WsChannel.open({
      url: target.origin.replace(/^http/, "ws") + RPC_SOCKET_PATH,
      origin: target.origin,
      uri: target.uri,
      token,
      timeoutMs,
      WebSocket: WS!,
    });
    if (opened) {
      return new RemoteDriver(opened.channel, opened.info, http) as unknown as DriverConnection;
    }
  }
  const { channel, info } = await HttpChannel.open(http, target.uri);
  return new RemoteDriver(channel, info, http) as unknown as DriverConnection;
}

function wantsWebSocket(
  options: ConnectOptions,
  target: RemoteTarget,
  WS: typeof WebSocket | undefined,
): boolean {
  if (options.channel === "http" || typeof WS !== "function" || target.socket) return false;
  return options.channel === "websocket" || !options.fetch;
}

class RemoteDriver {
  readonly type: string;
  #channel: RpcChannel;
  /** Stream data goes over HTTP whatever the channel: see {@link remoteStream}. */
  #http: GatewayHttp;
  #listeners = new Set<(ev: DriverEvent) => void>();
  #closed = false;
  /** Settles a task after the latest event was handed to the listeners. */
  #eventTurn?: Promise<unknown>;

  constructor(channel: RpcChannel, info: ServedDriverInfo, http: GatewayHttp) {
    this.type = info.type;
    this.#channel = channel;
    this.#http = http;
    const self = this as unknown as Record<string, unknown>;
    for (const name of info.methods) {
      // Names come from the peer: only plain identifiers, never anything already on the object
      // (`connectClose`, answered here: it closes the gateway session through the channel;
      // `connectGetURI` is forwarded, as libvirt's remote driver reports the daemon-side URI).
      if (!/^[a-z][A-Za-z0-9]*$/.test(name) || name in self) continue;
      self[name] = (...args: unknown[]) => this.#call(name, args);
    }
  }

  /** `http` or `websocket`: which channel this connection uses. */
  get channel(): string {
    return this.#channel.kind;
  }

  #call(method: string, args: unknown[]): Promise<unknown> {
    if (this.#closed) {
      return Promise.reject(VirError.report("RPC", "INVALID_CONN", "connection closed"));
    }
    // The channel handed the call's events over before its answer; the listeners pass them on
    // in microtasks (a callback at once, an async iterator's consumer a few hops later), which
    // all run before the next task: the caller resumes after every consumer saw them.
    const shape = callInfo(method as DriverMethod).decl.result.shape;
    return this.#channel.call(method, args).then((result) => {
      if (shape.kind === "stream") {
        result = remoteStream(this.#http, result as { stream: string }, shape.flow);
      }
      return this.#eventTurn ? this.#eventTurn.then(() => result) : result;
    });
  }

  subscribe(listener: (ev: DriverEvent) => void): () => void {
    this.#listeners.add(listener);
    this.#channel.subscribe((ev) => {
      for (const l of [...this.#listeners]) l(ev);
      this.#eventTurn ??= nextTask().then(() => (this.#eventTurn = undefined));
    });
    return () => {
      this.#listeners.delete(listener);
      if (!this.#listeners.size) this.#channel.unsubscribe();
    };
  }

  connectClose(): Promise<void> {
    this.#closed = true;
    this.#listeners.clear();
    return this.#channel.close();
  }
}

/**
 * Settles in a later task, once every microtask queued before has run. A `MessageChannel`
 * round trip takes microseconds where `setTimeout(0)` is clamped to milliseconds; the ports are
 * closed at once so that they never keep a runtime alive.
 */
function nextTask(): Promise<void> {
  if (typeof MessageChannel !== "function") return new Promise((r) => setTimeout(r, 0));
  return new Promise((resolve) => {
    const { port1, port2 } = new MessageChannel();
    port2.onmessage = () => {
      port1.close();
      port2.close();
      resolve();
    };
    port1.postMessage(null);
  });
}
