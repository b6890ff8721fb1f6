// The call routes' fast path (gateway/fast_path.ts): which requests it takes, and that what it
// answers is what the router answers — status, body and headers — for calls, refusals and
// malformed requests alike.
import assert from "node:assert/strict";
import { callFastPath } from "../../gateway/fast_path.ts";
import { EVENT_MARK_HEADER } from "../../protocol/event_id.ts";
import { VirError } from "../../util/errors.ts";
import { startGateway, TOKENS } from "./helpers.ts";

Deno.test("the fast path takes plain call POSTs and leaves everything else to the router", async () => {
  const seen: string[] = [];
  const calls = callFastPath({
    refusal: (req) =>
      req.headers.has("x-refuse") ? new Response("refused", { status: 403 }) : undefined,
    session: (_req, id, method) => (seen.push(`session ${id} ${method}`), ok()),
    served: (_req, served, method) => (seen.push(`served ${served} ${method}`), ok()),
    stream: (_req, id) => (seen.push(`stream ${id}`), ok()),
  }, 100);
  const fast = (req: Request) => calls.takes(req) ? calls.answer(req) : undefined;
  const ok = () => Promise.resolve(new Response("{}"));
  // A server's requests carry the body's length; a Request made here does not by itself.
  const post = (path: string, body = "[]", extra: Record<string, string> = {}) =>
    new Request(`http://127.0.0.1:1${path}`, {
      method: "POST",
      body,
      headers: { "content-length": String(body.length), ...extra },
    });

  assert.ok(fast(post("/v1/sessions/abc/call/connectGetVersion")));
  assert.ok(fast(post("/v1/test/default/call/connectListAllDomains?x=1")));
  assert.ok(fast(post("/v1/streams/s-1?hole=4096", "")));
  assert.deepEqual(seen, [
    "session abc connectGetVersion",
    "served test/default connectListAllDomains",
    "stream s-1",
  ]);
  for (
    const req of [
      new Request("http://127.0.0.1:1/v1/test/default/call/connectGetVersion"),
      post("/v1/test/default/call/connectGetVersion/"),
      post("/v1/test/default/extra/call/connectGetVersion"),
      post("/v1/test/default/domains/test/suspend"),
      post("/v1/test%2Fx/default/call/connectGetVersion"),
      post("/v1/test/default/call/connectGetVersion", "x".repeat(101)),
      post("/v1/test/default/call/connectGetVersion", "[]", { expect: "100-continue" }),
      post("/v1/streams/s-1/x"),
      new Request("http://127.0.0.1:1/v1/streams/s-1"),
      new Request("http://127.0.0.1:1/v1/test/default/call/connectGetVersion", {
        method: "POST",
        body: new Blob(["[]"]).stream(),
      }),
    ]
  ) assert.equal(fast(req), undefined, `${req.method} ${req.url}`);
  assert.equal(seen.length, 3);
  // What the router's guard refuses is refused before any handler.
  const refused = await fast(post("/v1/test/default/call/x", "[]", { "x-refuse": "1" }))!;
  assert.deepEqual([refused.status, seen.length], [403, 3]);

  const failing = callFastPath({
    refusal: () => undefined,
    session: () => Promise.reject(VirError.report("RPC", "AUTH_FAILED", "no")),
    served: () => Promise.reject(new Error("driver bug")),
    stream: () => Promise.reject(VirError.report("STREAMS", "INVALID_ARG", "gone")),
  }, 100);
  const denied = await failing.answer(post("/v1/sessions/abc/call/connectGetVersion"));
  assert.equal(denied.status, 401);
  const gone = await failing.answer(post("/v1/streams/s-1"));
  assert.deepEqual([gone.status, (await gone.json()).message], [400, "invalid argument: gone"]);
  const bug = await failing.answer(post("/v1/test/default/call/connectGetVersion"));
  assert.deepEqual([bug.status, (await bug.json()).codeName], [500, "VIR_ERR_INTERNAL_ERROR"]);
});

Deno.test("through the fast path a call gets exactly the router's answer", async () => {
  const gw = await startGateway({ maxBodyBytes: 2048 });
  const headers = (token?: string, body = ""): Record<string, string> => ({
    "content-type": "application/json",
    "content-length": String(new TextEncoder().encode(body).length),
    ...(token ? { authorization: `Bearer ${token}` } : {}),
  });
  const open = JSON.stringify({ uri: "test:///default" });
  const opened = await gw.app.request("/v1/sessions", {
    method: "POST",
    headers: headers(TOKENS.full, open),
    body: open,
  });
  const session = (await opened.json()).session as string;
  /** The same request through `gw.fetch` (fast path) and `gw.app.request` (router). */
  const both = async (
    path: string,
    body: string,
    token?: string,
    extra: Record<string, string> = {},
  ) => {
    const init = { method: "POST", headers: { ...headers(token, body), ...extra }, body };
    const answers = [
      await gw.fetch(new Request(`http://127.0.0.1${path}`, init)),
      await gw.app.request(`http://127.0.0.1${path}`, init),
    ];
    return await Promise.all(answers.map(async (res) => ({
      status: res.status,
      type: res.headers.get("content-type"),
      mark: res.headers.has(EVENT_MARK_HEADER),
      body: await res.text(),
    })));
  };
  try {
    const calls: [string, string, string?][] = [
      [`/v1/sessions/${session}/call/domainLookupByName`, '["test"]', TOKENS.full],
      ["/v1/test/default/call/domainLookupByName", '["test"]', TOKENS.full],
      ["/v1/test/default/call/connectListAllDomains", "[0]", TOKENS.readOnly],
      ["/v1/test/default/call/domainLookupByName", '["nope"]', TOKENS.full],
      ["/v1/test/default/call/domainLookupByName", '["test"]'],
      ["/v1/test/default/call/domainLookupByName", '["test"]', "wrong"],
      ["/v1/test/default/call/noSuchCall", "[]", TOKENS.full],
      ["/v1/test/default/call/connectClose", "[]", TOKENS.full],
      ["/v1/test/default/call/domainLookupByName", "[not json", TOKENS.full],
      ["/v1/test/default/call/domainLookupByName", "[1, 2]", TOKENS.full],
      ["/v1/test/default/call/domainDefineXMLFlags", `["${"x".repeat(3000)}", 0]`, TOKENS.full],
      ["/v1/nope/default/call/connectGetVersion", "[]", TOKENS.full],
      ["/v1/sessions/not-a-session/call/connectGetVersion", "[]", TOKENS.full],
      [`/v1/sessions/${session}/call/connectGetVersion`, "[]", TOKENS.readOnly],
      [`/v1/sessions/${session}/call/domainDefineXMLFlags`, '["<domain/>", 0]', TOKENS.full],
      ["/v1/test/default/call/domainSuspend", '[{"name":"x","uuid":"","id":1}]', TOKENS.readOnly],
    ];
    for (const [path, body, token] of calls) {
      const [fast, routed] = await both(path, body, token);
      assert.deepEqual(fast, routed, `${path} ${body} (${token})`);
    }
    // The guard's refusals (gateway/guard.ts), before anything else.
    const lookup = "/v1/test/default/call/domainLookupByName";
    const refusedHeaders: Record<string, string>[] = [
      { "content-type": "text/plain" },
      { origin: "https://evil.example" },
      { origin: "http://127.0.0.1" },
    ];
    for (const extra of refusedHeaders) {
      const [fast, routed] = await both(lookup, '["test"]', TOKENS.full, extra);
      assert.deepEqual(fast, routed, JSON.stringify(extra));
    }
    assert.equal(
      (await both(lookup, '["test"]', TOKENS.full, { "content-type": "text/plain" }))[0]
        .status,
      415,
    );
    // A call that causes events names the last of them, either way.
    const dom = JSON.parse(
      (await both("/v1/test/default/call/domainLookupByName", '["test"]', TOKENS.full))[0].body,
    ).result;
    const suspend = await gw.fetch(
      new Request("http://127.0.0.1/v1/test/default/call/domainSuspend", {
        method: "POST",
        headers: headers(TOKENS.full, JSON.stringify([dom])),
        body: JSON.stringify([dom]),
      }),
    );
    assert.equal(suspend.status, 200);
    assert.match(suspend.headers.get(EVENT_MARK_HEADER) ?? "", /^[0-9a-f]+\.\d+$/);
    const resume = await gw.app.request("/v1/test/default/call/domainResume", {
      method: "POST",
      headers: headers(TOKENS.full, JSON.stringify([dom])),
      body: JSON.stringify([dom]),
    });
    assert.match(resume.headers.get(EVENT_MARK_HEADER) ?? "", /^[0-9a-f]+\.\d+$/);
  } finally {
    await gw.close();
  }
});
