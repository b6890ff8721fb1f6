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
  const out: DriverStream = { mime: ticket.mime, sparse: ticket.sparse };
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
    // An upload's small pieces (a file read 64 KiB at a time) go up gathered into POSTs of
    // PIECE bytes, so that a request's round trip is paid per MiB, and one POST is in flight
    // while the next piece gathers (two buffers, used in turn). A refusal then shows at a later
    // send or at finish, as libvirt's queued stream packets do. A console's input ("both")
    // goes at once.
    const gather = flow === "send";
    const buffers = gather ? [new Uint8Array(PIECE), new Uint8Array(PIECE)] : [];
    let turn = 0;
    let n = 0;
    let inflight: Promise<unknown> = Promise.resolve();
    // Queues a POST after the one in flight; returns (or throws its error) once that one is
    // done, so at most one is in flight and its buffer is free again two flushes later.
    const post = async (query: string, body?: Uint8Array<ArrayBuffer>) => {
      const prev = inflight;
      inflight = prev.then(() => to("POST", query, body));
      inflight.catch(() => {});
      await prev;
    };
    const flush = async () => {
      if (!n) return;
      const body = buffers[turn].subarray(0, n);
      turn ^= 1;
      n = 0;
      await post("", body);
    };
    out.writable = new WritableStream<StreamPiece>({
      async write(piece) {
        if (isHole(piece)) {
          await flush();
          return await post(`?hole=${piece.hole}`);
        }
        for (let off = 0; off < piece.length;) {
          if (!gather) {
            await to("POST", "", piece.slice(off, off += PIECE));
            continue;
          }
          const k = Math.min(PIECE - n, piece.length - off);
          buffers[turn].set(piece.subarray(off, off += k), n);
          if ((n += k) === PIECE) await flush();
        }
      },
      close: async () => {
        await flush();
        await post("?finish");
        await inflight;
      },
      abort: async () => {
        await inflight.catch(() => {});
        await to("DELETE");
      },
    });
  }
  return out;
}
