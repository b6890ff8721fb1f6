// One-command runs, whole processes, on qemu:///session with 1 and then 20 active domains (D0
// running, the others paused so that their BIOS loops do not saturate the host's CPUs):
// `evsh -c qemu:///session 'setvcpus D 2 --live'` (through the edgevirt session daemon) against
// `virsh -c qemu+unix:///session?socket=… 'setvcpus D 2 --live'` (libvirt 9.0's libvirtd from
// the oracle), in one run, interleaved. Goal: evsh ≤ 3× virsh, flat in the number of domains.
// evsh runs as `deno run -A tools/evsh/main.ts` with the deno binary called directly (virsh is
// called directly too); one row shows what `npx -y deno@2.9.6` adds on top.
//   deno run -A tests/bench/evsh_vs_virsh.ts [runs]
import { connect } from "../../host.ts";
import { REPO_ROOT } from "../paths.ts";
import { SHARED, withOracleDaemon } from "./oracle_daemon.ts";
import { hotplugDomainXML, median } from "./hotplug_domain.ts";

const RUNS = Number(Deno.args[0] ?? 15);
const COUNTS = [1, 20];
const COMMAND = "setvcpus D0 2 --live";
const EVSH = `${REPO_ROOT}/tools/evsh/main.ts`;
const xml = (name: string) => hotplugDomainXML(name, 64);

/** Wall time of one whole process, in ms; it must succeed. */
async function timed(cmd: string, args: string[], env?: Record<string, string>): Promise<number> {
  const t = performance.now();
  const out = await new Deno.Command(cmd, { args, env, stdout: "null", stderr: "piped" }).output();
  const ms = performance.now() - t;
  if (!out.success) {
    throw new Error(`${cmd} ${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
  }
  return ms;
}

const runtime = await Deno.makeTempDir({ prefix: "evb-" });
const evEnv = { XDG_RUNTIME_DIR: runtime };
Deno.env.set("XDG_RUNTIME_DIR", runtime);
const evsh = (command: string) =>
  timed(Deno.execPath(), ["run", "-A", "--quiet", EVSH, "-c", "qemu:///session", command], evEnv);

await withOracleDaemon(`${SHARED}/oracle`, async (oracle) => {
  const virsh = (command: string) => timed("virsh", ["-q", "-c", oracle.URI_QEMU, command]);
  const ev = await connect("qemu:///session"); // starts the session daemon
  const file = await Deno.makeTempFile({ suffix: ".xml" });
  try {
    let running = 0;
    const rows: Record<string, unknown>[] = [];
    for (const n of COUNTS) {
      for (; running < n; running++) {
        // Guests without an OS spin in the BIOS (about 10% of a CPU each): the others are
        // paused, on both sides, so that 40 of them do not eat this 2-CPU host. A paused
        // domain is still active: its QEMU runs and its monitor is held by the daemon.
        const dom = await ev.defineXML(xml(`D${running}`));
        await dom.create();
        if (running > 0) await dom.suspend();
        await Deno.writeTextFile(file, xml(`D${running}`));
        await virsh(
          `define ${file}; start D${running}${running > 0 ? `; suspend D${running}` : ""}`,
        );
      }
      await evsh(COMMAND); // the first one plugs; the measured ones find 2 vCPUs already
      await virsh(COMMAND);
      const times = { evsh: [] as number[], virsh: [] as number[], deno: [] as number[] };
      for (let i = 0; i < RUNS; i++) {
        times.virsh.push(await virsh(COMMAND));
        times.evsh.push(await evsh(COMMAND));
        // The floor: a deno process that runs nothing (the host's load shows here too).
        times.deno.push(await timed(Deno.execPath(), ["eval", "0"]));
      }
      const row = {
        domains: n,
        evshMs: +median(times.evsh).toFixed(1),
        virshMs: +median(times.virsh).toFixed(1),
        ratio: +(median(times.evsh) / median(times.virsh)).toFixed(2),
        emptyDenoMs: +median(times.deno).toFixed(1),
      };
      rows.push(row);
      console.log(
        `${String(n).padStart(2)} running: evsh ${row.evshMs} ms, virsh ${row.virshMs} ms, ` +
          `ratio ${row.ratio} (goal ≤ 3: ${row.ratio <= 3 ? "met" : "NOT met"}); ` +
          `an empty deno process: ${row.emptyDenoMs} ms`,
      );
    }
    const npx: number[] = [];
    for (let i = 0; i < 3; i++) {
      npx.push(
        await timed(
          "npx",
          ["-y", "deno@2.9.6", "run", "-A", "--quiet", EVSH, "-c", "qemu:///session", COMMAND],
          evEnv,
        ),
      );
    }
    console.log(`same evsh command through 'npx -y deno@2.9.6': ${median(npx).toFixed(1)} ms`);
    console.log(JSON.stringify({ command: COMMAND, runs: RUNS, rows, npxMs: median(npx) }));
  } finally {
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
