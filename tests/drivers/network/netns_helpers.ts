/**
 * Network namespaces for the network driver's real tests: each test makes its own
 * (`evt-net-XXXXXXXX`), runs the driver's commands in it and deletes it afterwards, also when
 * the test fails, killing any dnsmasq left in it. The host's own network is never touched.
 * These tests need root, `ip`, `iptables`, `sysctl` and `/usr/sbin/dnsmasq`: without them they
 * fail (CI runs as root with all of them installed by `.ci/run`).
 *
 * @module
 */
import assert from "node:assert/strict";
import { hostRunner } from "../../../drivers/network/runner.ts";
import { networkDriver } from "../../../drivers/network/mod.ts";
import type { SecondaryConnection } from "../../../util/contract/compose.ts";
import { withRoot } from "../secondary_helpers.ts";

/** Runs a command in namespace `ns` (or on the host without one) and gives its stdout. */
export async function inNs(ns: string | undefined, ...argv: string[]): Promise<string> {
  const r = await hostRunner(ns).run(argv);
  assert.equal(r.code, 0, `${argv.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

/**
 * Runs evsh on `qemu:///embed?root=ROOT` as a whole process inside namespace `ns`, so that the
 * drivers it embeds (network, QEMU) make their bridges, taps and dnsmasq there; fails on a
 * non-zero exit with evsh's stderr, else gives its stdout.
 *
 * @example
 * ```ts ignore
 * await evshInNs(ns, root, "net-list --all");
 * ```
 */
export async function evshInNs(ns: string, root: string, cmds: string): Promise<string> {
  const evsh = new URL("../../../tools/evsh/main.ts", import.meta.url).pathname;
  const out = await new Deno.Command("ip", {
    args: ["netns", "exec", ns, Deno.execPath(), "run", "-A", "--quiet", evsh, "-c"]
      .concat([`qemu:///embed?root=${root}`, cmds]),
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder();
  assert.equal(out.code, 0, `${cmds}: ${text.decode(out.stderr)}`);
  return text.decode(out.stdout);
}

/** The pids of the processes whose network namespace is `ns`. */
async function pidsIn(ns: string): Promise<number[]> {
  const out = await new Deno.Command("ip", { args: ["netns", "pids", ns], stdout: "piped" })
    .output();
  return new TextDecoder().decode(out.stdout).split(/\s+/).filter(Boolean).map(Number);
}

/**
 * Runs `body` with a fresh network namespace whose loopback is up, deleted afterwards.
 *
 * @example
 * ```ts
 * import { withNetns } from "./netns_helpers.ts";
 * await withNetns(async (ns) => console.log(ns));
 * ```
 */
export async function withNetns(body: (ns: string) => Promise<void>): Promise<void> {
  assert.equal(Deno.uid(), 0, "the network driver's real tests run as root (as CI does)");
  const ns = `evt-net-${crypto.randomUUID().slice(0, 8)}`;
  await inNs(undefined, "ip", "netns", "add", ns);
  try {
    await inNs(ns, "ip", "link", "set", "lo", "up");
    await body(ns);
  } finally {
    for (const pid of await pidsIn(ns)) {
      try {
        Deno.kill(pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
    await inNs(undefined, "ip", "netns", "del", ns);
  }
}

/**
 * Runs `body` with the network driver opened on a fresh `qemu:///embed?root=TMP` whose commands
 * run in namespace `ns`, closed and the root removed afterwards.
 *
 * @example
 * ```ts
 * import { withDriverIn } from "./netns_helpers.ts";
 * declare const ns: string;
 * await withDriverIn(ns, async (conn) => console.log(await conn.connectNumOfNetworks?.()));
 * ```
 */
export async function withDriverIn(
  ns: string,
  body: (conn: SecondaryConnection, root: string) => Promise<void>,
): Promise<void> {
  await withRoot(async (root) => {
    const conn = await networkDriver.open(new URL(`qemu:///embed?root=${root}`), {
      networkRunner: hostRunner(ns),
    });
    try {
      await body(conn, root);
    } finally {
      await conn.connectClose();
    }
  });
}

/**
 * The IPv4 addresses the DNS server `server` gives for each of `names`, asked from inside
 * namespace `ns` (Deno's resolver, in a child process there): none for a name it does not know.
 *
 * @example
 * ```ts ignore
 * await resolveInNs(ns, "192.168.150.1", ["h5"]); // { h5: ["192.168.150.5"] }
 * ```
 */
export async function resolveInNs(
  ns: string,
  server: string,
  names: string[],
): Promise<Record<string, string[]>> {
  const code = `const out = {};
for (const name of ${JSON.stringify(names)}) {
  try {
    const opts = { nameServer: { ipAddr: ${JSON.stringify(server)}, port: 53 } };
    out[name] = (await Deno.resolveDns(name, "A", opts)).sort();
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
    out[name] = [];
  }
}
console.log(JSON.stringify(out));`;
  const out = await new Deno.Command("ip", {
    args: ["netns", "exec", ns, Deno.execPath(), "eval", code],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder();
  assert.equal(out.code, 0, text.decode(out.stderr));
  return JSON.parse(text.decode(out.stdout));
}
