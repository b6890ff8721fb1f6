/**
 * A loopback HTTP(S) server of a folder's files with byte ranges, which QEMU's curl block driver
 * requires (it refuses a server without `Accept-Ranges: bytes`): the server behind the http and
 * https disks of `fixtures/record_argv.sh` (run as a program) and of the real-QEMU disk tests.
 *
 * Usage: `deno run -A tests/drivers/qemu/range_http_server.ts PORT DIR [CERT KEY]`
 *
 * @module
 */

/**
 * Serves `dir` on 127.0.0.1:`port` (0 picks one), over TLS when a PEM certificate and key are
 * given; answers HEAD and GET, whole or one `bytes=a-b` range.
 *
 * @example
 * ```ts ignore
 * const server = serveRanges(await Deno.makeTempDir(), 0);
 * await server.shutdown();
 * ```
 */
export function serveRanges(
  dir: string,
  port: number,
  tls?: { cert: string; key: string },
): Deno.HttpServer<Deno.NetAddr> {
  return Deno.serve({ hostname: "127.0.0.1", port, onListen() {}, ...tls }, async (req) => {
    const path = decodeURIComponent(new URL(req.url).pathname);
    if (path.split("/").includes("..")) return new Response(null, { status: 400 });
    const data = await Deno.readFile(`${dir}${path}`).catch(() => undefined);
    if (!data) return new Response(null, { status: 404 });
    const headers = { "accept-ranges": "bytes", "content-type": "application/octet-stream" };
    const range = req.headers.get("range")?.match(/^bytes=(\d+)-(\d*)$/);
    if (!range) {
      return new Response(req.method === "HEAD" ? null : data, {
        headers: { ...headers, "content-length": `${data.length}` },
      });
    }
    const start = Number(range[1]);
    const end = Math.min(range[2] ? Number(range[2]) : data.length - 1, data.length - 1);
    if (start > end) {
      return new Response(null, {
        status: 416,
        headers: { ...headers, "content-range": `bytes */${data.length}` },
      });
    }
    return new Response(req.method === "HEAD" ? null : data.subarray(start, end + 1), {
      status: 206,
      headers: {
        ...headers,
        "content-length": `${end + 1 - start}`,
        "content-range": `bytes ${start}-${end}/${data.length}`,
      },
    });
  });
}

if (import.meta.main) {
  const [port, dir, cert, key] = Deno.args;
  serveRanges(
    dir,
    Number(port),
    cert ? { cert: Deno.readTextFileSync(cert), key: Deno.readTextFileSync(key) } : undefined,
  );
}
