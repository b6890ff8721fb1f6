/**
 * libvirt 9.0's `virFirewall` with its direct backend (`src/util/virfirewall.c`), as the
 * ebiptables driver uses it: groups of commands run in order, a group that ignores errors or one
 * whose failure rolls back its own and earlier groups' undo commands, and query commands
 * (`-L CHAIN`) whose output adds commands at the end of the running group.
 *
 * @module
 */
import { VirError } from "../../../util/errors.ts";
import type { CommandResult } from "../../../util/run_command.ts";

/** Runs a program (argv[0]) and waits for it. */
export type CommandRunner = (argv: readonly string[]) => Promise<CommandResult>;

/** The three tools, as libvirt calls them (`virFirewallRuleNew`). */
export type Layer = "ethernet" | "ipv4" | "ipv6";

const PROGRAMS: Readonly<Record<Layer, readonly string[]>> = {
  ethernet: ["/usr/sbin/ebtables", "--concurrent"],
  ipv4: ["/usr/sbin/iptables", "-w"],
  ipv6: ["/usr/sbin/ip6tables", "-w"],
};

/** One command of a group. */
export interface FwRule {
  layer: Layer;
  args: string[];
  /** A failure is ignored (`virFirewallAddRuleFull`'s `ignoreErrors`). */
  ignoreErrors?: boolean;
  /** Reads the output, giving commands to add to the running group. */
  query?: (lines: string[]) => FwRule[];
}

/** A transaction (`virFirewallStartTransaction`) with its rollback. */
export interface FwGroup {
  ignoreErrors: boolean;
  rules: FwRule[];
  rollback: FwRule[];
}

/**
 * A command list being built, as libvirt's `virFirewall`.
 *
 * @example
 * ```ts
 * import { Firewall } from "./firewall.ts";
 * const fw = new Firewall();
 * fw.start(true);
 * fw.add("ethernet", ["-t", "nat", "-X", "libvirt-I-vnet0"]);
 * fw.groups.length; // 1
 * ```
 */
export class Firewall {
  readonly groups: FwGroup[] = [];
  #rollback = false;

  /** `virFirewallStartTransaction`. */
  start(ignoreErrors: boolean): void {
    this.groups.push({ ignoreErrors, rules: [], rollback: [] });
    this.#rollback = false;
  }

  /** `virFirewallStartRollback`: later commands undo the current group. */
  startRollback(): void {
    this.#rollback = true;
  }

  /** `virFirewallAddRule(Full)`. */
  add(layer: Layer, args: string[], ignoreErrors = false, query?: FwRule["query"]): void {
    const group = this.groups.at(-1)!;
    (this.#rollback ? group.rollback : group.rules).push({ layer, args, ignoreErrors, query });
  }

  /**
   * `virFirewallApply`: every group; a failure in one that does not ignore errors runs the
   * rollbacks of it and the groups before it, then reports libvirt's error.
   */
  async apply(run: CommandRunner): Promise<void> {
    for (let i = 0; i < this.groups.length; i++) {
      try {
        await runRules(run, [...this.groups[i].rules], this.groups[i].ignoreErrors);
      } catch (e) {
        for (let j = 0; j <= i; j++) {
          await runRules(run, [...this.groups[j].rollback], true).catch(() => {});
        }
        throw e;
      }
    }
  }
}

async function runRules(run: CommandRunner, rules: FwRule[], ignoreErrors: boolean) {
  // Commands a query adds go to the end of the group, as libvirt appends them.
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i];
    const argv = [...PROGRAMS[rule.layer], ...rule.args];
    const out = await run(argv);
    if (out.code !== 0) {
      if (ignoreErrors || rule.ignoreErrors) continue;
      throw VirError.report(
        "FIREWALL",
        "INTERNAL_ERROR",
        `Failed to apply firewall rules ${argv.join(" ")}: ${out.stderr}`,
      );
    }
    if (rule.query) rules.push(...rule.query(out.stdout.split("\n").filter((l) => l !== "")));
  }
}
