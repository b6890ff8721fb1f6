/**
 * The one door through which the network driver changes the host: every `ip`, `iptables`,
 * `sysctl` and `dnsmasq` command and every signal to a dnsmasq it started. Tests run the driver
 * with a fake runner (recording the commands, answering queries) or with {@link hostRunner}
 * bound to a network namespace they own (`ip netns exec NS` before each command), so the
 * driver never needs to know where it runs.
 *
 * @module
 */

import { type CommandResult, runCommand } from "../../util/run_command.ts";

export type { CommandResult };

/** Runs the driver's host commands. */
export interface HostRunner {
  /** Runs `argv` (program first) with `env` added to the environment, and waits for it. */
  run(argv: readonly string[], env?: Record<string, string>): Promise<CommandResult>;
  /** Sends `signal` to process `pid`; false when there is no such process. */
  kill(pid: number, signal: Deno.Signal | 0): boolean;
}

/**
 * The runner of real commands, in network namespace `netns` when given (each command then runs
 * as `ip netns exec NETNS …`; processes share the caller's PID namespace, so signals need no
 * prefix).
 *
 * @example
 * ```ts
 * import { hostRunner } from "./runner.ts";
 * const r = await hostRunner().run(["true"]);
 * console.log(r.code); // 0
 * ```
 */
export function hostRunner(netns?: string): HostRunner {
  const prefix = netns ? ["ip", "netns", "exec", netns] : [];
  return {
    run: (argv, env) => runCommand([...prefix, ...argv], env),
    kill(pid, signal) {
      try {
        // Signal 0 asks whether the process still runs; a zombie no longer does.
        if (signal === 0) {
          const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
          return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
        }
        Deno.kill(pid, signal);
        return true;
      } catch {
        return false;
      }
    },
  };
}
