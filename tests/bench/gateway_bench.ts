/**
 * Gateway vs libvirtd, in one run: lookupByName, getInfo and listAllDomains over 10 and 10,000
 * domains, as serial latency (mean µs) and 16-way concurrent throughput (calls/s). The edgevirt
 * side is the public client of a host program (`host.ts`, with its HTTP/1.1 transport) through a
 * real gateway process: the RPC WebSocket on loopback (the client's default), HTTP POST on
 * loopback, and HTTP POST over the unix socket; the libvirt side
 * is python-libvirt through a private libvirtd (`/work/shared/oracle/daemon.sh`) over
 * `test+unix`. Each cell is measured on every transport and then on libvirtd right after (the
 * python side takes orders on stdin), so both see the same machine load; a run starts a fresh
 * gateway and daemon, and the table shows the median over `--runs` of each ratio.
 *
 * Goals (issue 8): serial latency ≤ 0.6× libvirtd's over the WebSocket and ≤ 1.2× over HTTP
 * (loopback and unix socket), and 16-way throughput ≥ 4× libvirtd's, for every call and size.
 * The last table says which are met. The `cpu µs/call` column is the CPU time client and server
 * (all their threads) spent per call in the 16-way part: the cost of a call, which unlike
 * times and rates does not move much with what else the machine runs. Linux only (`/proc`).
 *
 * ```sh
 * deno run -A tests/bench/gateway_bench.ts [--n 3000] [--runs 3] [--oracle /work/shared/oracle]
 * ```
 * @module
 */
import { parseArgs } from "node:util";
import { connect } from "../../host.ts";
import type { Connection } from "../../client/connection.ts";
import { type GatewayProcess, spawnGateway } from "../gateway/process.ts";
import { type OracleDaemon, withOracleDaemon } from "./oracle_daemon.ts";
import { cpuUs } from "../proc_stats.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    n: { type: "string", default: "3000" },
    runs: { type: "string", default: "3" },
    oracle: { type: "string", default: "/work/shared/oracle" },
  },
});
const N = Number(values.n);
const RUNS = Number(values.runs);
const CONCURRENCY = 16;
/** Slices of a cell's calls, timed apart (see {@link measure}). */
const CHUNKS = 6;
const SIZES = [10, 10_000];
const OPS = ["lookupByName", "getInfo", "listAllDomains"] as const;
type Op = typeof OPS[number];
const GATEWAYS = ["gateway-ws", "gateway-http", "gateway-unix"] as const;
const PEER = "libvirtd-unix";
/** Serial latency goal (× libvirtd) per transport. */
const LATENCY_GOAL: Record<typeof GATEWAYS[number], number> = {
  "gateway-ws": 0.6,
  "gateway-http": 1.2,
  "gateway-unix": 1.2,
};
const THROUGHPUT_GOAL = 4;
/** Calls before timing a connection's first cell: the JIT has settled by then. */
const WARMUP = 2000;

/**
 * One measured cell: serial mean µs, concurrent calls/s, and the CPU time both processes
 * (client and server) spent per call in the concurrent part, which other load on the machine
 * hardly changes.
 */
type Result = { serialUs: number; perSec: number; cpuUs: number };
/** Per run, op, size and transport. */
type Cell = { op: Op; size: number; transport: string } & Result;

const xml = (i: number) =>
  `<domain type='test'><name>bench-${i}</name><memory>65536</memory><vcpu>1</vcpu>` +
  `<os><type>hvm</type></os></domain>`;

/** Calls per cell: listing 10,000 domains is far heavier, so fewer rounds keep the run short. */
const rounds = (op: Op, size: number) => (op === "listAllDomains" && size > 100 ? 96 : N);

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/**
 * Serial mean latency and 16-way throughput of `n` calls, each the median over {@link CHUNKS}
 * slices of the calls: a burst of load from elsewhere spoils one slice, not the cell.
 */
async function measure(fn: () => Promise<unknown>, n: number, server: number): Promise<Result> {
  for (let i = 0; i < Math.min(100, n); i++) await fn();
  const k = Math.ceil(n / CHUNKS);
  const serial: number[] = [];
  const rates: number[] = [];
  for (let c = 0; c < CHUNKS; c++) {
    const t = performance.now();
    for (let i = 0; i < k; i++) await fn();
    serial.push(((performance.now() - t) / k) * 1000);
  }
  const cpu = cpuUs("self") + cpuUs(server);
  for (let c = 0; c < CHUNKS; c++) {
    let left = k;
    const t = performance.now();
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
      while (left-- > 0) await fn();
    }));
    rates.push(k / ((performance.now() - t) / 1000));
  }
  const cpuPerCall = (cpuUs("self") + cpuUs(server) - cpu) / (k * CHUNKS);
  return { serialUs: median(serial), perSec: median(rates), cpuUs: cpuPerCall };
}

async function edgevirtOps(conn: Connection): Promise<Record<Op, () => Promise<unknown>>> {
  const dom = await conn.lookupDomainByName("test");
  return {
    lookupByName: () => conn.lookupDomainByName("test"),
    getInfo: () => dom.getInfo(),
    listAllDomains: () => conn.listAllDomains(),
  };
}

/** python-libvirt measuring on order: `{"size"}` defines domains up to it, `{"op", "n"}` runs. */
const PYTHON = `
import os, sys, time, json, threading, statistics, libvirt
libvirt.registerErrorHandler(lambda c, e: None, None)
c = libvirt.open(sys.argv[1])
conc, chunks, daemon = int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
def cpu_us(pid):
    ns = 0
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            ns += int(open(f"/proc/{pid}/task/{task}/schedstat").read().split()[0])
        except OSError:
            pass
    return ns / 1000
xml = lambda i: ("<domain type='test'><name>bench-%d</name><memory>65536</memory><vcpu>1</vcpu>"
                 "<os><type>hvm</type></os></domain>" % i)
have = len(c.listAllDomains())
d = c.lookupByName("test")
ops = {"lookupByName": lambda: c.lookupByName("test"), "getInfo": lambda: d.info(),
       "listAllDomains": lambda: c.listAllDomains()}
for _ in range(${WARMUP}):
    for fn in ops.values(): fn()
print(json.dumps({"ready": True}), flush=True)
for line in sys.stdin:
    req = json.loads(line)
    if "size" in req:
        while have < req["size"]:
            c.defineXMLFlags(xml(have), 0); have += 1
        print(json.dumps({"size": have}), flush=True)
        continue
    fn, n = ops[req["op"]], req["n"]
    k = -(-n // chunks)
    for _ in range(min(100, n)): fn()
    serial, rates = [], []
    for _ in range(chunks):
        t = time.perf_counter()
        for _ in range(k): fn()
        serial.append((time.perf_counter() - t) / k * 1e6)
    cpu = cpu_us("self") + cpu_us(daemon)
    for _ in range(chunks):
        left = [k]; lock = threading.Lock()
        def worker():
            while True:
                with lock:
                    if left[0] <= 0: return
                    left[0] -= 1
                fn()
        th = [threading.Thread(target=worker) for _ in range(conc)]
        t = time.perf_counter()
        for x in th: x.start()
        for x in th: x.join()
        rates.append(k / (time.perf_counter() - t))
    cpu = (cpu_us("self") + cpu_us(daemon) - cpu) / (k * chunks)
    print(json.dumps({"serialUs": statistics.median(serial), "perSec": statistics.median(rates),
                      "cpuUs": cpu}), flush=True)
`;

/** A python-libvirt client on a private libvirtd, answering one order at a time. */
async function libvirtClient(daemon: OracleDaemon) {
  const child = new Deno.Command("/usr/bin/python3", {
    args: ["-c", PYTHON, daemon.URI_TEST, String(CONCURRENCY), String(CHUNKS), daemon.PID],
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const writer = child.stdin.getWriter();
  let buffered = "";
  /** The python side's next answer (one JSON line). */
  const next = async () => {
    while (!buffered.includes("\n")) {
      const { value, done } = await reader.read();
      if (done) throw new Error("the python-libvirt side exited");
      buffered += value;
    }
    const i = buffered.indexOf("\n");
    const line = buffered.slice(0, i);
    buffered = buffered.slice(i + 1);
    return JSON.parse(line);
  };
  await next();
  return {
    async ask<T>(order: object): Promise<T> {
      await writer.write(new TextEncoder().encode(JSON.stringify(order) + "\n"));
      return await next();
    },
    async stop() {
      await writer.close();
      await child.status;
    },
  };
}

/** One run: a fresh gateway and libvirtd. */
function run(): Promise<Cell[]> {
  return withOracleDaemon(values.oracle, async (daemon) => {
    const gw = await spawnGateway({ unix: true });
    const lv = await libvirtClient(daemon);
    try {
      return await measureAll(gw, lv);
    } finally {
      await gw.stop();
      await lv.stop();
    }
  });
}

/** Every cell, measured on all transports and then libvirtd, back to back. */
async function measureAll(
  gw: GatewayProcess,
  lv: Awaited<ReturnType<typeof libvirtClient>>,
): Promise<Cell[]> {
  const cells: Cell[] = [];
  const tcp = `test+http://127.0.0.1:${gw.port}/default`;
  const conns: Record<typeof GATEWAYS[number], Connection> = {
    "gateway-ws": await connect(tcp, { token: gw.token, channel: "websocket" }),
    "gateway-http": await connect(tcp, { token: gw.token, channel: "http" }),
    "gateway-unix": await connect(`test+unix:///default?socket=${gw.socket}`, {
      token: gw.token,
    }),
  };
  const ops = Object.fromEntries(
    await Promise.all(GATEWAYS.map(async (g) => [g, await edgevirtOps(conns[g])])),
  ) as Record<typeof GATEWAYS[number], Record<Op, () => Promise<unknown>>>;
  for (const g of GATEWAYS) {
    for (let i = 0; i < WARMUP; i++) for (const op of OPS) await ops[g][op]();
  }
  const ws = conns["gateway-ws"];
  let have = (await ws.listAllDomains()).length;
  for (const size of SIZES) {
    while (have < size) {
      // Defines in flight at once, within the gateway's call queue.
      const batch: Promise<unknown>[] = [];
      for (; have < size && batch.length < 256; have++) {
        batch.push(ws.defineXMLFlags(xml(have), 0));
      }
      await Promise.all(batch);
    }
    await lv.ask({ size });
    for (const op of OPS) {
      const n = rounds(op, size);
      for (const g of GATEWAYS) {
        cells.push({ op, size, transport: g, ...await measure(ops[g][op], n, gw.child.pid) });
      }
      cells.push({ op, size, transport: PEER, ...await lv.ask<Result>({ op, n }) });
    }
  }
  for (const conn of Object.values(conns)) await conn.close();
  return cells;
}

const runs: Cell[][] = [];
for (let r = 0; r < RUNS; r++) {
  const load = Deno.loadavg().map((x) => x.toFixed(2)).join(" ");
  console.error(`run ${r + 1}/${RUNS} (load average ${load})`);
  runs.push(await run());
}
const load = Deno.loadavg().map((x) => x.toFixed(2)).join(" ");

/** The median over runs of a per-run value of one cell and the same cell on libvirtd. */
const over = (op: Op, size: number, t: string, f: (cell: Cell, peer: Cell) => number) =>
  median(runs.map((cells) => {
    const find = (x: string) =>
      cells.find((c) => c.op === op && c.size === size && c.transport === x)!;
    return f(find(t), find(PEER));
  }));

const fmt = (x: number, d = 0) => x.toFixed(d).padStart(9);
console.log(`median of ${RUNS} run(s), n=${N}, load average at the end ${load}`);
console.log(
  "op               size   transport     serial µs   calls/s  cpu µs/call |" +
    " latency ×libvirtd  throughput ×libvirtd  cpu ×libvirtd",
);
type Verdict = { what: string; op: Op; size: number; value: number; goal: number; met: boolean };
const verdicts: Verdict[] = [];
for (const size of SIZES) {
  for (const op of OPS) {
    for (const t of [...GATEWAYS, PEER]) {
      const serial = over(op, size, t, (c) => c.serialUs);
      const perSec = over(op, size, t, (c) => c.perSec);
      const cpu = over(op, size, t, (c) => c.cpuUs);
      let ratios = "";
      if (t !== PEER) {
        const lat = over(op, size, t, (c, p) => c.serialUs / p.serialUs);
        const thr = over(op, size, t, (c, p) => c.perSec / p.perSec);
        const cpuRatio = over(op, size, t, (c, p) => c.cpuUs / p.cpuUs);
        ratios = `  ${fmt(lat, 2)}          ${fmt(thr, 2)}     ${fmt(cpuRatio, 2)}`;
        const goal = LATENCY_GOAL[t as typeof GATEWAYS[number]];
        verdicts.push({ what: `${t} latency`, op, size, value: lat, goal, met: lat <= goal });
        verdicts.push({
          what: `${t} throughput`,
          op,
          size,
          value: thr,
          goal: THROUGHPUT_GOAL,
          met: thr >= THROUGHPUT_GOAL,
        });
      }
      console.log(
        `${op.padEnd(16)} ${String(size).padStart(5)}  ${t.padEnd(14)}` +
          `${fmt(serial, 1)} ${fmt(perSec)}    ${fmt(cpu, 1)} |${ratios}`,
      );
    }
  }
}
console.log("\ngoal                        op               size    ×libvirtd   goal   met");
for (const v of verdicts) {
  const goal = v.what.endsWith("latency") ? `≤ ${v.goal}` : `≥ ${v.goal}`;
  console.log(
    `${v.what.padEnd(27)} ${v.op.padEnd(16)} ${String(v.size).padStart(5)}  ${fmt(v.value, 2)}` +
      `  ${goal.padStart(5)}   ${v.met ? "yes" : "NO"}`,
  );
}
const met = verdicts.filter((v) => v.met).length;
console.log(`${met} of ${verdicts.length} goals met`);
console.log(JSON.stringify({ load, runs }));
