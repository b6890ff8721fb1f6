import type { ConnectOptions, DriverConnection, DriverEvent } from "../../util/driver.ts";
import { VirError } from "../../util/errors.ts";
import { runtimeAdapter } from "../transport/mod.ts";
import { EventStream } from "./event_stream.ts";
import { type GatewayHttp, requestJson } from "./http.ts";
import { resolveToken } from "./token.ts";
import { parseRemoteUri } from "./uri.ts";

const DEFAULT_TIMEOUT_MS = 30_000;

/** What `GET /v1/{driverPath}` tells a client about a served driver. */
export interface ServedDriverInfo {
  type: string;
  uri: string;
  methods: string[];
}

/**
 * Methods the client answers itself: closing ends only this client's link (the gateway's
 * driver connection is shared). `connectGetURI` is forwarded: like libvirt's remote driver,
 * the client reports the daemon-side URI (`test:///default`).
 */
const LOCAL_ONLY = new Set(["connectClose"]);

/**
 * Opens a driver connection through the gateway, like libvirt's remote driver: every driver
 * method the served driver implements becomes a POST of its JSON arguments, and a method the
 * served driver lacks stays absent, so the public API reports the same `VIR_ERR_NO_SUPPORT`
 * as in-process. `subscribe()` follows the gateway's event stream.
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
  const http: GatewayHttp = {
    fetch: options.fetch ??
      (target.socket ? await adapter.unixFetch(target.socket) : globalThis.fetch.bind(globalThis)),
    origin: target.origin,
    token: await resolveToken(options, adapter),
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
  };
  const base = `/v1/${target.driverPath}`;
  const info = await requestJson(http, "GET", base) as ServedDriverInfo;
  return new RemoteDriver(http, base, info) as unknown as DriverConnection;
}

class RemoteDriver {
  readonly type: string;
  #http: GatewayHttp;
  #base: string;
  #listeners = new Set<(ev: DriverEvent) => void>();
  #stream?: EventStream;
  #closed = false;

  constructor(http: GatewayHttp, base: string, info: ServedDriverInfo) {
    this.type = info.type;
    this.#http = http;
    this.#base = base;
    const self = this as unknown as Record<string, unknown>;
    for (const name of info.methods) {
      // Names come from the peer: only plain identifiers, never anything already on the object.
      if (LOCAL_ONLY.has(name) || !/^[a-z][A-Za-z0-9]*$/.test(name) || name in self) continue;
      self[name] = (...args: unknown[]) => this.#call(name, args);
    }
  }

  async #call(method: string, args: unknown[]): Promise<unknown> {
    if (this.#closed) throw VirError.report("RPC", "INVALID_CONN", "connection closed");
    // Events a call causes must reach a listener that subscribed before the call.
    if (this.#stream) await this.#stream.ready;
    const body = await requestJson(this.#http, "POST", `${this.#base}/call/${method}`, args);
    return (body as { result?: unknown }).result;
  }

  subscribe(listener: (ev: DriverEvent) => void): () => void {
    this.#listeners.add(listener);
    this.#stream ??= new EventStream(this.#http, `${this.#base}/events`, (ev) => {
      for (const l of [...this.#listeners]) l(ev);
    });
    return () => {
      this.#listeners.delete(listener);
      if (this.#listeners.size) return;
      this.#stream?.close();
      this.#stream = undefined;
    };
  }

  connectClose(): Promise<void> {
    this.#closed = true;
    this.#stream?.close();
    this.#stream = undefined;
    this.#listeners.clear();
    return Promise.resolve();
  }
}
