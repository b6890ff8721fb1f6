// The gateway's OpenAPI document is lint-clean: `redocly lint` (its recommended rules) finds no
// error and no warning; and, everywhere (without the tool too), the rules this project relies on:
// servers, a unique operationId on every operation, no two paths matching one URL, examples.
import assert from "node:assert/strict";
import { join } from "node:path";
import { startGateway } from "./helpers.ts";
import { TOOLS } from "../ci_tools.ts";

const redocly = join(TOOLS, "redocly");
const present = await Deno.stat(redocly).then(() => true, () => false);

type Doc = { servers: { url: string }[]; paths: Record<string, Record<string, unknown>> };

async function served(): Promise<Doc> {
  const gw = await startGateway();
  try {
    const res = await gw.app.request("http://127.0.0.1:16510/v1/openapi.json");
    return await res.json();
  } finally {
    await gw.close();
  }
}

const METHODS = ["get", "put", "post", "delete", "patch", "head", "options"];

/** redocly's no-ambiguous-paths: same length, and at each segment equal or templated. */
function ambiguous(a: string, b: string): boolean {
  const x = a.split("/"), y = b.split("/");
  if (x.length !== y.length) return false;
  return x.every((s, i) => s === y[i] || s.startsWith("{") || y[i].startsWith("{"));
}

Deno.test("OpenAPI: servers, a unique operationId everywhere, unambiguous paths, examples", async () => {
  const doc = await served();
  assert.deepEqual(doc.servers.map((s) => s.url), ["http://127.0.0.1:16510"]);
  const ids = new Map<string, string>();
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of METHODS) {
      const op = item[method] as { operationId?: string; responses?: object } | undefined;
      if (!op) continue;
      assert.ok(op.operationId, `${method} ${path} has no operationId`);
      assert.ok(!ids.has(op.operationId), `${op.operationId}: ${ids.get(op.operationId)} too`);
      ids.set(op.operationId, `${method} ${path}`);
    }
  }
  assert.ok(ids.size > 300);
  const paths = Object.keys(doc.paths);
  for (let i = 0; i < paths.length; i++) {
    for (let j = i + 1; j < paths.length; j++) {
      assert.ok(!ambiguous(paths[i], paths[j]), `${paths[i]} and ${paths[j]}`);
    }
  }
  const define = doc.paths["/v1/test/default/domains"].post as {
    requestBody: { content: Record<string, { example?: unknown }> };
  };
  assert.deepEqual(define.requestBody.content["application/json"].example, {
    name: "web-1",
    memory: 1048576,
    vcpu: 2,
  });
  assert.ok(ambiguous("/v1/{a}/x", "/v1/b/{c}") && !ambiguous("/v1/a/x", "/v1/b/{c}"));
});

Deno.test("OpenAPI document revalidates with its ETag (304)", async () => {
  const gw = await startGateway();
  try {
    const first = await gw.app.request("/v1/openapi.json");
    const tag = first.headers.get("etag");
    assert.ok(tag);
    await first.body?.cancel();
    const again = await gw.app.request("/v1/openapi.json", { headers: { "if-none-match": tag } });
    assert.equal(again.status, 304);
  } finally {
    await gw.close();
  }
});

Deno.test({
  name: "OpenAPI: redocly lint finds no error and no warning",
  // `.ci/run` installs @redocly/cli; a developer machine without it runs the check above.
  ignore: !present && !Deno.env.get("CI"),
  async fn() {
    assert.ok(present, `redocly missing in ${TOOLS} (npm i @redocly/cli)`);
    const dir = await Deno.makeTempDir();
    try {
      await Deno.writeTextFile(`${dir}/openapi.json`, JSON.stringify(await served()));
      const out = await new Deno.Command(redocly, {
        args: ["lint", "--format=summary", "--max-problems", "1000", "openapi.json"],
        cwd: dir,
        env: { NO_COLOR: "1", REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" },
        stdout: "piped",
        stderr: "piped",
      }).output();
      const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
      assert.equal(out.code, 0, text);
      assert.doesNotMatch(text, /^(error|warning) /m, text);
      assert.match(text, /Your API description is valid/);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
