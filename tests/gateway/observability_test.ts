// /healthz, /metrics (Prometheus text, full role only) and the structured request log.
import assert from "node:assert/strict";
import parsePrometheusTextFormat from "parse-prometheus-text-format";
import { createGateway } from "../../gateway/app.ts";
import { hostDrivers } from "../../host.ts";
import { routeTemplate } from "../../gateway/route_template.ts";
import { startGateway, TOKENS } from "./helpers.ts";
import { spawnGateway } from "./process.ts";
import { withQemuConn } from "../drivers/qemu/with_conn.ts";
import { FakeLauncher } from "../../drivers/qemu/testing/mod.ts";

const get = (gw: { fetch(r: Request): Promise<Response> }, path: string, token?: string) =>
  gw.fetch(
    new Request(`http://127.0.0.1${path}`, {
      headers: token ? { authorization: `Bearer ${token}` } : {},
    }),
  );

interface Family {
  name: string;
  type: string;
  metrics: { labels?: Record<string, string>; value?: string; buckets?: Record<string, string> }[];
}

Deno.test("/healthz answers without a token", async () => {
  const gw = await startGateway();
  const res = await get(gw, "/healthz");
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { status: "ok", drivers: ["test:///default"] });
  await gw.close();
});

Deno.test("/metrics: full role only, Prometheus text with requests, latency, sessions, domains", async () => {
  const gw = await startGateway();
  assert.equal((await get(gw, "/metrics")).status, 401);
  const ro = await get(gw, "/metrics", TOKENS.readOnly);
  assert.equal(ro.status, 403);
  assert.match((await ro.json()).message, /full-role token/);
  // Calls with a length take the fast path: they must be counted all the same.
  const call = async (method: string, body: string) => {
    const res = await gw.fetch(
      new Request(`http://127.0.0.1/v1/test/default/call/${method}`, {
        method: "POST",
        headers: {
          authorization: `Bearer ${TOKENS.full}`,
          "content-type": "application/json",
          "content-length": String(body.length),
        },
        body,
      }),
    );
    await res.body?.cancel();
    return res.status;
  };
  for (let i = 0; i < 3; i++) assert.equal(await call("connectListAllDomains", "[0]"), 200);
  const refused = await call("noSuchMethod", "[]");
  assert.ok(refused >= 400);
  const res = await get(gw, "/metrics", TOKENS.full);
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type")!, /^text\/plain; version=0\.0\.4/);
  const text = await res.text();
  const families = new Map(
    (parsePrometheusTextFormat(text) as Family[]).map((f) => [f.name, f]),
  );
  const calls = families.get("edgevirt_http_requests_total")!.metrics.filter((m) =>
    m.labels?.route === "/v1/{driver}/{path}/call/{method}"
  );
  assert.deepEqual(
    calls.map((m) => [m.labels!.method, m.labels!.code, m.value]).sort(),
    [["POST", "200", "3"], ["POST", String(refused), "1"]].sort(),
  );
  const latency = families.get("edgevirt_http_request_duration_seconds")!;
  assert.equal(latency.type, "HISTOGRAM");
  // The parser drops a histogram's labels: the call route's own buckets are read off the text.
  const route = 'route="/v1/{driver}/{path}/call/{method}"';
  const name = "edgevirt_http_request_duration_seconds";
  assert.ok(text.includes(`\n${name}_bucket{${route},le="+Inf"} 4\n`), text);
  assert.ok(text.includes(`\n${name}_count{${route}} 4\n`), text);
  assert.equal(families.get("edgevirt_sessions_open")!.type, "GAUGE");
  // Every call above has ended.
  assert.deepEqual(
    families.get("edgevirt_driver_calls_in_progress")!.metrics.map((m) => m.value),
    ["0"],
  );
  const domains = families.get("edgevirt_domains")!.metrics;
  // test:///default has one domain, running.
  assert.deepEqual(
    domains.map((m) => [m.labels!.state, m.value]),
    [["running", "1"], ["paused", "0"], ["shutoff", "0"], ["other", "0"]],
  );
  await gw.close();
});

Deno.test("/metrics: the QEMU monitor's command latency, by served URI and command", () =>
  withQemuConn({ launcher: new FakeLauncher() }, async (conn) => {
    const dom = await conn.domainCreateXML!(
      `<domain type='qemu'><name>m</name><memory unit='MiB'>64</memory>
<os><type arch='x86_64' machine='pc'>hvm</type></os><devices><memballoon model='none'/></devices>
</domain>`,
      0,
    );
    await conn.domainSuspend!(dom);
    await conn.domainResume!(dom);
    const gw = await createGateway({
      drivers: [{ uri: "qemu:///session", driver: conn }],
      registry: hostDrivers(),
      auth: "none",
    });
    try {
      const text = await (await get(gw, "/metrics")).text();
      const family = (parsePrometheusTextFormat(text) as Family[]).find((f) =>
        f.name === "edgevirt_qemu_monitor_command_seconds"
      );
      assert.equal(family?.type, "HISTOGRAM", text);
      const name = "edgevirt_qemu_monitor_command_seconds";
      for (const command of ["stop", "cont"]) {
        const count = new RegExp(
          `\\n${name}_count\\{uri="qemu:///session",command="${command}"\\} (\\d+)\\n`,
        )
          .exec(text);
        assert.ok(count && Number(count[1]) >= 1, `${command} in\n${text}`);
      }
    } finally {
      await gw.close();
    }
  }));

Deno.test("request logs: one JSON line per request with its id, off by default", async () => {
  const lines: string[] = [];
  const gw = await createGateway({
    drivers: ["test:///default"],
    registry: hostDrivers(),
    auth: "none",
    logLevel: "info",
    log: (l) => lines.push(l),
  });
  const res = await gw.fetch(
    new Request("http://127.0.0.1/v1/test/default/domains/nope", {
      headers: { "x-request-id": "req-42" },
    }),
  );
  assert.equal(res.headers.get("x-request-id"), "req-42");
  await res.body?.cancel();
  const ok = await get(gw, "/healthz");
  const id = ok.headers.get("x-request-id")!;
  assert.match(id, /^[0-9a-f-]{36}$/);
  const logged = lines.map((l) => JSON.parse(l));
  assert.deepEqual(logged.map(({ time: _t, ms: _m, ...rest }) => rest), [
    {
      level: "warn",
      msg: "request",
      id: "req-42",
      method: "GET",
      route: "/v1/{driver}/{path}/domains/{name}",
      path: "/v1/test/default/domains/nope",
      status: 404,
    },
    {
      level: "info",
      msg: "request",
      id,
      method: "GET",
      route: "/healthz",
      path: "/healthz",
      status: 200,
    },
  ]);
  await gw.close();

  const quiet = await startGateway();
  assert.equal((await get(quiet, "/healthz")).headers.get("x-request-id"), null);
  await quiet.close();
});

Deno.test("route templates keep the label values few", () => {
  assert.equal(
    routeTemplate("/v1/sessions/abc/call/domainCreate"),
    "/v1/sessions/{id}/call/{method}",
  );
  assert.equal(
    routeTemplate("/v1/test/default/pools/p/volumes/v"),
    "/v1/{driver}/{path}/pools/{name}/volumes/{name}",
  );
  assert.equal(
    routeTemplate("/v1/test/default/domains/web/start"),
    "/v1/{driver}/{path}/domains/{name}/{action}",
  );
  // The gateway's own collections are not driver paths.
  assert.equal(routeTemplate("/v1/streams/4a5e1e4b"), "/v1/streams/{id}");
  assert.equal(routeTemplate("/v1/operations/op-1"), "/v1/operations/{id}");
  assert.equal(routeTemplate("/v1/operations"), "/v1/operations");
  assert.equal(routeTemplate("/favicon.ico"), "other");
  assert.equal(routeTemplate("/v1/x"), "other");
});

Deno.test("the real gateway: /healthz over TCP, request lines on stderr at --log-level info", async () => {
  const gw = await spawnGateway({ args: ["--log-level", "info"] });
  try {
    const res = await fetch(`${gw.origin}/healthz`);
    assert.equal(res.status, 200);
    assert.equal((await res.json()).status, "ok");
    const id = res.headers.get("x-request-id");
    const start = performance.now();
    while (!gw.stderr().includes(`"id":"${id}"`)) {
      if (performance.now() - start > 3000) throw new Error(`no log line in:\n${gw.stderr()}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    const line = gw.stderr().split("\n").find((l) => l.includes(`"id":"${id}"`))!;
    assert.equal(JSON.parse(line).route, "/healthz");
  } finally {
    await gw.stop();
  }
});
