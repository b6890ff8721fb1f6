import type { DriverStream, StreamFlow, StreamPiece } from "../../util/contract/mod.ts";
import { VirError } from "../../util/errors.ts";
import { STREAM_PATH } from "../../protocol/ws_protocol.ts";
import { decodeSparse } from "../../protocol/sparse_stream.ts";
import { isHole } from "../../util/stream_pieces.ts";
import { type GatewayHttp, isVirErrorJSON, transportError, unexpected } from "./http.ts";

/** The largest piece one `POST` carries, well under the gateway's default body limit. */
const PIECE = 1024 * 1024;

/**
 * The data side of a stream call made through the gateway, from its answer (`{stream, mime}`):
 * a download is one `GET` read as it arrives, an upload one `POST` per piece then a finishing
 * `POST ?finish`, an abort a `DELETE` (see the gateway's stream routes). A sparse stream's
 * holes are `POST ?hole=N` going up and the framed records of `GET ?sparse` coming down.
 *
 * @example
 * ```ts ignore
 * const data = remoteStream(http, { stream: id }, "recv");
 * const bytes = await new Response(data.readable).arrayBuffer();
 * ```
 */
export function remoteStream(
  http: GatewayHttp,
  ticket: { stream: string; mime?: string; sparse?: boolean },
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
  if (ticket.sparse) out.sparse = true;
  if (flow !== "send") {
    let reader: ReadableStreamDefaultReader<StreamPiece> | undefined;
    const open = async () => {
      const body = (await to("GET", ticket.sparse ? "?sparse" : "")).body!;
      return (ticket.sparse ? body.pipeThrough(decodeSparse()) : body).getReader();
    };
    out.readable = new ReadableStream<StreamPiece>({
      async pull(c) {
        reader ??= await open();
        const { done, value } = await reader.read();
        if (done) c.close();
        else c.enqueue(value);
      },
      cancel: async () => void await (reader ? reader.cancel() : to("DELETE")),
    }, { highWaterMark: 0 });
  }
  if (flow !== "recv") {
    out.writable = new WritableStream<StreamPiece>({
      async write(piece) {
        if (isHole(piece)) return void await to("POST", `?hole=${piece.hole}`);
        for (let off = 0; off < piece.length; off += PIECE) {
          await to("POST", "", piece.slice(off, off + PIECE));
        }
      },
      close: async () => void await to("POST", "?finish"),
      abort: async () => void await to("DELETE"),
    });
  }
  return out;
}
