// The OpenAPI document and the app's routes describe the same API: every route the app mounts
// (hono's `app.routes`, so a route added anywhere is seen) is documented with its method, and
// every documented operation reaches a route. The lint test checks the document only against
// itself, which is how `/v1/streams/{id}` (mounted by gateway/stream_routes.ts) went missing.
import assert from "node:assert/strict";
import { allowedMethods } from "../../gateway/allowed_methods.ts";
import { startGateway } from "./helpers.ts";

type Doc = { paths: Record<string, Record<string, unknown>> };

const METHODS = ["get", "put", "post", "delete", "patch"];

/**
 * The web console's files (gateway/ui_routes.ts) are pages for a browser, not operations; and
 * the page's own path, `/ui/`, is one that redocly's recommended rules refuse
 * (no-path-trailing-slash).
 */
const NOT_API = /^\/ui(\/|$)/;

/** A hono route's path in the document's terms: `:name` → `{name}`. */
const templated = (path: string) => path.replace(/:(\w+)/g, "{$1}");

/**
 * Whether two templated paths can name one URL: as long, and at each segment equal or a
 * parameter on either side (a route's `{action}` stands for each documented action).
 */
function overlap(a: string, b: string): boolean {
  const x = a.split("/"), y = b.split("/");
  return x.length === y.length &&
    x.every((s, i) => s === y[i] || s.startsWith("{") || y[i].startsWith("{"));
}

async function gatewayAndDocument() {
  const gw = await startGateway();
  const doc: Doc = await (await gw.app.request("/v1/openapi.json")).json();
  const root = await (await gw.app.request("/")).json();
  const served: string[] = root.drivers.map((d: { path: string }) => d.path);
  return { gw, doc, served };
}

Deno.test("OpenAPI: every route the app mounts is documented, with its method", async () => {
  const { gw, doc, served } = await gatewayAndDocument();
  try {
    const routes = gw.app.routes.filter((r) => r.method !== "ALL" && !NOT_API.test(r.path));
    assert.ok(routes.length > 20, "the app lists its routes");
    const missing: string[] = [];
    for (const r of routes) {
      // The driver routes stand for each served driver path, as the document spells them.
      const paths = r.path.startsWith("/v1/:driver/:path")
        ? served.map((s) => templated(r.path.replace("/:driver/:path", `/${s}`)))
        : [templated(r.path)];
      for (const path of paths) {
        const documented = Object.entries(doc.paths).some(([p, item]) =>
          overlap(p, path) && item[r.method.toLowerCase()] !== undefined
        );
        if (!documented) missing.push(`${r.method} ${path}`);
      }
    }
    assert.deepEqual(missing, []);
  } finally {
    await gw.close();
  }
});

type Operation = {
  parameters?: { name: string; in: string }[];
  requestBody?: { content: Record<string, unknown> };
  responses: Record<string, { content?: Record<string, { schema?: unknown }> }>;
};

Deno.test("OpenAPI: stream data — read (?sparse), send (?hole=, ?finish), abort; calls' tickets", async () => {
  const { gw, doc } = await gatewayAndDocument();
  try {
    const item = doc.paths["/v1/streams/{id}"] as Record<string, Operation>;
    const query = (op: Operation) =>
      op.parameters!.filter((p) => p.in === "query").map((p) => p.name);
    assert.deepEqual(query(item.get), ["sparse"]);
    assert.deepEqual(Object.keys(item.get.responses["200"].content!), [
      "application/octet-stream",
      "application/vnd.edgevirt.sparse-stream",
      "image/png",
    ]);
    assert.deepEqual(query(item.post), ["hole", "finish"]);
    assert.deepEqual(Object.keys(item.post.requestBody!.content), ["application/octet-stream"]);
    assert.ok(item.post.responses["204"] && item.post.responses["413"]);
    assert.ok(item.delete.responses["204"]);
    const upload = doc.paths["/v1/test/default/call/storageVolUpload"].post as Operation;
    assert.deepEqual(upload.responses["200"].content!["application/json"].schema, {
      type: "object",
      required: ["result"],
      properties: { result: { $ref: "#/components/schemas/StreamTicket" } },
    });
  } finally {
    await gw.close();
  }
});

Deno.test("OpenAPI: every documented operation reaches a route of the app", async () => {
  const { gw, doc } = await gatewayAndDocument();
  try {
    const answers = allowedMethods(() => gw.app.routes);
    const unrouted: string[] = [];
    for (const [path, item] of Object.entries(doc.paths)) {
      const url = path.replace(/\{(\w+)\}/g, "sample-$1");
      const methods = answers(url);
      for (const m of METHODS) {
        if (item[m] && !methods.includes(m.toUpperCase())) unrouted.push(`${m} ${path}`);
      }
    }
    assert.deepEqual(unrouted, []);
  } finally {
    await gw.close();
  }
});
