/**
 * The soak of the hardening issue (#14): a gateway process under a fixed-rate mixed load for
 * minutes — reads and mutations of `test:///default` over HTTP calls, RPC WebSockets (a few
 * long-lived sessions) and REST, from a full and a read-only token — sent open-loop (a slow
 * answer does not slow the sender). Prints requests sent and answered, errors by kind, latency
 * percentiles per channel, and the gateway's RSS (start, after the warm-up, end, peak) and open
 * file descriptors (start, end), read from /proc/PID of the gateway process, plus `uptime`.
 *
 *     deno run -A tests/bench/soak.ts [--rate 200] [--minutes 8] [--warmup 60]
 */
import { parseArgs } from "node:util";
import { spawnGateway } from "../gateway/process.ts";
import { RPC_SOCKET_PATH, RPC_SUBPROTOCOL } from "../../protocol/ws_protocol.ts";
import { errorCodeName } from "../../util/errors.ts";
import { DEFAULT_CONNECTION_LIMITS } from "../../gateway/guarded_listener.ts";

const { values } = parseArgs({
  options: {
    rate: { type: "string", default: "200" },
    minutes: { type: "string", default: "8" },
    warmup: { type: "string", default: "60" },
  },
});
const RATE = Number(values.rate);
const DURATION_MS = Number(values.minutes) * 60_000;
const WARMUP_MS = Number(values.warmup) * 1000;
const TIMEOUT_MS = 10_000;
const READ_ONLY = "soak-read-only-token";
const TEST = { name: "test", uuid: "6695eb01-f6a4-8304-79aa-97f2502e193f", id: 1 };

const uptime = () => Deno.readTextFileSync("/proc/loadavg").split(" ").slice(0, 3).join(" ");
const status = (pid: number, key: string) =>
  Number(new RegExp(`${key}:\\s+(\\d+)`).exec(Deno.readTextFileSync(`/proc/${pid}/status`))![1]);
const fds = (pid: number) => [...Deno.readDirSync(`/proc/${pid}/fd`)].length;

const gw = await spawnGateway({ tokens: { [READ_ONLY]: { name: "ro", role: "read-only" } } });
const pid = gw.child.pid;
const auth = (token: string) => ({ authorization: `Bearer ${token}` });
const domainXml = (name: string) =>
  `<domain type='test'><name>${name}</name><memory>65536</memory><vcpu>1</vcpu>` +
  `<os><type>hvm</type></os></domain>`;

/** Latencies (ms) by channel, errors by kind. */
const latencies: Record<string, number[]> = { http: [], ws: [], rest: [] };
const errors: Record<string, number> = {};
let sent = 0;
let answered = 0;
const fail = (kind: string) => (errors[kind] = (errors[kind] ?? 0) + 1);

/** A call's JSON error or status as an error kind ("409 VIR_ERR_OPERATION_INVALID"). */
async function errorKind(res: Response): Promise<string> {
  const body = await res.json().catch(() => ({}));
  return `${res.status} ${body.code ? errorCodeName(body.code) : ""}`.trim();
}

async function http(path: string, init: RequestInit & { token?: string }, channel: string) {
  sent++;
  const t = performance.now();
  try {
    const res = await fetch(`${gw.origin}${path}`, {
      ...init,
      headers: { ...auth(init.token ?? gw.token), ...init.headers },
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    if (res.ok) await res.body?.cancel();
    else fail(`${channel} ${await errorKind(res)}`);
    answered++;
    latencies[channel].push(performance.now() - t);
  } catch (e) {
    fail(`${channel} ${(e as Error).name}`);
  }
}

const call = (method: string, args: unknown[], token?: string) =>
  http(`/v1/test/default/call/${method}`, {
    method: "POST",
    token,
    headers: { "content-type": "application/json" },
    body: JSON.stringify(args),
  }, "http");

/** A long-lived RPC WebSocket session: calls by id, answered in any order. */
async function wsSession(token: string) {
  const ws = new WebSocket(`ws://127.0.0.1:${gw.port}${RPC_SOCKET_PATH}`, RPC_SUBPROTOCOL);
  await new Promise((r, j) => {
    ws.onopen = r;
    ws.onerror = j;
  });
  const waiting = new Map<number, (m: { error?: { code: number } }) => void>();
  ws.onmessage = (e) => {
    const msg = JSON.parse(e.data);
    waiting.get(msg.id)?.(msg);
    waiting.delete(msg.id);
  };
  ws.onclose = () => {
    for (const done of waiting.values()) done({ error: { code: -1 } });
    waiting.clear();
  };
  let next = 1;
  const request = (body: Record<string, unknown>) => {
    const id = next++;
    return new Promise<{ error?: { code: number } }>((resolve) => {
      waiting.set(id, resolve);
      ws.send(JSON.stringify({ ...body, id }));
    });
  };
  ws.send(JSON.stringify({ auth: token }));
  await request({ open: "test:///default" });
  return {
    async call(method: string, args: unknown[]) {
      sent++;
      const t = performance.now();
      let timer: ReturnType<typeof setTimeout> | undefined;
      const answer = await Promise.race([
        request({ method, args }),
        new Promise<"timeout">((r) => timer = setTimeout(() => r("timeout"), TIMEOUT_MS)),
      ]);
      clearTimeout(timer);
      if (answer === "timeout") return fail("ws timeout");
      answered++;
      latencies.ws.push(performance.now() - t);
      if (answer.error) {
        fail(`ws ${answer.error.code === -1 ? "socket closed" : errorCodeName(answer.error.code)}`);
      }
    },
    close: () => ws.close(),
  };
}

const sockets = await Promise.all(
  [gw.token, gw.token, gw.token, READ_ONLY, READ_ONLY, READ_ONLY].map(wsSession),
);

/** The i-th request of the mix: 40 % HTTP calls, 40 % WebSocket calls, 20 % REST. */
function request(i: number): Promise<unknown> {
  const slot = i % 10;
  const n = Math.floor(i / 10);
  switch (slot) {
    case 0:
      return call("connectListAllDomains", [0], READ_ONLY);
    case 1:
      return call("domainGetXMLDesc", [TEST, 0]);
    case 2:
      return call("domainSetAutostart", [TEST, n % 2 === 1]);
    case 3:
      return call("domainSetMetadata", [TEST, 0, `title ${n}`, null, null, 0]);
    case 4:
    case 5:
    case 6:
      return sockets[n % 3 + 3].call("domainGetInfo", [TEST]);
    case 7:
      return sockets[n % 3].call(
        "domainSetMemoryFlags",
        [TEST, n % 2 ? 1048576 : 524288, 2 /* VIR_DOMAIN_AFFECT_CONFIG */],
      );
    case 8:
      return http("/v1/test/default/domains/test", { token: READ_ONLY }, "rest");
    default:
      return n % 2 === 0
        ? http("/v1/test/default/domains", {
          method: "POST",
          headers: { "content-type": "application/xml" },
          body: domainXml("soak-rest"),
        }, "rest")
        : http("/v1/test/default/domains/soak-rest", { method: "DELETE" }, "rest");
  }
}

const rss: { s: number; kib: number }[] = [];
const start = { rss: status(pid, "VmRSS"), fds: fds(pid), load: uptime() };
const t0 = performance.now();
const sampler = setInterval(
  () => rss.push({ s: (performance.now() - t0) / 1000, kib: status(pid, "VmRSS") }),
  5000,
);
const inFlight = new Set<Promise<unknown>>();
let afterWarmup = 0;
for (let i = 0;; i++) {
  const due = t0 + (i * 1000) / RATE;
  const elapsed = performance.now() - t0;
  if (elapsed >= DURATION_MS) break;
  if (!afterWarmup && elapsed >= WARMUP_MS) afterWarmup = status(pid, "VmRSS");
  const wait = due - performance.now();
  if (wait > 1) await new Promise((r) => setTimeout(r, wait));
  const p = request(i).catch((e) => fail(`client ${e}`));
  inFlight.add(p);
  p.finally(() => inFlight.delete(p));
}
await Promise.all(inFlight);
// Until the last answer: the idle waits below are not the load's.
const seconds = (performance.now() - t0) / 1000;
clearInterval(sampler);
for (const s of sockets) s.close();
// This process's idle keep-alive connections stay open until the gateway's idle timeout
// (each is three fds there: the TCP socket and both ends of its relay): measured again after it.
await new Promise((r) => setTimeout(r, 5000));
const end = { rss: status(pid, "VmRSS"), fds: fds(pid), load: uptime() };
await new Promise((r) => setTimeout(r, DEFAULT_CONNECTION_LIMITS.idleTimeoutMs + 5000));
const idle = { rss: status(pid, "VmRSS"), fds: fds(pid) };
const peak = Math.max(...rss.map((r) => r.kib), end.rss);
const alive = gw.child.pid && (await fetch(`${gw.origin}/healthz`).then((r) => r.status, () => 0));
await gw.stop();

const q = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor(xs.length * p))];
console.log(
  `soak: ${RATE} req/s for ${values.minutes} min (${seconds.toFixed(0)} s); load ${start.load} ` +
    `at start, ${end.load} at end`,
);
console.log(`requests: ${sent} sent, ${answered} answered (${(answered / seconds).toFixed(1)}/s)`);
console.log(`errors by kind: ${JSON.stringify(errors)}`);
const all = Object.values(latencies).flat().sort((a, b) => a - b);
for (const [channel, xs] of [...Object.entries(latencies), ["all", all] as const]) {
  const s = [...xs].sort((a, b) => a - b);
  console.log(
    `latency ${channel}: n ${s.length}, p50 ${q(s, 0.5)?.toFixed(1)} ms, p99 ` +
      `${q(s, 0.99)?.toFixed(1)} ms, max ${s.at(-1)?.toFixed(1)} ms`,
  );
}
console.log(
  `gateway RSS: start ${(start.rss / 1024).toFixed(1)} MiB, after ${WARMUP_MS / 1000} s ` +
    `warm-up ${(afterWarmup / 1024).toFixed(1)} MiB, end ${(end.rss / 1024).toFixed(1)} MiB, ` +
    `peak ${(peak / 1024).toFixed(1)} MiB`,
);
console.log(
  `open fds: start ${start.fds}, end ${end.fds} (5 s after the last request), ` +
    `${idle.fds} after the idle timeout (RSS then ${(idle.rss / 1024).toFixed(1)} MiB); ` +
    `healthz after the run: ${alive}`,
);
console.log(
  `RSS every 60 s (MiB): ${
    rss.filter((_, i) => i % 12 === 11).map((r) => (r.kib / 1024).toFixed(1)).join(" ")
  }`,
);
