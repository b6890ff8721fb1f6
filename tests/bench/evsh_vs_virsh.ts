// One-command runs, whole processes, on qemu:///session with 1 and then 20 active domains (D0
// running, the others paused so that their BIOS loops do not saturate the host's CPUs):
// `evsh -c qemu:///session 'setvcpus D 2 --live'` (through the edgevirt session daemon) against
// `virsh -c qemu+unix:///session?socket=… 'setvcpus D 2 --live'` (libvirt 9.0's libvirtd from
// the oracle), in one run, interleaved. Goal: evsh ≤ 3× virsh, flat in the number of domains.
// With 1 domain it also times a few other commands (`--version`, which connects nowhere,
// `list`, `dumpxml D0`), so that start-up is not tuned to one command.
//
// evsh runs as `deno task evsh` runs it: the command line of deno.json's `evsh` task, with the
// deno binary called directly (virsh is called directly too) and `--quiet`; one row shows the
// same command as a plain `deno run -A tools/evsh/main.ts`, one what `npx -y deno@2.9.6` adds.
// EVSH_BASELINE=DIR adds the evsh of another checkout (its own task line), in the same run.
//   deno run -A tests/bench/evsh_vs_virsh.ts [runs]
import { connect } from "../../host.ts";
import { REPO_ROOT } from "../paths.ts";
import { SHARED, withOracleDaemon } from "./oracle_daemon.ts";
import { hotplugDomainXML, median } from "./hotplug_domain.ts";

const RUNS = Number(Deno.args[0] ?? 15);
const COUNTS = [1, 20];
const COMMAND = "setvcpus D0 2 --live";
/** The commands of the start-up table, as virsh and evsh take them after `-c URI`. */
const STARTUP = [["--version"], ["list"], ["dumpxml", "D0"], COMMAND.split(" ")];
const xml = (name: string) => hotplugDomainXML(name, 64);

/** Wall time of one whole process, in ms; it must succeed. */
async function timed(
  cmd: string,
  args: string[],
  options: { env?: Record<string, string>; cwd?: string } = {},
): Promise<number> {
  const t = performance.now();
  const out = await new Deno.Command(cmd, { args, ...options, stdout: "null", stderr: "piped" })
    .output();
  const ms = performance.now() - t;
  if (!out.success) {
    throw new Error(`${cmd} ${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
  }
  return ms;
}

/** The arguments of `deno task evsh` in checkout `root` (after `deno`), `--quiet` added. */
async function taskArgs(root: string): Promise<string[]> {
  const task: string = JSON.parse(await Deno.readTextFile(`${root}/deno.json`)).tasks.evsh;
  const [deno, run, ...rest] = task.split(/\s+/);
  if (deno !== "deno" || run !== "run") throw new Error(`unexpected evsh task: ${task}`);
  return [run, "--quiet", ...rest];
}

const runtime = await Deno.makeTempDir({ prefix: "evb-" });
const evEnv = { XDG_RUNTIME_DIR: runtime };
Deno.env.set("XDG_RUNTIME_DIR", runtime);

/** An evsh launcher: how it starts, and where (the task's paths are relative to its root). */
interface Launch {
  label: string;
  cwd: string;
  args: string[];
}
const evshTask: Launch = { label: "evsh", cwd: REPO_ROOT, args: await taskArgs(REPO_ROOT) };
const plain: Launch = {
  label: "evsh, plain `deno run -A`",
  cwd: REPO_ROOT,
  args: ["run", "-A", "--quiet", "tools/evsh/main.ts"],
};
const baselineRoot = Deno.env.get("EVSH_BASELINE");
const baseline: Launch | undefined = baselineRoot
  ? { label: "evsh@baseline", cwd: baselineRoot, args: await taskArgs(baselineRoot) }
  : undefined;

/** evsh's words: `-c qemu:///session` first, except for a command that connects nowhere. */
const evshWords = (words: string[]) =>
  words[0].startsWith("-") ? words : ["-c", "qemu:///session", words.join(" ")];
const evsh = (launch: Launch, words: string[]) =>
  timed(Deno.execPath(), [...launch.args, ...evshWords(words)], { env: evEnv, cwd: launch.cwd });

const loadavg = async () => (await Deno.readTextFile("/proc/loadavg")).split(" ").slice(0, 3);

await withOracleDaemon(`${SHARED}/oracle`, async (oracle) => {
  const virsh = (words: string[]) =>
    timed(
      "virsh",
      words[0].startsWith("-") ? words : ["-q", "-c", oracle.URI_QEMU, words.join(" ")],
    );
  const file = await Deno.makeTempFile({ suffix: ".xml" });
  try {
    let running = 0;
    const rows: Record<string, unknown>[] = [];
    const startup: Record<string, unknown>[] = [];
    for (const n of COUNTS) {
      // A connection per step: the daemon lets an HTTP session go after a while without calls
      // (the start-up table takes minutes), as libvirtd drops a client whose keepalive stops.
      const ev = await connect("qemu:///session"); // the first starts the session daemon
      for (; running < n; running++) {
        // Guests without an OS spin in the BIOS (about 10% of a CPU each): the others are
        // paused, on both sides, so that 40 of them do not eat this 2-CPU host. A paused
        // domain is still active: its QEMU runs and its monitor is held by the daemon.
        const dom = await ev.defineXML(xml(`D${running}`));
        await dom.create();
        if (running > 0) await dom.suspend();
        await Deno.writeTextFile(file, xml(`D${running}`));
        await virsh([
          `define ${file}; start D${running}${running > 0 ? `; suspend D${running}` : ""}`,
        ]);
      }
      await ev.close();
      const words = COMMAND.split(" ");
      await evsh(evshTask, words); // the first one plugs; the measured ones find 2 vCPUs already
      await virsh(words);
      const times = { evsh: [] as number[], virsh: [] as number[], deno: [] as number[] };
      for (let i = 0; i < RUNS; i++) {
        times.virsh.push(await virsh(words));
        times.evsh.push(await evsh(evshTask, words));
        // The floor: a deno process that runs nothing (the host's load shows here too).
        times.deno.push(await timed(Deno.execPath(), ["eval", "0"]));
      }
      const row = {
        domains: n,
        evshMs: +median(times.evsh).toFixed(1),
        virshMs: +median(times.virsh).toFixed(1),
        ratio: +(median(times.evsh) / median(times.virsh)).toFixed(2),
        emptyDenoMs: +median(times.deno).toFixed(1),
        loadavg: await loadavg(),
      };
      rows.push(row);
      console.log(
        `${String(n).padStart(2)} running: evsh ${row.evshMs} ms, virsh ${row.virshMs} ms, ` +
          `ratio ${row.ratio} (goal ≤ 3: ${row.ratio <= 3 ? "met" : "NOT met"}); ` +
          `an empty deno process: ${row.emptyDenoMs} ms; load average ${row.loadavg.join(" ")}`,
      );
      if (n === COUNTS[0]) startup.push(...await startupTable(virsh));
    }
    const npx: number[] = [];
    for (let i = 0; i < 3; i++) {
      npx.push(
        await timed(
          "npx",
          ["-y", "deno@2.9.6", "task", "--quiet", "evsh", ...evshWords(COMMAND.split(" "))],
          { env: evEnv, cwd: REPO_ROOT },
        ),
      );
    }
    console.log(
      `same evsh command through 'npx -y deno@2.9.6 task evsh': ${median(npx).toFixed(1)} ms`,
    );
    console.log(
      JSON.stringify({
        command: COMMAND,
        runs: RUNS,
        evsh: `deno ${evshTask.args.join(" ")}`,
        rows,
        startup,
        npxMs: median(npx),
      }),
    );
  } finally {
    const ev = await connect("qemu:///session");
    for (const d of await ev.listAllDomains()) {
      if (d.id !== -1) await d.destroy();
      await d.undefine();
    }
    await ev.close();
    await Deno.remove(file);
    const pid = Number(await Deno.readTextFile(`${runtime}/edgevirt/edgevirt.pid`));
    Deno.kill(pid, "SIGTERM");
  }
});

/** Start-up per command, 1 domain: each launcher's median beside virsh's, interleaved. */
async function startupTable(virsh: (words: string[]) => Promise<number>) {
  const launches = [evshTask, plain, ...(baseline ? [baseline] : [])];
  const table: Record<string, unknown>[] = [];
  console.log(`\nstart-up per command (1 domain, medians of ${RUNS}), ms:`);
  console.log(["command", "virsh", ...launches.map((l) => l.label)].join(" | "));
  for (const words of STARTUP) {
    const labels = ["virsh", ...launches.map((l) => l.label)];
    const times = new Map(labels.map((k) => [k, [] as number[]]));
    for (let i = 0; i < RUNS; i++) {
      times.get("virsh")!.push(await virsh(words));
      for (const l of launches) times.get(l.label)!.push(await evsh(l, words));
    }
    const ms = Object.fromEntries([...times].map(([k, v]) => [k, +median(v).toFixed(1)]));
    const v = ms.virsh;
    table.push({ command: words.join(" "), ...ms, loadavg: await loadavg() });
    console.log(
      [
        words.join(" "),
        v,
        ...launches.map((l) => `${ms[l.label]} (${(ms[l.label] / v).toFixed(2)}×)`),
      ]
        .join(" | "),
    );
  }
  console.log(`load average ${(await loadavg()).join(" ")}\n`);
  return table;
}
