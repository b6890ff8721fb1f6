/**
 * The slow-connection attack of the hardening issue (#13) against a real gateway process with
 * its default limits: N connections trickle a request head or a body one byte every few
 * seconds while an ordinary client keeps calling. Prints when the gateway closed them (the head
 * deadline is 30 s; a body earns 300 s plus its bytes at 64 KiB/s) and the ordinary client's
 * latency meanwhile.
 *
 *     deno run -A tests/bench/slow_clients.ts [--n 350] [--every 5]
 */
import { parseArgs } from "node:util";
import { spawnGateway } from "../gateway/process.ts";

const { values } = parseArgs({
  options: { n: { type: "string", default: "350" }, every: { type: "string", default: "5" } },
});
const N = Number(values.n);
const EVERY_MS = Number(values.every) * 1000;
const enc = (s: string) => new TextEncoder().encode(s);

const gw = await spawnGateway();
const start = Date.now();
const closedAt: { kind: string; s: number }[] = [];

async function slow(kind: "head" | "body"): Promise<void> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: gw.port });
  await conn.write(enc(
    kind === "head"
      ? "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n"
      : "POST /v1/test/default/call/connectGetHostname HTTP/1.1\r\nHost: 127.0.0.1\r\n" +
        "Authorization: Bearer " + gw.token + "\r\nContent-Type: application/json\r\n" +
        "Content-Length: 1000000\r\n\r\n[",
  ));
  const timer = setInterval(
    () => conn.write(enc(kind === "head" ? "X" : " ")).catch(() => {}),
    EVERY_MS,
  );
  const buf = new Uint8Array(4096);
  while ((await conn.read(buf).catch(() => null)) !== null);
  clearInterval(timer);
  closedAt.push({ kind, s: (Date.now() - start) / 1000 });
  conn.close();
}

const attack = Promise.all(
  Array.from({ length: N }, (_, i) => slow(i % 2 ? "body" : "head")),
);
const latencies: number[] = [];
let failures = 0;
const probe = (async () => {
  while (closedAt.length < N) {
    const t = performance.now();
    const res = await fetch(`${gw.origin}/healthz`).catch(() => undefined);
    if (res?.status === 200) latencies.push(performance.now() - t);
    else failures++;
    await res?.body?.cancel();
    await new Promise((r) => setTimeout(r, 200));
  }
})();
await attack;
await probe;
await gw.stop();

const sorted = (k: string) =>
  closedAt.filter((c) => c.kind === k).map((c) => c.s).sort((a, b) => a - b);
const q = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor(xs.length * p))];
for (const kind of ["head", "body"]) {
  const xs = sorted(kind);
  console.log(
    `${kind}: ${xs.length} connections closed by the gateway; first ${xs[0]?.toFixed(1)} s, ` +
      `median ${q(xs, 0.5)?.toFixed(1)} s, last ${xs.at(-1)?.toFixed(1)} s`,
  );
}
const lat = latencies.sort((a, b) => a - b);
console.log(
  `ordinary client meanwhile: ${lat.length} answered, ${failures} failed, ` +
    `p50 ${q(lat, 0.5)?.toFixed(1)} ms, p99 ${q(lat, 0.99)?.toFixed(1)} ms`,
);
