/**
 * The full run of the wire fuzzer (issue 14) against a gateway process over real sockets:
 * N seeded hostile inputs (`tests/gateway/wire_fuzz_inputs.ts`: HTTP call bodies, session
 * calls, REST, stream routes, RPC WebSocket frames, from no token, a wrong token, read-only,
 * `web-*`-only and full callers). Counts crashes (the process exits: it is restarted and the
 * run goes on), 5xx answers that are bugs, hangs (> 5 s) and changes by callers who may not
 * make them. The seeded slice in `tests/gateway/wire_fuzz_test.ts` is the regression test.
 *
 * `--uri qemu:///session` attacks the QEMU driver instead, in-process (crashes are unhandled
 * rejections): its QEMUs are fake QMP peers, or real ones (TCG) with `--real-qemu`; the driver
 * runs without the host's secondary drivers, so that no fuzzed network or pool reaches the
 * host (`tests/gateway/wire_fuzz_qemu.ts`). Its slice is `wire_fuzz_qemu_test.ts`.
 *
 *     deno run -A tests/bench/wire_fuzz.ts [--n 20000] [--seed 1]
 *     deno run -A tests/bench/wire_fuzz.ts --uri qemu:///session [--real-qemu] [--n 10000]
 *     deno run -A tests/bench/wire_fuzz.ts --uri host [--n 10000]   # N per family, as root
 *
 * `--uri host` attacks the host's secondary drivers (storage, secret, network, node device,
 * interface) served beside `qemu:///session`, one family at a time, on the held-in target of
 * `tests/gateway/wire_fuzz_host.ts` (network commands in a network namespace made for the
 * run), and checks that nothing of the host outside changed (`wire_fuzz_host_test.ts`).
 */
import { parseArgs } from "node:util";
import { type GatewayProcess, spawnGateway } from "../gateway/process.ts";
import { FuzzRunner, fuzzSlice, type FuzzTally } from "../gateway/wire_fuzz_run.ts";
import { type FuzzInput, fuzzInputs, type Role } from "../gateway/wire_fuzz_inputs.ts";
import { RESTRICTED_RULES, TOKENS } from "../gateway/helpers.ts";
import { qemuFuzzTarget } from "../gateway/wire_fuzz_qemu.ts";
import {
  HOST_FAMILIES,
  hostFuzzTarget,
  outsideChanges,
  outsideState,
} from "../gateway/wire_fuzz_host.ts";
import { hostXml } from "../gateway/wire_fuzz_inputs.ts";
import { withNetns } from "../drivers/network/netns_helpers.ts";
import { withRecordedSysfs } from "../drivers/node_device/recording.ts";
import { FakeLauncher } from "../../drivers/qemu/testing/mod.ts";
import { SystemLauncher } from "../../drivers/qemu/process/mod.ts";

const { values } = parseArgs({
  options: {
    n: { type: "string", default: "20000" },
    seed: { type: "string", default: "1" },
    uri: { type: "string", default: "test:///default" },
    "real-qemu": { type: "boolean", default: false },
  },
});
const N = Number(values.n);
const SEED = Number(values.seed);
const CHUNK = 500;
const load = () => Deno.readTextFileSync("/proc/loadavg").split(" ").slice(0, 3).join(" ");
const loadAtStart = load();
const t0 = performance.now();

/** Prints the run's figures: inputs, answers, and every finding. */
function report(what: string, totals: FuzzTally[], crashes: string[], unreachable: number): void {
  const sum = <K extends keyof FuzzTally>(k: K) => totals.flatMap((t) => t[k] as string[]);
  const merge = (k: "byVia" | "byStatus") => {
    const out: Record<string, number> = {};
    for (const t of totals) {
      for (const [key, n] of Object.entries(t[k])) out[key] = (out[key] ?? 0) + n;
    }
    return out;
  };
  console.log(
    `wire fuzz ${what}: seed ${SEED}, ${N} inputs in ` +
      `${((performance.now() - t0) / 1000).toFixed(0)} s; load ${loadAtStart} at start, ` +
      `${load()} at end`,
  );
  console.log(`inputs by route: ${JSON.stringify(merge("byVia"))}`);
  console.log(`answers: ${JSON.stringify(merge("byStatus"))}`);
  console.log(`crashes: ${crashes.length}; connections refused/dropped: ${unreachable}`);
  console.log(`5xx that are bugs: ${sum("serverErrors").length}`);
  console.log(`hangs (> 5 s): ${sum("hangs").length}`);
  console.log(`RPC sockets dropped without a close frame: ${sum("dropped").length}`);
  console.log(`changes by callers who may not: ${sum("forbiddenChanges").length}`);
  const findings = [...sum("serverErrors"), ...sum("hangs"), ...sum("dropped")];
  for (const line of [...findings, ...sum("forbiddenChanges")]) {
    console.log(`  ${line.slice(0, 400)}`);
  }
  for (const c of crashes) console.log(`crash:\n${c}`);
}

if (values.uri === "qemu:///session") {
  const real = values["real-qemu"];
  const target = await qemuFuzzTarget(real ? new SystemLauncher() : new FakeLauncher());
  try {
    const { tally, crashes } = await fuzzSlice({
      gateway: target.gateway,
      uri: "qemu:///session",
      n: N,
      seed: SEED,
      hostState: target.hostState,
    });
    report(`qemu:///session (${real ? "real QEMU" : "fake QMP"})`, [tally], crashes, 0);
  } finally {
    await target.close();
  }
  Deno.exit(0);
} else if (values.uri === "host") {
  // N inputs for each family of the host's secondary drivers, one target each.
  const before = await outsideState();
  await withNetns((netns) =>
    withRecordedSysfs(async (sysfsRoot) => {
      for (const family of HOST_FAMILIES) {
        const target = await hostFuzzTarget({ sysfsRoot, netns });
        try {
          const { tally, crashes } = await fuzzSlice({
            gateway: target.gateway,
            uri: "qemu:///session",
            n: N,
            seed: SEED,
            hostState: target.hostState,
            family,
            xml: hostXml,
          });
          report(`host ${family} (qemu:///session, netns ${netns})`, [tally], crashes, 0);
        } finally {
          await target.close();
        }
      }
    })
  );
  const outside = outsideChanges(before, await outsideState());
  console.log(`changes outside the scratch and state directories: ${outside.length}`);
  for (const line of outside) console.log(`  ${line}`);
  Deno.exit(0);
} else if (values.uri !== "test:///default") {
  throw new Error(`--uri: test:///default, qemu:///session or host, not ${values.uri}`);
}

const tokens: Record<Role, string> = {
  none: "",
  bad: "not-a-token",
  readOnly: TOKENS.readOnly,
  restricted: TOKENS.restricted,
  full: "",
};

// Fuzzed save and dump paths (`test`, `../../etc/passwd`) are relative: the gateway writes
// them in a scratch directory three levels deep, never in the checkout or the host's /etc.
const scratch = await Deno.makeTempDir({ prefix: "ev-fuzz-cwd-" });
await Deno.mkdir(`${scratch}/a/b/c`, { recursive: true });

async function start(): Promise<{ gw: GatewayProcess; exited: () => boolean }> {
  const gw = await spawnGateway({
    cwd: `${scratch}/a/b/c`,
    tokens: {
      [TOKENS.readOnly]: { name: "ro", role: "read-only" },
      [TOKENS.restricted]: { name: "web", role: "full", rules: RESTRICTED_RULES },
    },
  });
  tokens.full = gw.token;
  let exited = false;
  gw.child.status.then(() => exited = true);
  return { gw, exited: () => exited };
}

let current = await start();
const crashes: string[] = [];
let unreachable = 0;

function runnerFor(gw: GatewayProcess): FuzzRunner {
  return new FuzzRunner({
    origin: gw.origin,
    wsPort: gw.port,
    tokens,
    // A connection the gateway drops is counted (a crash shows as many of them), not thrown.
    fetch: (req) =>
      fetch(req).catch(() => {
        unreachable++;
        return new Response(null, { status: 599 });
      }),
  });
}

let runner = runnerFor(current.gw);
await runner.openSessions();
const refs = await runner.knownRefs();
const totals: FuzzTally[] = [];
const inputs = fuzzInputs({ seed: SEED, n: N, tokens, refs, ws: true });
for (;;) {
  const chunk: FuzzInput[] = [];
  // Not for-of: its `break` would close the generator.
  for (let next = inputs.next(); !next.done; next = inputs.next()) {
    chunk.push(next.value);
    if (chunk.length === CHUNK) break;
  }
  if (!chunk.length) break;
  await runner.runAll(chunk);
  if (current.exited()) {
    crashes.push(current.gw.stderr().split("\n").slice(-15).join("\n"));
    totals.push(runner.tally);
    current = await start();
    runner = runnerFor(current.gw);
    await runner.openSessions();
  }
  const done = totals.reduce((n, t) => n + t.inputs, 0) + runner.tally.inputs;
  console.error(`${done}/${N} inputs, ${((performance.now() - t0) / 1000).toFixed(0)} s`);
}
totals.push(runner.tally);
const { stderr } = await current.gw.stop();
await Deno.remove(scratch, { recursive: true });

report("gateway process", totals, crashes, unreachable);
if (/Uncaught|panicked/.test(stderr)) console.log(`gateway stderr:\n${stderr.slice(-2000)}`);
