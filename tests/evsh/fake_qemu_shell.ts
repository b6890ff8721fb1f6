/**
 * evsh on the QEMU driver over a fake QEMU (the block harness), in process and through a
 * gateway, for the command tests that need both.
 *
 * @module
 */
import { connect } from "../../mod.ts";
import { Connection } from "../../client/connection.ts";
import { createGateway } from "../../gateway/app.ts";
import { createRegistry } from "../../util/registry.ts";
import { Shell } from "../../tools/evsh/mod.ts";
import type { ShellOptions } from "../../tools/evsh/shell.ts";
import { type Setup, setup } from "../drivers/qemu/fake_qmp/block_harness.ts";
import type { DriverConnection } from "../../util/driver.ts";

/** The options of the harness's {@link setup}. */
type SetupOptions = Parameters<typeof setup>[0];

/** Runs one evsh line: stdout, stderr, success. */
export type Run = (line: string) => Promise<[string, string, boolean]>;

/**
 * A shell on `conn`, its output collected per line run; its files read by `readFile` (paths as
 * given by default), with the shell's `options`.
 */
export function shellOn(
  conn: Connection,
  readFile: (path: string) => Promise<string> = (p) => Deno.readTextFile(p),
  options: ShellOptions = {},
): Run {
  let out = "";
  let err = "";
  const shell = new Shell(conn, {
    stdout: (s) => (out += s),
    stderr: (s) => (err += s),
    readFile,
  }, options);
  return async (line) => {
    out = err = "";
    const ok = await shell.runLine(line);
    return [out, err, ok];
  };
}

/** `conn` with its `key` replaced by `value`; its methods keep their own receiver. */
export function replacing(conn: DriverConnection, key: string, value: unknown): DriverConnection {
  return new Proxy(conn, {
    get: (target, k) => {
      if (k === key) return value;
      const v = Reflect.get(target, k);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
}

/**
 * Runs `body` with a shell on a transient domain of the fake QEMU's block harness in process,
 * then again with one through a gateway.
 *
 * @example
 * ```ts ignore
 * await bothWays(async (t, run) => { await run("dominfo hp"); });
 * ```
 */
export async function bothWays(
  body: (t: Setup, run: Run) => Promise<void>,
  options: SetupOptions = {},
): Promise<void> {
  for (const remote of [false, true]) {
    const t = await setup(options, false);
    const gw = remote
      ? await createGateway({
        drivers: ["fakeqemu:///session"],
        registry: createRegistry([{
          name: "fakeqemu",
          schemes: ["fakeqemu"],
          // The harness closes its connection itself.
          open: () => Promise.resolve(replacing(t.conn, "connectClose", () => Promise.resolve())),
        }]),
        auth: "none",
      })
      : undefined;
    const conn = gw
      ? await connect("fakeqemu+http://gateway.test/session", {
        token: "unused",
        fetch: (input, init) => gw.fetch(new Request(input, init)),
      })
      : new Connection(t.conn, "qemu:///session");
    try {
      await body(t, shellOn(conn));
    } catch (e) {
      throw new Error(`${remote ? "through a gateway" : "in process"}: ${e}`);
    } finally {
      if (gw) {
        await conn.close();
        await gw.close();
      }
      await t.close();
    }
  }
}
