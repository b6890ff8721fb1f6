import type { DriverEvent } from "../../util/driver.ts";
import type { RpcChannel, ServedDriverInfo } from "./channel.ts";
import { EventStream } from "./event_stream.ts";
import { type GatewayHttp, requestJson } from "./http.ts";

/**
 * The HTTP channel: each call is a `POST {base}/call/{method}` of its JSON arguments, events
 * come over Server-Sent Events. Works wherever `fetch` does (Node 20, unix sockets through a
 * runtime adapter, Workers service bindings).
 *
 * @example
 * ```ts ignore
 * const { channel, info } = await HttpChannel.open(http, "/v1/test/default");
 * await channel.call("connectGetHostname", []);
 * ```
 */
export class HttpChannel implements RpcChannel {
  readonly kind = "http";
  #http: GatewayHttp;
  #base: string;
  #stream?: EventStream;

  private constructor(http: GatewayHttp, base: string) {
    this.#http = http;
    this.#base = base;
  }

  /** Asks the gateway what it serves at `base` (which also checks the token). */
  static async open(
    http: GatewayHttp,
    base: string,
  ): Promise<{ channel: HttpChannel; info: ServedDriverInfo }> {
    const info = await requestJson(http, "GET", base) as ServedDriverInfo;
    return { channel: new HttpChannel(http, base), info };
  }

  async call(method: string, args: unknown[]): Promise<unknown> {
    // Events a call causes must reach a listener that subscribed before the call.
    if (this.#stream) await this.#stream.ready;
    const body = await requestJson(this.#http, "POST", `${this.#base}/call/${method}`, args);
    return (body as { result?: unknown }).result;
  }

  subscribe(deliver: (ev: DriverEvent) => void): void {
    this.#stream ??= new EventStream(this.#http, `${this.#base}/events`, deliver);
  }

  unsubscribe(): void {
    this.#stream?.close();
    this.#stream = undefined;
  }

  close(): void {
    this.unsubscribe();
  }
}
