// client/transport/http1.ts, the Deno adapter's HTTP/1.1 client: answers as fetch gives them
// (status, headers, bodies, 204s, chunked streams), connections kept alive and reused, aborts
// and timeouts, and a kept-alive connection the server dropped retried on a fresh one.
import assert from "node:assert/strict";
import { http1Fetch } from "../../client/transport/http1.ts";

/** A Deno.serve server on loopback counting the connections its requests came on. */
function server(handler: (req: Request) => Response | Promise<Response>) {
  const peers = new Set<number>();
  const srv = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req, info) => {
    peers.add(info.remoteAddr.port);
    return handler(req);
  });
  const origin = `http://127.0.0.1:${srv.addr.port}`;
  const fetch = http1Fetch(
    () => Deno.connect({ hostname: "127.0.0.1", port: srv.addr.port }),
    `127.0.0.1:${srv.addr.port}`,
  );
  return { origin, fetch, peers, close: () => srv.shutdown() };
}

Deno.test("requests and answers as fetch has them, on one kept-alive connection", async () => {
  const s = server(async (req) => {
    const url = new URL(req.url);
    if (url.pathname === "/empty") return new Response(null, { status: 204 });
    return Response.json({
      method: req.method,
      path: url.pathname + url.search,
      auth: req.headers.get("authorization"),
      body: await req.text(),
    }, { status: url.pathname === "/missing" ? 404 : 200, headers: { "x-mark": "a.1" } });
  });
  try {
    const res = await s.fetch(`${s.origin}/v1/call?x=1`, {
      method: "POST",
      headers: { authorization: "Bearer t", "content-type": "application/json" },
      body: JSON.stringify(["é", 1]),
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("x-mark"), "a.1");
    assert.deepEqual(await res.json(), {
      method: "POST",
      path: "/v1/call?x=1",
      auth: "Bearer t",
      body: '["é",1]',
    });
    const missing = await s.fetch(`${s.origin}/missing`, { headers: { a: "b" } });
    const missingJson = await missing.json() as { method: string };
    assert.deepEqual([missing.status, missing.ok, missingJson.method], [
      404,
      false,
      "GET",
    ]);
    const empty = await s.fetch(`${s.origin}/empty`, { method: "DELETE" });
    assert.deepEqual([empty.status, await empty.text()], [204, ""]);
    await Promise.all(
      Array.from({ length: 4 }, () => s.fetch(`${s.origin}/x`).then((r) => r.text())),
    );
    assert.ok(s.peers.size <= 4, `${s.peers.size} connections for 7 requests`);
  } finally {
    await s.close();
  }
});

Deno.test("a chunked stream arrives piece by piece and an abort ends it", async () => {
  let push!: (s: string) => void;
  const s = server(() =>
    new Response(
      new ReadableStream<Uint8Array>({
        start(c) {
          push = (text) => c.enqueue(new TextEncoder().encode(text));
          push("first\n");
        },
      }),
      { headers: { "content-type": "text/event-stream" } },
    )
  );
  try {
    const abort = new AbortController();
    const res = await s.fetch(`${s.origin}/events`, { signal: abort.signal });
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    assert.equal((await reader.read()).value, "first\n");
    push("second\n");
    assert.equal((await reader.read()).value, "second\n");
    const next = reader.read();
    abort.abort();
    await assert.rejects(next, (e: Error) => e.name === "AbortError");
  } finally {
    await s.close();
  }
});

Deno.test("a timeout rejects as fetch's does", async () => {
  const s = server(() => new Promise((r) => setTimeout(() => r(new Response("late")), 200)));
  try {
    const err = await s.fetch(`${s.origin}/slow`, { signal: AbortSignal.timeout(20) }).catch(
      (e) => e,
    );
    assert.equal(err.name, "TimeoutError");
  } finally {
    await new Promise((r) => setTimeout(r, 250));
    await s.close();
  }
});

Deno.test("a kept-alive connection the server closed is retried on a fresh one", async () => {
  // A server that answers one request per connection, then hangs up without saying so.
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  let accepted = 0;
  const serving = (async () => {
    for await (const conn of listener) {
      accepted++;
      const buf = new Uint8Array(4096);
      await conn.read(buf);
      const body = `{"n":${accepted}}`;
      await conn.write(
        new TextEncoder().encode(
          `HTTP/1.1 200 OK\r\ncontent-length: ${body.length}\r\n\r\n${body}`,
        ),
      );
      conn.close();
    }
  })();
  const { port } = listener.addr as Deno.NetAddr;
  const f = http1Fetch(() => Deno.connect({ hostname: "127.0.0.1", port }), `127.0.0.1:${port}`);
  try {
    assert.deepEqual(await (await f(`http://127.0.0.1:${port}/`)).json(), { n: 1 });
    await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(await (await f(`http://127.0.0.1:${port}/`)).json(), { n: 2 });
  } finally {
    listener.close();
    await serving.catch(() => {});
  }
});

Deno.test("a refused connection rejects", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  const f = http1Fetch(() => Deno.connect({ hostname: "127.0.0.1", port }), `127.0.0.1:${port}`);
  await assert.rejects(f(`http://127.0.0.1:${port}/`));
});
