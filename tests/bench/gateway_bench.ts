/**
 * Gateway vs libvirtd, in one run: lookupByName, getInfo and listAllDomains over 10 and 10,000
 * domains, as serial latency (mean µs) and 16-way concurrent throughput (calls/s). The edgevirt
 * side is the public client through a real gateway process: the RPC WebSocket on loopback (the
 * client's default), HTTP POST on loopback, and HTTP POST over the unix socket; the libvirt side
 * is python-libvirt through a private libvirtd
 * (`/work/shared/oracle/daemon.sh`) over `test+unix`. Goals: ≤ 0.8× libvirtd latency, ≥ 3×
 * throughput, a 10,000-domain list in ≤ 50 ms.
 *
 * ```sh
 * deno run -A tests/bench/gateway_bench.ts [--n 2000] [--oracle /work/shared/oracle]
 * ```
 * @module
 */
import { withOracleDaemon } from "./oracle_daemon.ts";
import { parseArgs } from "node:util";
import { connect } from "../../mod.ts";
import type { Connection } from "../../client/connection.ts";
import { spawnGateway } from "../gateway/process.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    n: { type: "string", default: "2000" },
    oracle: { type: "string", default: "/work/shared/oracle" },
  },
});
const N = Number(values.n);
const CONCURRENCY = 16;
const SIZES = [10, 10_000];

/** One row per operation and size: serial mean µs and concurrent calls/s. */
type Row = { op: string; size: number; serialUs: number; perSec: number; n: number };

const xml = (i: number) =>
  `<domain type='test'><name>bench-${i}</name><memory>65536</memory><vcpu>1</vcpu>` +
  `<os><type>hvm</type></os></domain>`;

/** Calls per op: listing 10,000 domains is far heavier, so fewer rounds keep the run short. */
const rounds = (op: string, size: number) => (op === "listAllDomains" && size > 100 ? 50 : N);

async function measure(fn: () => Promise<unknown>, n: number): Promise<[number, number]> {
  for (let i = 0; i < Math.min(50, n); i++) await fn();
  let t = performance.now();
  for (let i = 0; i < n; i++) await fn();
  const serialUs = ((performance.now() - t) / n) * 1000;
  let left = n;
  t = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (left-- > 0) await fn();
  }));
  const perSec = n / ((performance.now() - t) / 1000);
  return [serialUs, perSec];
}

async function benchEdgevirt(conn: Connection, size: number): Promise<Row[]> {
  const rows: Row[] = [];
  const dom = await conn.lookupDomainByName("test");
  const ops: [string, () => Promise<unknown>][] = [
    ["lookupByName", () => conn.lookupDomainByName("test")],
    ["getInfo", () => dom.getInfo()],
    ["listAllDomains", () => conn.listAllDomains()],
  ];
  for (const [op, fn] of ops) {
    const n = rounds(op, size);
    const [serialUs, perSec] = await measure(fn, n);
    rows.push({ op, size, serialUs, perSec, n });
  }
  return rows;
}

const PYTHON = `
import sys, time, json, threading, libvirt
libvirt.registerErrorHandler(lambda c, e: None, None)
uri, n, sizes, conc = sys.argv[1], int(sys.argv[2]), json.loads(sys.argv[3]), int(sys.argv[4])
c = libvirt.open(uri)
xml = lambda i: ("<domain type='test'><name>bench-%d</name><memory>65536</memory><vcpu>1</vcpu>"
                 "<os><type>hvm</type></os></domain>" % i)
have = len(c.listAllDomains())
rows = []
for size in sizes:
    while have < size:
        c.defineXMLFlags(xml(have), 0); have += 1
    d = c.lookupByName("test")
    for op, fn in [("lookupByName", lambda: c.lookupByName("test")), ("getInfo", lambda: d.info()),
                   ("listAllDomains", lambda: c.listAllDomains())]:
        k = 50 if op == "listAllDomains" and size > 100 else n
        for _ in range(min(50, k)): fn()
        t = time.perf_counter()
        for _ in range(k): fn()
        serial = (time.perf_counter() - t) / k * 1e6
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
        rows.append({"op": op, "size": size, "serialUs": serial, "perSec": k / (time.perf_counter() - t), "n": k})
print(json.dumps(rows))
`;

function benchLibvirtd(): Promise<Row[]> {
  return withOracleDaemon(values.oracle, async (daemon) => {
    const out = await new Deno.Command("/usr/bin/python3", {
      args: ["-c", PYTHON, daemon.URI_TEST, String(N), JSON.stringify(SIZES), String(CONCURRENCY)],
      stdout: "piped",
      stderr: "inherit",
    }).output();
    return JSON.parse(new TextDecoder().decode(out.stdout));
  });
}

const gw = await spawnGateway({ unix: true });
const GATEWAYS = ["gateway-ws", "gateway-http", "gateway-unix"];
const results: Record<string, Row[]> = Object.fromEntries(GATEWAYS.map((g) => [g, []]));
/** Defines in flight at once while filling the driver (within the gateway's call queue). */
const DEFINE_WINDOW = 256;
try {
  const tcp = `test+http://127.0.0.1:${gw.port}/default`;
  const conns: Record<string, Connection> = {
    "gateway-ws": await connect(tcp, { token: gw.token, channel: "websocket" }),
    "gateway-http": await connect(tcp, { token: gw.token, channel: "http" }),
    "gateway-unix": await connect(`test+unix:///default?socket=${gw.socket}`, { token: gw.token }),
  };
  const ws = conns["gateway-ws"];
  let have = (await ws.listAllDomains()).length;
  for (const size of SIZES) {
    const t = performance.now();
    while (have < size) {
      const batch: Promise<unknown>[] = [];
      for (; have < size && batch.length < DEFINE_WINDOW; have++) {
        batch.push(ws.defineXMLFlags(xml(have), 0));
      }
      await Promise.all(batch);
    }
    console.error(`gateway: ${size} domains ready (${(performance.now() - t).toFixed(0)} ms)`);
    for (const name of GATEWAYS) results[name].push(...await benchEdgevirt(conns[name], size));
  }
  for (const conn of Object.values(conns)) await conn.close();
} finally {
  await gw.stop();
}
results["libvirtd-unix"] = await benchLibvirtd();

const fmt = (x: number, d = 0) => x.toFixed(d).padStart(9);
console.log(
  "op               size   transport     serial µs   calls/s  | latency ×libvirtd  throughput ×libvirtd",
);
for (const lib of results["libvirtd-unix"]) {
  for (const name of [...GATEWAYS, "libvirtd-unix"]) {
    const r = results[name].find((x) => x.op === lib.op && x.size === lib.size)!;
    const ratios = name.startsWith("gateway")
      ? `  ${fmt(r.serialUs / lib.serialUs, 2)}          ${fmt(r.perSec / lib.perSec, 2)}`
      : "";
    console.log(
      `${lib.op.padEnd(16)} ${String(lib.size).padStart(5)}  ${name.padEnd(14)}` +
        `${fmt(r.serialUs, 1)} ${fmt(r.perSec)}  |${ratios}`,
    );
  }
}
for (const name of GATEWAYS) {
  const big = results[name].find((r) => r.op === "listAllDomains" && r.size === 10_000)!;
  console.log(
    `10,000-domain listAllDomains through ${name}: ${(big.serialUs / 1000).toFixed(1)} ms`,
  );
}
console.log(JSON.stringify(results));
