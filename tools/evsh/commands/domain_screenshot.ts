/**
 * `screenshot` (virsh's `cmdScreenshot` and `virshGenFileName`): the image a domain's screen
 * shows, received through a stream into FILE, or without one into `DOMAIN-DATE.EXT` in the
 * working directory, the extension named by the MIME type the driver gives.
 * @module
 */
import { VirError } from "../../../util/errors.ts";
import type { CommandDef } from "../context.ts";
import { domainArg } from "../lookup.ts";

/** The MIME types virsh names an extension for; any other gets none. */
const EXTENSIONS: Record<string, string> = {
  "image/x-portable-pixmap": ".ppm",
  "image/png": ".png",
};

const two = (n: number) => String(n).padStart(2, "0");

/**
 * `virshGenFileName`: `NAME-YYYY-MM-DD-HH:MM:SS.EXT` in local time.
 *
 * @example
 * ```ts
 * import { screenshotFileName } from "./domain_screenshot.ts";
 * screenshotFileName("test", "image/png", new Date(2026, 11, 7, 3, 4, 5));
 * // "test-2026-12-07-03:04:05.png"
 * ```
 */
export function screenshotFileName(domain: string, mime: string, now = new Date()): string {
  const date = `${now.getFullYear()}-${two(now.getMonth() + 1)}-${two(now.getDate())}`;
  const time = `${two(now.getHours())}:${two(now.getMinutes())}:${two(now.getSeconds())}`;
  return `${domain}-${date}-${time}${EXTENSIONS[mime] ?? ""}`;
}

/** The `screenshot` command. */
export const SCREENSHOT_COMMAND: CommandDef = {
  name: "screenshot",
  async run(ctx, args) {
    let file = ctx.optString(args, "file");
    const screen = ctx.optInt(args, "screen", "uip") ?? 0;
    const { obj: dom, arg } = await domainArg(ctx, args);
    const st = ctx.conn.newStream(0);
    const mime = await ctx.call(
      () => dom.screenshot(st, screen, 0),
      `could not take a screenshot of ${arg}`,
    );
    file ??= screenshotFileName(dom.name, mime);
    const out = await ctx.io.createFile?.(file).catch(() => undefined);
    if (!out) return ctx.fail(`cannot create file ${file}`);
    const received = await st.recvAll(out.writable).then(() => true, (e) => {
      // A failing file write is virsh's sink failing: only its own line is printed.
      if (e instanceof VirError) ctx.lastError = e;
      return false;
    });
    if (!received) {
      await out.discard();
      ctx.fail(`could not receive data from domain '${arg}'`);
    }
    ctx.printExtra(`Screenshot saved to ${file}, with type of ${mime}`);
  },
};
