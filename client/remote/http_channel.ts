import type { DriverEvent } from "../../util/driver.ts";
import type { RpcChannel, ServedDriverInfo } from "./channel.ts";
import { EventStream } from "./event_stream.ts";
import { type GatewayHttp, request, requestJson } from "./http.ts";
import { EVENT_MARK_HEADER } from "../../protocol/event_id.ts";

/**
 * The HTTP channel: `POST /v1/sessions` opens a gateway session (its own driver connection),
 * each call is a `POST /v1/sessions/{id}/call/{method}` of its JSON arguments, events come over
 * Server-Sent Events, and closing is a `DELETE` of the session. Works wherever `fetch` does
 * (Node 20, unix sockets through a runtime adapter, Workers service bindings). The session id
 * travels in the path next to the caller's token; no cookies.
 *
 * @example
 * ```ts ignore
 * const { channel, info } = await HttpChannel.open(http, "test:///default");
 * await channel.call("connectGetHostname", []);
 * await channel.close();
 * ```
 */
export class HttpChannel implements RpcChannel {
  readonly kind = "http";
  #http: GatewayHttp;
  #base: string;
  #stream?: EventStream;
  #closed = false;

  private constructor(http: GatewayHttp, base: string) {
    this.#http = http;
    this.#base = base;
  }

  /** Opens a session for `uri` (which also checks the token and the caller's right to it). */
  static async open(
    http: GatewayHttp,
    uri: string,
  ): Promise<{ channel: HttpChannel; info: ServedDriverInfo }> {
    const opened = await requestJson(http, "POST", "/v1/sessions", { uri }) as
      & ServedDriverInfo
      & { session: string };
    const { session, ...info } = opened;
    return { channel: new HttpChannel(http, `/v1/sessions/${session}`), info };
  }

  async call(method: string, args: unknown[]): Promise<unknown> {
    // Events a call causes must reach a listener that subscribed before the call, and before
    // the call's result does: the answer names the last of them, which the stream (another
    // connection, possibly behind) must have delivered first.
    const stream = this.#stream;
    if (stream) await stream.ready;
    const { json, headers } = await request(
      this.#http,
      "POST",
      `${this.#base}/call/${method}`,
      args,
    );
    const mark = headers.get(EVENT_MARK_HEADER);
    if (stream && mark) await stream.reached(mark);
    return (json as { result?: unknown }).result;
  }

  subscribe(deliver: (ev: DriverEvent) => void): void {
    this.#stream ??= new EventStream(this.#http, `${this.#base}/events`, deliver);
  }

  unsubscribe(): void {
    this.#stream?.close();
    this.#stream = undefined;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.unsubscribe();
    // An expired session is closed already: nothing is left to report.
    await requestJson(this.#http, "DELETE", this.#base).catch(() => {});
  }
}
