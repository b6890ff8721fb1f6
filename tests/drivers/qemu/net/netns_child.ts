/**
 * What the real network tests share: a network namespace and a folder of their own, removed
 * whatever happens, and the driver-side script each runs inside the namespace, whose last line
 * of output is its JSON report.
 *
 * @module
 */
import assert from "node:assert/strict";
import { runHost } from "../../../host_command.ts";

/** A child script's report: whatever JSON it printed last. */
type Report = ReturnType<typeof JSON.parse>;

/**
 * Runs `fn` with a new network namespace (`prefix` and this process's id) and a new folder, and
 * removes both afterwards.
 *
 * @example
 * ```ts ignore
 * await inNamespace("evt-x", async (ns, dir) => {});
 * ```
 */
export async function inNamespace(
  prefix: string,
  fn: (ns: string, dir: string) => Promise<void>,
): Promise<void> {
  const ns = `${prefix}-${Deno.pid}`;
  const dir = await Deno.makeTempDir();
  await runHost("ip", "netns", "add", ns);
  try {
    await fn(ns, dir);
  } finally {
    await runHost("ip", "netns", "del", ns).catch(() => {});
    await Deno.remove(dir, { recursive: true });
  }
}

/**
 * Runs the script `child` with `dir` inside namespace `ns` and gives its report, which must
 * carry no `error`.
 *
 * @example
 * ```ts ignore
 * const report = await runChild(ns, new URL("./real_x_child.ts", import.meta.url), dir);
 * ```
 */
export async function runChild(ns: string, child: URL, dir: string): Promise<Report> {
  const out = await runHost(
    "ip",
    "netns",
    "exec",
    ns,
    Deno.execPath(),
    "run",
    "-A",
    child.pathname,
    dir,
  );
  const report = JSON.parse(out.trim().split("\n").pop()!);
  assert.equal(report.error, undefined, report.error);
  return report;
}
