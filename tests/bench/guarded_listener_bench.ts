/**
 * What the guarded TCP listener costs: the same handler served by `Deno.serve` directly and by
 * `serveGuarded` (relay over a local unix socket), measured in the same run as sequential
 * keep-alive HTTP round trips and WebSocket echoes; printed as the guarded/direct ratio.
 *
 *     deno run -A tests/bench/guarded_listener_bench.ts [--n 3000]
 */
import { parseArgs } from "node:util";
import { serveGuarded } from "../../gateway/guarded_listener.ts";
import { upgradeWebSocket } from "../../gateway/ws_upgrade.ts";

const { values } = parseArgs({ options: { n: { type: "string", default: "3000" } } });
const N = Number(values.n);

const handler = (req: Request): Response => {
  if (req.headers.get("upgrade") === "websocket") {
    const { socket, response } = upgradeWebSocket(req);
    socket.onmessage = (e) => socket.send(e.data);
    return response;
  }
  return new Response('{"ok":true}', { headers: { "content-type": "application/json" } });
};

async function httpRoundTrips(port: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < N; i++) {
    const t = performance.now();
    const res = await fetch(`http://127.0.0.1:${port}/x`, { method: "POST", body: "{}" });
    await res.text();
    out.push(performance.now() - t);
  }
  return out;
}

async function wsEchoes(port: number): Promise<number[]> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`);
  await new Promise((r) => (ws.onopen = r));
  const out: number[] = [];
  for (let i = 0; i < N; i++) {
    const t = performance.now();
    const got = new Promise((r) => (ws.onmessage = r));
    ws.send('{"id":1}');
    await got;
    out.push(performance.now() - t);
  }
  ws.close();
  return out;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const direct = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, handler);
const guarded = await serveGuarded({ hostname: "127.0.0.1", port: 0 }, handler);
try {
  for (const [name, run] of [["HTTP", httpRoundTrips], ["WebSocket", wsEchoes]] as const) {
    // Interleaved twice, so that a slow moment of the machine hits both.
    const d: number[] = [];
    const g: number[] = [];
    for (let round = 0; round < 2; round++) {
      d.push(...await run(direct.addr.port));
      g.push(...await run(guarded.addr.port));
    }
    const md = median(d) * 1000;
    const mg = median(g) * 1000;
    console.log(
      `${name}: direct ${md.toFixed(0)} µs, guarded ${mg.toFixed(0)} µs (median of ${d.length}),` +
        ` ratio ${(mg / md).toFixed(2)}`,
    );
  }
} finally {
  await direct.shutdown();
  await guarded.shutdown();
}
