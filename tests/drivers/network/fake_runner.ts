/**
 * A {@link HostRunner} for fast tests: it records every command and plays a tiny host (network
 * devices, iptables rules, dnsmasq processes) so the driver sees what a real host would answer.
 *
 * @module
 */
import type { CommandResult, HostRunner } from "../../../drivers/network/runner.ts";
import { networkDriver } from "../../../drivers/network/mod.ts";
import type { SecondaryConnection } from "../../../util/contract/compose.ts";
import { withRoot } from "../secondary_helpers.ts";

/** The fake host's state and the commands it saw. */
export class FakeHost implements HostRunner {
  /** Every command run, as one string each. */
  readonly commands: string[] = [];
  /** Network devices that exist. */
  readonly devices = new Set<string>(["lo"]);
  /** iptables rules in force (`--insert` lines, as inserted). */
  readonly rules = new Set<string>();
  /** Live dnsmasq processes by pid, with their config file. */
  readonly processes = new Map<number, string>();
  /** The main routing table, as `ip -j route` prints it. */
  routes: { dst: string; dev: string }[] = [];
  /** Signals sent, as `SIGNAL PID`. */
  readonly signals: string[] = [];
  /** Set answers by command line, given before anything else is looked at. */
  readonly answers = new Map<string, CommandResult>();
  /** A command matching this fails (exit 2, "RTNETLINK answers: Operation not permitted"). */
  failOn?: RegExp;
  #nextPid = 4000000;

  async run(argv: readonly string[]): Promise<CommandResult> {
    const line = argv.join(" ");
    this.commands.push(line);
    const ok = (stdout = "") => ({ code: 0, stdout, stderr: "" });
    const answer = this.answers.get(line);
    if (answer) return answer;
    if (this.failOn?.test(line)) {
      return { code: 2, stdout: "", stderr: "RTNETLINK answers: Operation not permitted\n" };
    }
    const [prog, ...args] = argv;
    if (prog === "ip" && args[0] === "link") {
      const dev = args[args.indexOf(args[1] === "add" ? "name" : "dev") + 1];
      if (args[1] === "show") {
        return this.devices.has(dev)
          ? ok()
          : { code: 1, stdout: "", stderr: `Device "${dev}" does not exist.` };
      }
      if (args[1] === "add") {
        if (this.devices.has(dev)) {
          return { code: 2, stdout: "", stderr: "RTNETLINK answers: File exists\n" };
        }
        this.devices.add(dev);
      }
      if (args[1] === "del") this.devices.delete(dev);
      return ok();
    }
    if (prog === "ip" && args.includes("route") && args.includes("-j")) {
      return ok(JSON.stringify(this.routes));
    }
    if (prog === "iptables" || prog === "ip6tables") {
      if (args.includes("--list-rules")) return ok();
      const key = line.replace("--delete", "--insert");
      if (args.includes("--delete")) {
        if (!this.rules.delete(key)) return { code: 1, stdout: "", stderr: "iptables: Bad rule" };
      } else if (args.includes("--insert")) {
        this.rules.add(key);
      }
      return ok();
    }
    if (prog === "sysctl" && args[0] === "-n") return ok("0\n");
    if (prog === "/usr/sbin/dnsmasq") {
      const conf = args.find((a) => a.startsWith("--conf-file="))!.slice(12);
      const pidFile = (await Deno.readTextFile(conf)).match(/^pid-file=(.*)$/m)![1];
      const pid = this.#nextPid++;
      this.processes.set(pid, conf);
      await Deno.writeTextFile(pidFile, `${pid}\n`);
      return ok();
    }
    return ok();
  }

  kill(pid: number, signal: Deno.Signal | 0): boolean {
    if (!this.processes.has(pid)) return false;
    if (signal === 0) return true;
    this.signals.push(`${signal} ${pid}`);
    if (signal === "SIGTERM" || signal === "SIGKILL") this.processes.delete(pid);
    return true;
  }

  /** What a network left on the host: devices but lo, rules but the chain hooks, processes. */
  leftovers(): string[] {
    return [
      ...[...this.devices].filter((d) => d !== "lo"),
      ...[...this.rules].filter((r) => !/--jump LIBVIRT_/.test(r)),
      ...[...this.processes.values()],
    ];
  }

  /** The commands run since the last call. */
  take(): string[] {
    return this.commands.splice(0);
  }
}

/** Runs `body` on a network driver connection whose host is `host`, every file under a root. */
export async function withNet(
  body: (conn: SecondaryConnection, host: FakeHost, root: string) => Promise<void>,
  host = new FakeHost(),
): Promise<void> {
  await withRoot(async (root) => {
    const conn = await networkDriver.open(new URL(`qemu:///embed?root=${root}`), {
      networkRunner: host,
    });
    try {
      await body(conn, host, root);
    } finally {
      await conn.connectClose();
    }
  });
}
