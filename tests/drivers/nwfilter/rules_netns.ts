/**
 * A network namespace of a test's own for the nwfilter rule backend: a tap `vnet0` in it, a
 * command runner that runs ebtables/iptables there, and the three tables dumped as
 * tests/tools/nwfilter/record_rules_inner.sh dumps libvirt's. The host's own tables and
 * interfaces are never touched.
 */
import { runHost } from "../../host_command.ts";
import { withNetns } from "../network/netns_helpers.ts";
import type { CommandRunner } from "../../../drivers/nwfilter/tech/firewall.ts";
import { runCommand } from "../../../util/run_command.ts";

/** Root, with the firewall tools libvirt calls, can run the backend for real. */
export const canRunRules = Deno.uid() === 0 &&
  ["/usr/sbin/ebtables", "/usr/sbin/iptables", "/usr/sbin/ip6tables"].every((p) => {
    try {
      return Deno.statSync(p).isFile;
    } catch {
      return false;
    }
  });

/** A runner of commands inside namespace `ns`. */
export function nsRunner(ns: string): CommandRunner {
  return (argv) => runCommand(["ip", "netns", "exec", ns, ...argv]);
}

/** The tables as the recording keeps them: without iptables-save's dated comments. */
export async function dumpTables(ns: string): Promise<Record<string, string>> {
  const exec = (...argv: string[]) => runHost("ip", "netns", "exec", ns, ...argv);
  const noComments = (s: string) => s.split("\n").filter((l) => !l.startsWith("#")).join("\n");
  return {
    ebtables: await exec("ebtables", "-t", "nat", "-L", "--Lmac2"),
    iptables: noComments(await exec("iptables-save")),
    ip6tables: noComments(await exec("ip6tables-save")),
  };
}

/** Runs `fn` with a fresh namespace holding an up tap `vnet0`; the namespace goes after. */
export function withTapNamespace(fn: (ns: string) => Promise<void>): Promise<void> {
  return withNetns(async (ns) => {
    await runHost("ip", "-n", ns, "tuntap", "add", "dev", "vnet0", "mode", "tap");
    await runHost("ip", "-n", ns, "link", "set", "vnet0", "up");
    await fn(ns);
  });
}

/** The nwfilter driver's host inside namespace `ns`: its links, its firewall tools. */
export function nsHost(ns: string): {
  linkExists: (name: string) => Promise<boolean>;
  run: CommandRunner;
} {
  const run = nsRunner(ns);
  return {
    linkExists: async (name) => (await run(["ip", "link", "show", "dev", name])).code === 0,
    run,
  };
}
