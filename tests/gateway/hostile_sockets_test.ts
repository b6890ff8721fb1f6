/**
 * The gateway process against hostile TCP clients (issue 14, items 5 and 13): WebSocket
 * messages announced far beyond the limit are refused from their frame header, before a byte of
 * them is buffered, and an oversized request head is answered at once; the gateway's memory
 * does not grow and it keeps serving. The read timeouts themselves are tested on the listener
 * with short deadlines (`guarded_listener_test.ts`); the gateway runs the same listener.
 */
import assert from "node:assert/strict";
import { spawnGateway } from "./process.ts";

const enc = (s: string) => new TextEncoder().encode(s);

async function rssKiB(pid: number): Promise<number> {
  const status = await Deno.readTextFile(`/proc/${pid}/status`);
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]);
}

/** Opens an unauthenticated RPC WebSocket by hand and announces a 60 MiB binary message. */
async function announceHugeMessage(port: number): Promise<Uint8Array> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  await conn.write(enc(
    "GET /v1/rpc HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n" +
      "Sec-WebSocket-Protocol: edgevirt.rpc.v2\r\n\r\n",
  ));
  const n = 60 * 1024 * 1024;
  const header = [0x82, 0xff, 0, 0, 0, 0, n >>> 24, (n >> 16) & 255, 0, 0, 1, 2, 3, 4];
  // Then 1 MiB of the payload, as an attacker streaming it would.
  const payload = new Uint8Array(1024 * 1024);
  await conn.write(new Uint8Array(header));
  await conn.write(payload).catch(() => 0);
  const got: number[] = [];
  const buf = new Uint8Array(4096);
  // Without the guard nothing would come back: the runtime waits for the whole message.
  const timer = setTimeout(() => conn.close(), 5000);
  for (;;) {
    const r = await conn.read(buf).catch(() => null);
    if (r === null) break;
    got.push(...buf.subarray(0, r));
  }
  clearTimeout(timer);
  try {
    conn.close();
  } catch {
    // Closed by the timer.
  }
  return new Uint8Array(got);
}

Deno.test("gateway process: 4 × 60 MiB WebSocket messages refused from their header; 431 heads", async () => {
  const gw = await spawnGateway();
  try {
    const before = await rssKiB(gw.child.pid);
    const answers = await Promise.all([0, 1, 2, 3].map(() => announceHugeMessage(gw.port)));
    for (const a of answers) {
      const text = new TextDecoder().decode(a);
      assert.match(text, /^HTTP\/1\.1 101 /);
      const frame = a.subarray(text.indexOf("\r\n\r\n") + 4);
      assert.equal(frame[0], 0x88, "a close frame");
      assert.equal((frame[2] << 8) | frame[3], 1009);
      assert.match(new TextDecoder().decode(frame.subarray(4)), /^message exceeds \d+ bytes$/);
    }
    const after = await rssKiB(gw.child.pid);
    // Buffering the messages would add 240 MiB; allow the relay's and runtime's noise.
    assert.ok(after - before < 64 * 1024, `RSS grew from ${before} to ${after} KiB`);

    const conn = await Deno.connect({ hostname: "127.0.0.1", port: gw.port });
    await conn.write(
      enc(`GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX: ${"a".repeat(70_000)}\r\n\r\n`),
    )
      .catch(() => 0);
    const buf = new Uint8Array(4096);
    const n = await conn.read(buf);
    conn.close();
    assert.match(new TextDecoder().decode(buf.subarray(0, n ?? 0)), /^HTTP\/1\.1 431 /);

    const health = await fetch(`${gw.origin}/healthz`);
    assert.equal(health.status, 200);
    await health.body?.cancel();
  } finally {
    await gw.stop();
  }
});

/** A masked client frame (RFC 6455) of `opcode` carrying `payload`, as a raw client sends it. */
function clientFrame(opcode: number, payload: Uint8Array): Uint8Array {
  const n = payload.length;
  const head = n < 126 ? [0x80 | opcode, 0x80 | n] : [0x80 | opcode, 0x80 | 126, n >> 8, n & 255];
  const mask = [0x12, 0x34, 0x56, 0x78];
  const out = new Uint8Array(head.length + 4 + n);
  out.set([...head, ...mask]);
  for (let i = 0; i < n; i++) out[head.length + 4 + i] = payload[i] ^ mask[i % 4];
  return out;
}

Deno.test("gateway process: a socket that ends while its open is pending leaves the gateway serving", async () => {
  // Found by the wire fuzzer: calls queued behind the `open`, a binary frame (which ends the
  // socket), the connection dropped. A queued call whose socket ended before its open settled
  // requeued itself for ever on the settled open: a microtask loop that stopped the gateway.
  const gw = await spawnGateway();
  try {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: gw.port });
    const text = (v: unknown) => clientFrame(1, enc(JSON.stringify(v)));
    await conn.write(enc(
      "GET /v1/rpc HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n" +
        "Sec-WebSocket-Protocol: edgevirt.rpc.v2\r\n\r\n",
    ));
    await conn.write(text({ auth: gw.token }));
    await conn.write(text({ id: 1, open: "test:///default" }));
    await conn.write(text({ id: 2, method: "connectGetVersion", args: [] }));
    await conn.write(clientFrame(2, new Uint8Array([0xff, 0xfe, 0, 1])));
    await conn.write(text({ id: 3, method: "connectGetVersion", args: [] }));
    await new Promise((r) => setTimeout(r, 500));
    conn.close();
    const health = await fetch(`${gw.origin}/healthz`, { signal: AbortSignal.timeout(5000) });
    assert.equal(health.status, 200);
    await health.body?.cancel();
  } finally {
    await gw.stop();
  }
});
