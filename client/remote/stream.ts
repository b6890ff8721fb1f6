import type { DriverStream, StreamFlow } from "../../util/contract/mod.ts";
import { VirError } from "../../util/errors.ts";
import { STREAM_PATH } from "../../protocol/ws_protocol.ts";
import { type GatewayHttp, isVirErrorJSON, transportError, unexpected } from "./http.ts";

/** The largest piece one `POST` carries, well under the gateway's default body limit. */
const PIECE = 1024 * 1024;

/**
 * The data side of a stream call made through the gateway, from its answer (`{stream, mime}`):
 * a download is one `GET` read as it arrives, an upload one `POST` per piece then a finishing
 * `POST ?finish`, an abort a `DELETE` (see the gateway's stream routes).
 *
 * @example
 * ```ts ignore
 * const data = remoteStream(http, { stream: id }, "recv");
 * const bytes = await new Response(data.readable).arrayBuffer();
 * ```
 */
export function remoteStream(
  http: GatewayHttp,
  ticket: { stream: string; mime?: string },
  flow: StreamFlow,
): DriverStream {
  const url = `${http.origin}${STREAM_PATH}/${ticket.stream}`;
  const to = async (method: string, query = "", body?: Uint8Array<ArrayBuffer>) => {
    const headers: Record<string, string> = { "content-type": "application/octet-stream" };
    if (http.token) headers.authorization = `Bearer ${http.token}`;
    const res = await http.fetch(url + query, { method, headers, body }).catch((e) => {
      throw transportError(e, http);
    });
    if (res.ok) return res;
    const json = await res.json().catch(() => undefined);
    throw isVirErrorJSON(json) ? VirError.fromJSON(json) : unexpected(res.status);
  };
  const out: DriverStream = { mime: ticket.mime };
  if (flow !== "send") {
    let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
    out.readable = new ReadableStream<Uint8Array>({
      async pull(c) {
        reader ??= (await to("GET")).body!.getReader();
        const { done, value } = await reader.read();
        if (done) c.close();
        else c.enqueue(value);
      },
      cancel: async () => void await (reader ? reader.cancel() : to("DELETE")),
    }, { highWaterMark: 0 });
  }
  if (flow !== "recv") {
    out.writable = new WritableStream<Uint8Array>({
      async write(chunk) {
        for (let off = 0; off < chunk.length; off += PIECE) {
          await to("POST", "", chunk.slice(off, off + PIECE));
        }
      },
      close: async () => void await to("POST", "?finish"),
      abort: async () => void await to("DELETE"),
    });
  }
  return out;
}
