// The portable client in a real browser: headless Chromium (Debian's package, driven by npm's
// playwright-core) loads a page from one loopback origin that runs the portability scenario
// against a real gateway process on another, which allows that origin by --cors-origin. The
// page must print exactly Deno's lines over the WebSocket channel, and again over HTTP POST +
// SSE through the page's fetch (cross-origin, so only with the gateway's CORS answers).
// `.ci/run` installs Chromium and playwright-core; without them the test is ignored on a
// developer machine and fails under CI.
import assert from "node:assert/strict";
import { join } from "node:path";
import { REPO_ROOT } from "../paths.ts";
import { spawnGateway } from "../gateway/process.ts";
import { esbuildArgs } from "../../tools/npm/esbuild_args.ts";
import { runPortableScenario } from "./portability/scenario.ts";
import {
  CHROMIUM,
  ignoreWithout,
  launchChromium,
  missingPaths,
  PLAYWRIGHT,
  TOOLS,
} from "../ci_tools.ts";

const missing = await missingPaths([CHROMIUM, PLAYWRIGHT, join(TOOLS, "esbuild")]);

/** The part of playwright-core's API this test uses. */
interface Page {
  goto(url: string): Promise<unknown>;
  waitForSelector(selector: string, options: { timeout: number }): Promise<unknown>;
  textContent(selector: string): Promise<string | null>;
  on(event: "websocket" | "request", listener: (x: { url(): string }) => void): void;
  on(event: "console", listener: (m: { text(): string }) => void): void;
  on(event: "pageerror", listener: (e: Error) => void): void;
}

/** The client bundled for the browser with the portability runs' esbuild recipe. */
async function bundlePage(): Promise<string> {
  const entry = join(REPO_ROOT, "tests/client/browser/page_main.ts");
  const out = await new Deno.Command(join(TOOLS, "esbuild"), {
    args: esbuildArgs(entry),
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  return new TextDecoder().decode(out.stdout);
}

const PAGE_HTML = `<!doctype html><meta charset="utf-8"><title>edgevirt in a browser</title>
<pre id="websocket"></pre><pre id="http"></pre><pre id="error"></pre>
<script type="module" src="/page.mjs"></script>`;

/** The page's own origin: a static server on another loopback port than the gateway's. */
function servePage(script: string) {
  return Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    const path = new URL(req.url).pathname;
    if (path === "/") return new Response(PAGE_HTML, { headers: { "content-type": "text/html" } });
    if (path === "/page.mjs") {
      return new Response(script, { headers: { "content-type": "text/javascript" } });
    }
    return new Response("not found", { status: 404 });
  });
}

Deno.test({
  name: "browser: headless Chromium prints Deno's scenario lines over WebSocket and HTTP+CORS",
  ignore: ignoreWithout(missing),
  // playwright-core keeps pipes to Chromium until it has fully exited.
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    assert.deepEqual(
      missing,
      [],
      `missing ${
        missing.join(", ")
      }: install chromium (apt) and playwright-core (npm) as .ci/run does`,
    );
    const started = performance.now();
    const server = servePage(await bundlePage());
    const pageOrigin = `http://127.0.0.1:${server.addr.port}`;
    const gw = await spawnGateway({ corsOrigins: [pageOrigin] });
    const browser = await launchChromium<Page>(["--disable-quic"]);
    try {
      const uri = `test+http://127.0.0.1:${gw.port}/default`;
      const expected = (await runPortableScenario({ uri, token: gw.token })).join("\n");
      const page = await browser.newPage();
      const sockets: string[] = [];
      const requests: string[] = [];
      const log: string[] = [];
      page.on("websocket", (ws) => sockets.push(ws.url()));
      page.on("request", (r) => requests.push(r.url()));
      page.on("console", (m) => log.push(m.text()));
      page.on("pageerror", (e) => log.push(`page error: ${e.message}`));
      const query = new URLSearchParams({ uri, token: gw.token });
      await page.goto(`${pageOrigin}/?${query}`);
      await page.waitForSelector("body[data-done]", { timeout: 20_000 });
      const text = async (id: string) => (await page.textContent(`#${id}`)) ?? "";
      assert.equal(await text("error"), "", log.join("\n"));

      await t.step("WebSocket channel", async () => {
        assert.equal(await text("websocket"), expected);
        assert.ok(sockets.includes(`ws://127.0.0.1:${gw.port}/v1/rpc`), `${sockets}`);
      });
      await t.step("HTTP channel across origins (CORS)", async () => {
        assert.equal(await text("http"), expected);
        const session = new RegExp(`^${gw.origin}/v1/sessions/[0-9a-f-]+/call/`);
        assert.ok(requests.some((u) => session.test(u)), requests.join("\n"));
      });
    } finally {
      await browser.close();
      await server.shutdown();
      await gw.stop();
    }
    const seconds = (performance.now() - started) / 1000;
    assert.ok(seconds < 30, `the browser test took ${seconds.toFixed(1)} s`);
  },
});
