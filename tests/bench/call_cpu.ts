/**
 * CPU time per gateway call, client and gateway apart (and the wall time of a serial call): a real gateway process serving
 * `test:///default`, the public client of a host program (`host.ts`), and serial calls of each
 * op over each transport (WebSocket, HTTP on loopback, HTTP on the unix socket). CPU time (all
 * threads, `/proc`) moves far less with the machine's other load than wall time, so this is the
 * number to compare before and after a change to the call path: `--baseline DIR` runs another
 * checkout's gateway beside this one's, the two measured in alternating rounds of `--n` calls
 * (`--rounds`, the median kept), so that both see the same load. The client is this checkout's
 * for both. `--cpu-prof DIR` runs this checkout's gateway under V8's CPU profiler
 * (`.cpuprofile` files in DIR, written when it stops). Linux only (`/proc`).
 *
 * ```sh
 * deno run -A tests/bench/call_cpu.ts [--n 5000] [--rounds 5] [--only ws|http|unix] \
 *   [--baseline DIR] [--cpu-prof DIR]
 * ```
 * @module
 */
import { parseArgs } from "node:util";
import { connect } from "../../host.ts";
import type { Connection } from "../../client/connection.ts";
import { type GatewayProcess, spawnGateway } from "../gateway/process.ts";
import { cpuUs } from "../proc_stats.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    n: { type: "string", default: "5000" },
    rounds: { type: "string", default: "5" },
    only: { type: "string" },
    baseline: { type: "string" },
    "cpu-prof": { type: "string" },
  },
});
const N = Number(values.n);
const ROUNDS = Number(values.rounds);
const prof = values["cpu-prof"];
const TRANSPORTS = ["ws", "http", "unix"].filter((t) => !values.only || values.only === t);
type Op = () => Promise<unknown>;

/** The ops of each transport on one gateway. */
async function opsOf(
  gw: GatewayProcess,
): Promise<{ conns: Connection[]; ops: Record<string, Record<string, Op>> }> {
  const tcp = `test+http://127.0.0.1:${gw.port}/default`;
  const conns: Record<string, Connection> = {
    ws: await connect(tcp, { token: gw.token, channel: "websocket" }),
    http: await connect(tcp, { token: gw.token, channel: "http" }),
    unix: await connect(`test+unix:///default?socket=${gw.socket}`, { token: gw.token }),
  };
  const ops: Record<string, Record<string, Op>> = {};
  for (const [t, conn] of Object.entries(conns)) {
    const dom = await conn.lookupDomainByName("test");
    ops[t] = {
      lookupByName: () => conn.lookupDomainByName("test"),
      getInfo: () => dom.getInfo(),
      listAllDomains: () => conn.listAllDomains(),
    };
  }
  return { conns: Object.values(conns), ops };
}

/** Client and gateway CPU µs per call over `n` serial calls, and the wall time per call. */
async function cpuPerCall(fn: Op, pid: number): Promise<[number, number, number]> {
  const c0 = cpuUs("self"), g0 = cpuUs(pid), t0 = performance.now();
  for (let i = 0; i < N; i++) await fn();
  const wall = (performance.now() - t0) * 1000 / N;
  return [(cpuUs("self") - c0) / N, (cpuUs(pid) - g0) / N, wall];
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const sides = [
  {
    name: "this",
    gw: await spawnGateway({
      unix: true,
      denoFlags: prof ? ["--cpu-prof", `--cpu-prof-dir=${prof}`] : [],
    }),
  },
];
if (values.baseline) {
  sides.push({
    name: "baseline",
    gw: await spawnGateway({ unix: true, checkout: values.baseline }),
  });
}
const opsBySide = await Promise.all(sides.map((s) => opsOf(s.gw)));
const load = () => Deno.loadavg().map((x) => x.toFixed(2)).join(" ");
console.log(`${ROUNDS} rounds of ${N} calls per cell, load average ${load()}`);
console.log(
  "transport  op               side       client µs/call  gateway µs/call  total  wall µs/call",
);
for (const t of TRANSPORTS) {
  for (const op of Object.keys(opsBySide[0].ops[t])) {
    const samples = sides.map(() => [] as [number, number, number][]);
    for (const { ops } of opsBySide) for (let k = 0; k < 2000; k++) await ops[t][op]();
    for (let r = 0; r < ROUNDS; r++) {
      for (const [i, s] of sides.entries()) {
        samples[i].push(await cpuPerCall(opsBySide[i].ops[t][op], s.gw.child.pid));
      }
    }
    for (const [i, s] of sides.entries()) {
      const c = median(samples[i].map((x) => x[0]));
      const g = median(samples[i].map((x) => x[1]));
      const total = median(samples[i].map((x) => x[0] + x[1]));
      const wall = median(samples[i].map((x) => x[2]));
      console.log(
        `${t.padEnd(10)} ${op.padEnd(16)} ${s.name.padEnd(10)} ${c.toFixed(1).padStart(14)}  ${
          g.toFixed(1).padStart(15)
        }  ${total.toFixed(1).padStart(5)}  ${wall.toFixed(1).padStart(12)}`,
      );
    }
  }
}
console.log(`load average at the end ${load()}`);
for (const { conns } of opsBySide) for (const c of conns) await c.close();
for (const s of sides) await s.gw.stop();
