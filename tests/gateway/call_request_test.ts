/** The requests the guarded listener reads itself (`gateway/call_request.ts`). */
import assert from "node:assert/strict";
import { WireRequest } from "../../gateway/call_request.ts";

const parse = (head: string) => WireRequest.parse(head, "http", "127.0.0.1:16510");

Deno.test("a head's request line and fields, as a web Request would show them", async () => {
  const req = parse(
    "POST /v1/test/default/call/domainLookupByName?x=1 HTTP/1.1\r\nHost: h:1\r\n" +
      "Content-Length: 8\r\nX-A: 1\r\nx-a: 2\r\nAuthorization:  Bearer t \r\n",
  )!;
  assert.equal(req.method, "POST");
  assert.equal(req.url, "http://h:1/v1/test/default/call/domainLookupByName?x=1");
  assert.equal(req.headers.get("X-A"), "1, 2");
  assert.equal(req.headers.get("authorization"), "Bearer t");
  assert.equal(req.headers.has("content-length"), true);
  assert.equal(req.headers.get("origin"), null);
  assert.equal(req.lastOnConnection, false);
  req.content = new TextEncoder().encode('["é"]');
  assert.deepEqual(await req.json(), ["é"]);
  assert.deepEqual(
    new Uint8Array(await new Response(req.body).arrayBuffer()),
    new TextEncoder().encode('["é"]'),
  );
  req.content = new TextEncoder().encode("[not json");
  await assert.rejects(req.json(), SyntaxError);
  // The web Request an upgrade handler gets carries the same fields.
  const web = req.toRequest()!;
  assert.equal(web.url, req.url);
  assert.equal(web.headers.get("x-a"), "1, 2");
});

Deno.test("a head without Host takes the listener's address; bare line feeds are lines", () => {
  const req = parse("GET /x HTTP/1.1\n\n")!;
  assert.equal(req.url, "http://127.0.0.1:16510/x");
});

Deno.test("the connection ends after HTTP/1.0 or Connection: close, as RFC 9112 says", () => {
  assert.equal(parse("GET / HTTP/1.0\r\nHost: a\r\n")!.lastOnConnection, true);
  assert.equal(parse("GET / HTTP/1.0\r\nConnection: keep-alive\r\n")!.lastOnConnection, false);
  assert.equal(parse("GET / HTTP/1.1\r\nConnection: Close\r\n")!.lastOnConnection, true);
  assert.equal(parse("GET / HTTP/1.1\r\nConnection: upgrade\r\n")!.lastOnConnection, false);
});

Deno.test("what is not an origin-form HTTP/1.x head with sound fields is none", () => {
  for (
    const head of [
      "GET http://a/x HTTP/1.1\r\n",
      "GET /x HTTP/2.0\r\n",
      "GET /x y HTTP/1.1\r\n",
      "G(T /x HTTP/1.1\r\n",
      "GET /x HTTP/1.1\r\nBad Name: 1\r\n",
      "GET /x HTTP/1.1\r\nName : 1\r\n",
      "GET /x HTTP/1.1\r\nNoColon\r\n",
      "GET /x HTTP/1.1\r\nA: 1\r\n folded\r\n",
      // A Host carrying a path would move the URL's: /v1/test/default/call/domainDestroy.
      "POST /domainDestroy HTTP/1.1\r\nHost: a/v1/test/default/call\r\n",
      "GET /x HTTP/1.1\r\nHost: a b\r\n",
      "GET /x HTTP/1.1\r\nHost: a?b\r\n",
      "GET /x HTTP/1.1\r\nHost: user@a\r\n",
    ]
  ) assert.equal(parse(head), undefined, JSON.stringify(head));
  assert.equal(parse("GET /x HTTP/1.1\r\nHost: [::1]:16510\r\n")!.url, "http://[::1]:16510/x");
});
