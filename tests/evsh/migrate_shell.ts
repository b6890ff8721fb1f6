/**
 * What the evsh migration tests share: two embedded QEMU drivers of this process
 * (`qemu:///embed?root=…`, each on a folder of its own), an evsh shell on the source whose
 * output is kept and whose `connect`s are closed afterwards, and the clean-up QEMU needs, as it
 * outlives its driver (its own session): a failed run must not leave one behind on either side.
 *
 * @module
 */
import { connect } from "../../host.ts";
import { Shell } from "../../tools/evsh/mod.ts";
import { readTextFileForEvsh } from "../../tools/evsh/main.ts";
import { VIR } from "../../util/constants.ts";

type Connection = Awaited<ReturnType<typeof connect>>;

/** What {@link withMigrationShell} hands its body. */
export interface MigrationShell {
  /** The source's and the destination's roots. */
  a: string;
  b: string;
  src: Connection;
  shell: Shell;
  /** What the shell printed since the test last emptied them. */
  out: { stdout: string; stderr: string };
  /** Connections the body opens, closed afterwards. */
  opened: Connection[];
}

/**
 * Runs `fn` with a source connection and an evsh shell on it, then closes every connection,
 * destroys what still runs on either root and removes both.
 *
 * @example
 * ```ts ignore
 * await withMigrationShell("evsh-mig", async ({ shell }) => {});
 * ```
 */
export async function withMigrationShell(
  prefix: string,
  fn: (m: MigrationShell) => Promise<void>,
): Promise<void> {
  const a = await Deno.makeTempDir({ prefix: `${prefix}-a-` });
  const b = await Deno.makeTempDir({ prefix: `${prefix}-b-` });
  const src = await connect(`qemu:///embed?root=${a}`);
  const opened: Connection[] = [];
  const out = { stdout: "", stderr: "" };
  const shell = new Shell(src, {
    stdout: (s) => (out.stdout += s),
    stderr: (s) => (out.stderr += s),
    readFile: readTextFileForEvsh,
  }, {
    open: async (uri) => {
      const c = await connect(uri);
      opened.push(c);
      return c;
    },
  });
  try {
    await fn({ a, b, src, shell, out, opened });
  } finally {
    for (const c of opened) await c.close().catch(() => {});
    await src.close();
    for (const root of [a, b]) {
      const c = await connect(`qemu:///embed?root=${root}`);
      for (const d of await c.listAllDomains(VIR.CONNECT_LIST_DOMAINS_ACTIVE).catch(() => [])) {
        await d.destroy().catch(() => {});
      }
      await c.close();
    }
    for (const d of [a, b]) await Deno.remove(d, { recursive: true }).catch(() => {});
  }
}
