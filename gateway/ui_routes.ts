import type { Env, Hono } from "hono";
import { VirError } from "../util/errors.ts";

const UI = new URL("../ui/", import.meta.url);
const XTERM_CSS = new URL("../node_modules/@xterm/xterm/css/xterm.css", import.meta.url);

/**
 * The web console's files at `/ui/`: the page, its script — `ui/app.ts` with the portable
 * client and xterm.js, bundled by `deno bundle` (esbuild) on first request and kept — and
 * xterm.js's style sheet. The page holds no secret: it asks for a token and calls the gateway
 * like any client.
 *
 * @example
 * ```ts ignore
 * uiRoutes(app);
 * ```
 */
export function uiRoutes<E extends Env>(app: Hono<E>): void {
  let bundle: Promise<string> | undefined;
  app.get("/ui", (c) => c.redirect("/ui/", 301));
  app.get("/ui/", async (c) => c.html(await Deno.readTextFile(new URL("index.html", UI))));
  app.get("/ui/xterm.css", async (c) => {
    c.header("content-type", "text/css; charset=utf-8");
    return c.body(await Deno.readTextFile(XTERM_CSS));
  });
  app.get("/ui/app.js", async (c) => {
    bundle ??= bundleApp().catch((e) => {
      bundle = undefined;
      throw e;
    });
    c.header("content-type", "text/javascript; charset=utf-8");
    return c.body(await bundle);
  });
}

async function bundleApp(): Promise<string> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "bundle",
      "--quiet",
      "--platform",
      "browser",
      "--minify",
      new URL("app.ts", UI).pathname,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) {
    throw VirError.report(
      "NONE",
      "INTERNAL_ERROR",
      `cannot bundle the web console: ${new TextDecoder().decode(out.stderr).trim()}`,
    );
  }
  return new TextDecoder().decode(out.stdout);
}
