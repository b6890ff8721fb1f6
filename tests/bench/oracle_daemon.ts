/**
 * A private libvirtd from the oracle (`daemon.sh start`) for the benches that compare against
 * libvirt in the same run; stopped (domains destroyed, files removed) when `body` ends.
 *
 * @example
 * ```ts ignore
 * import { withOracleDaemon } from "./oracle_daemon.ts";
 * await withOracleDaemon("/work/shared/oracle", async (d) => console.log(d.URI_QEMU));
 * ```
 * @module
 */
import { join } from "node:path";
import { REPO_ROOT } from "../paths.ts";

/** What `daemon.sh start` prints: DIR, PID, SOCK, URI_TEST, URI_QEMU. */
/**
 * The shared reference folder beside the checkout (where the oracle lives); `EDGEVIRT_SHARED`
 * moves it. Only benches and recording scripts use it: tests replay recordings instead.
 */
export const SHARED: string = Deno.env.get("EDGEVIRT_SHARED") ?? join(REPO_ROOT, "../shared");

export type OracleDaemon = Record<string, string>;

/** Runs `body` with a fresh libvirtd from `oracle/daemon.sh`. */
export async function withOracleDaemon<T>(
  oracle: string,
  body: (daemon: OracleDaemon) => Promise<T>,
): Promise<T> {
  const script = `${oracle}/daemon.sh`;
  const start = await new Deno.Command("bash", { args: [script, "start"], stdout: "piped" })
    .output();
  if (!start.success) throw new Error("oracle daemon.sh start failed");
  const vars: OracleDaemon = Object.fromEntries(
    new TextDecoder().decode(start.stdout).split("\n").map((l) =>
      /^(?:export )?(\w+)=['"]?(.*?)['"]?;?$/.exec(l.trim())
    ).filter((m) => m).map((m) => [m![1], m![2]]),
  );
  try {
    return await body(vars);
  } finally {
    await new Deno.Command("bash", { args: [script, "stop", vars.DIR], stdout: "null" }).output();
  }
}
