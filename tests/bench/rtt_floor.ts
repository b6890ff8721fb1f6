/**
 * The floor under `gateway_bench.ts`'s serial latencies: the round trip of 100 bytes echoed by
 * a peer process that does nothing else, over loopback TCP and a unix socket, between two Deno
 * processes and between two Python processes (libvirtd's bench client is Python), in one run.
 * A serial call cannot be quicker than its transport's echo; on a 2-core VM most of an echo is
 * the two processes' wake-ups, not their work.
 *
 * ```sh
 * deno run -A tests/bench/rtt_floor.ts [--n 5000] [--rounds 3]
 * ```
 * @module
 */
import { parseArgs } from "node:util";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    n: { type: "string", default: "5000" },
    rounds: { type: "string", default: "3" },
    serve: { type: "string" },
  },
});
const N = Number(values.n);
const ROUNDS = Number(values.rounds);

/** The echo peer (this file run with `--serve tcp|PATH`): prints its address, then echoes. */
async function serve(where: string): Promise<void> {
  const listener = where === "tcp"
    ? Deno.listen({ hostname: "127.0.0.1", port: 0 })
    : Deno.listen({ transport: "unix", path: where });
  const addr = listener.addr;
  console.log("port" in addr ? addr.port : addr.path);
  for await (const conn of listener) {
    (conn as Partial<Deno.TcpConn>).setNoDelay?.(true);
    const buf = new Uint8Array(4096);
    for (;;) {
      const n = await conn.read(buf).catch(() => null);
      if (n === null) break;
      await conn.write(buf.subarray(0, n));
    }
    conn.close();
  }
}

/** Mean µs of `N` round trips from this process to a Deno echo peer, per round. */
async function denoRounds(transport: "tcp" | "unix"): Promise<number[]> {
  const dir = await Deno.makeTempDir({ prefix: "edgevirt-rtt-" });
  const path = `${dir}/echo.sock`;
  const peer = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      new URL(import.meta.url).pathname,
      "--serve",
      transport === "tcp" ? "tcp" : path,
    ],
    stdout: "piped",
  }).spawn();
  try {
    const line = await new Response(peer.stdout).body!.getReader().read();
    const at = new TextDecoder().decode(line.value).trim();
    const conn = transport === "tcp"
      ? await Deno.connect({ hostname: "127.0.0.1", port: Number(at) })
      : await Deno.connect({ transport: "unix", path: at });
    (conn as Partial<Deno.TcpConn>).setNoDelay?.(true);
    const msg = new Uint8Array(100);
    const buf = new Uint8Array(4096);
    const trip = async () => {
      await conn.write(msg);
      let got = 0;
      while (got < msg.length) got += (await conn.read(buf)) ?? msg.length;
    };
    for (let i = 0; i < 2000; i++) await trip();
    const out: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const t = performance.now();
      for (let i = 0; i < N; i++) await trip();
      out.push((performance.now() - t) * 1000 / N);
    }
    conn.close();
    return out;
  } finally {
    peer.kill();
    await peer.status;
    await Deno.remove(dir, { recursive: true });
  }
}

const PYTHON = `
import os, socket, sys, tempfile, time
kind, n, rounds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
if kind == "tcp":
    s = socket.socket(); s.bind(("127.0.0.1", 0)); addr = s.getsockname()
else:
    d = tempfile.mkdtemp(); addr = d + "/echo.sock"
    s = socket.socket(socket.AF_UNIX); s.bind(addr)
s.listen(1)
if os.fork() == 0:
    c, _ = s.accept()
    if kind == "tcp": c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    while True:
        d = c.recv(4096)
        if not d: os._exit(0)
        c.sendall(d)
c = socket.socket(socket.AF_INET if kind == "tcp" else socket.AF_UNIX); c.connect(addr)
if kind == "tcp": c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
msg = b"x" * 100
def trip():
    c.sendall(msg); got = 0
    while got < len(msg): got += len(c.recv(4096))
for _ in range(2000): trip()
for _ in range(rounds):
    t = time.perf_counter()
    for _ in range(n): trip()
    print((time.perf_counter() - t) * 1e6 / n)
c.close()
`;

/** The same from a Python client to a Python echo peer. */
async function pythonRounds(transport: "tcp" | "unix"): Promise<number[]> {
  const out = await new Deno.Command("/usr/bin/python3", {
    args: ["-c", PYTHON, transport, String(N), String(ROUNDS)],
    stdout: "piped",
  }).output();
  return new TextDecoder().decode(out.stdout).trim().split("\n").map(Number);
}

if (values.serve) {
  await serve(values.serve);
} else {
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const load = () => Deno.loadavg().map((x) => x.toFixed(2)).join(" ");
  console.log(`${ROUNDS} rounds of ${N} round trips of 100 bytes, load average ${load()}`);
  console.log("peers            transport  round trip µs (median)");
  for (const transport of ["tcp", "unix"] as const) {
    for (
      const [name, run] of [["deno → deno", denoRounds], ["python → python", pythonRounds]] as const
    ) {
      const us = median(await run(transport));
      console.log(`${name.padEnd(16)} ${transport.padEnd(10)} ${us.toFixed(1).padStart(8)}`);
    }
  }
  console.log(`load average at the end ${load()}`);
}
