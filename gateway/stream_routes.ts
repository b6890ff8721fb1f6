import type { Env, Hono } from "hono";
import { STREAM_PATH } from "../protocol/ws_protocol.ts";
import { encodeSparse, SPARSE_MIME } from "../protocol/sparse_stream.ts";
import { holesAsZeroes } from "../util/stream_pieces.ts";
import { type AuthConfig, authenticate } from "./auth.ts";
import type { CallRequest } from "./call_request.ts";
import { abort, type StreamTable, writerOf } from "./stream_table.ts";

/**
 * `POST /v1/streams/{id}`: a piece, a hole or the finish of stream `id` (the router's route,
 * and the fast path's for the pieces of an upload).
 *
 * @example
 * ```ts ignore
 * const res = await streamPost({ auth, streams }, req, "s-1"); // 204
 * ```
 */
export async function streamPost(
  ctx: StreamRoutesContext,
  req: CallRequest,
  id: string,
): Promise<Response> {
  const who = (await authenticate(ctx.auth, req.headers)).name;
  const query = new URL(req.url).searchParams;
  const hole = query.get("hole");
  if (query.has("finish")) {
    await writerOf(ctx.streams.take(id, who)).close();
  } else if (hole !== null) {
    await ctx.streams.send(id, who, { hole: Number(hole) });
  } else if (req.body) {
    // Of a body that runs past an upload's length, the pieces that fit land (virFDStreamWrite
    // takes what fits), the rest is refused.
    await ctx.streams.sendBody(id, who, req.body);
  }
  return new Response(null, { status: 204 });
}

/** What the stream routes share with the rest of the gateway. */
export interface StreamRoutesContext {
  auth: AuthConfig;
  streams: StreamTable;
}

/**
 * The data of stream calls, as libvirt's stream packets after the call that bound the stream.
 * A stream call (`storageVolUpload`, `storageVolDownload`, `domainScreenshot`…) answers
 * `{stream, mime?}`; then its caller, with the same token, uses `/v1/streams/{id}`:
 *
 * - `GET` reads what the driver sends (a download, a console's output) in one answer, which
 *   ends where the data ends (`virStreamRecv` returning 0) or breaks off if the driver fails;
 * - `POST` with an `application/octet-stream` body sends one piece (`virStreamSend`): `204`
 *   once the driver took it;
 * - a sparse stream's holes (`…_SPARSE_STREAM` calls, whose answer says `sparse: true`) are
 *   `POST ?hole=LENGTH` going in, and records of the `GET ?sparse` answer coming out (see
 *   protocol/sparse_stream.ts); a plain `GET` of a sparse stream gives its holes as zeroes;
 * - `POST ?finish` ends the data (`virStreamFinish`): `204` once the driver has it all in place,
 *   or the driver's error; `DELETE` drops it (`virStreamAbort`).
 *
 * Pieces rather than one streamed request body, because browsers and Workers cannot stream a
 * request body over HTTP/1.1; each piece is bounded by the gateway's body limit.
 *
 * @example
 * ```ts ignore
 * streamRoutes(app, { auth, streams });
 * ```
 */
export function streamRoutes<E extends Env>(app: Hono<E>, ctx: StreamRoutesContext): void {
  const path = `${STREAM_PATH}/:id`;
  const owner = async (req: Request) => (await authenticate(ctx.auth, req.headers)).name;
  app.get(path, async (c) => {
    const { readable, mime, sparse } = ctx.streams.read(
      c.req.param("id") ?? "",
      await owner(c.req.raw),
    );
    if (c.req.query("sparse") !== undefined) {
      return new Response(readable.pipeThrough(encodeSparse()), {
        headers: { "content-type": SPARSE_MIME },
      });
    }
    return new Response(sparse ? holesAsZeroes(readable) : readable as ReadableStream<Uint8Array>, {
      headers: { "content-type": mime ?? "application/octet-stream" },
    });
  });
  app.post(path, (c) => streamPost(ctx, c.req.raw, c.req.param("id") ?? ""));
  app.delete(path, async (c) => {
    abort(ctx.streams.take(c.req.param("id") ?? "", await owner(c.req.raw)));
    return c.body(null, 204);
  });
}
