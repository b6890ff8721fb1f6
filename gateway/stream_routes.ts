import type { Env, Hono } from "hono";
import { STREAM_PATH } from "../protocol/ws_protocol.ts";
import { encodeSparse, SPARSE_MIME } from "../protocol/sparse_stream.ts";
import { holesAsZeroes } from "../util/stream_pieces.ts";
import { type AuthConfig, authenticate } from "./auth.ts";
import { abort, type StreamTable, writerOf } from "./stream_table.ts";

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
  app.post(path, async (c) => {
    const id = c.req.param("id") ?? "";
    const who = await owner(c.req.raw);
    const hole = c.req.query("hole");
    if (c.req.query("finish") !== undefined) {
      await writerOf(ctx.streams.take(id, who)).close();
    } else if (hole !== undefined) {
      await ctx.streams.send(id, who, { hole: Number(hole) });
    } else if (c.req.raw.body) {
      // Of a body that runs past an upload's length, the pieces that fit land (virFDStreamWrite
      // takes what fits), the rest is refused.
      await ctx.streams.sendBody(id, who, c.req.raw.body);
    }
    return c.body(null, 204);
  });
  app.delete(path, async (c) => {
    abort(ctx.streams.take(c.req.param("id") ?? "", await owner(c.req.raw)));
    return c.body(null, 204);
  });
}
