/**
 * The in-process server WebSocket of the guarded listener, fed raw client frames (RFC 6455):
 * messages whole and fragmented, control frames, both close handshakes, every protocol error
 * it ends a socket for, and Deno's idle ping.
 */
import assert from "node:assert/strict";
import { DEFAULT_IDLE_TIMEOUT_MS, RelayWebSocket } from "../../gateway/relay_websocket.ts";

const enc = new TextEncoder();

/** A client frame: FIN and opcode in `b0`, masked with a random key. */
function frame(b0: number, payload: Uint8Array | string, masked = true): Uint8Array {
  const p = typeof payload === "string" ? enc.encode(payload) : payload;
  const n = p.length;
  const len = n < 126 ? [n] : n < 65536 ? [126, n >> 8, n & 255] : [127, 0, 0, 0, 0, ...be32(n)];
  const key = masked ? crypto.getRandomValues(new Uint8Array(4)) : new Uint8Array(0);
  const out = new Uint8Array(1 + len.length + key.length + n);
  out[0] = b0;
  out.set(len, 1);
  if (masked) out[1] |= 0x80;
  out.set(key, 1 + len.length);
  const at = 1 + len.length + key.length;
  for (let i = 0; i < n; i++) out[at + i] = masked ? p[i] ^ key[i & 3] : p[i];
  return out;
}
const be32 = (n: number) => [n >>> 24, (n >> 16) & 255, (n >> 8) & 255, n & 255];

/** A server frame read back: opcode, payload. */
function parse(bytes: Uint8Array): { op: number; payload: Uint8Array } {
  const len7 = bytes[1] & 0x7f;
  const at = len7 < 126 ? 2 : len7 === 126 ? 4 : 10;
  const n = len7 < 126
    ? len7
    : len7 === 126
    ? (bytes[2] << 8) | bytes[3]
    : bytes.subarray(2, 10).reduce((x, b) => x * 256 + b, 0);
  assert.equal(bytes[0] & 0x80, 0x80, "server frames are final");
  assert.equal(bytes[1] & 0x80, 0, "server frames are not masked");
  assert.equal(bytes.length, at + n);
  return { op: bytes[0] & 0x0f, payload: bytes.subarray(at) };
}

function closeOf(bytes: Uint8Array): { code: number; reason: string } {
  const { op, payload } = parse(bytes);
  assert.equal(op, 8);
  return {
    code: (payload[0] << 8) | payload[1],
    reason: new TextDecoder().decode(payload.subarray(2)),
  };
}

/** An accepted socket, what it wrote (whole frames, one per write), its events. */
function open(idleMs?: number) {
  const ws = new RelayWebSocket("", idleMs);
  const written: Uint8Array[] = [];
  const messages: unknown[] = [];
  const closes: CloseEvent[] = [];
  let ended = 0;
  let opened = 0;
  ws.onopen = () => opened++;
  ws.onmessage = (e) => messages.push(e.data);
  ws.onclose = (e) => closes.push(e);
  ws.accept({ write: (b) => written.push(b.slice()), end: () => ended++ });
  assert.equal(opened, 1);
  return { ws, written, messages, closes, ended: () => ended };
}

Deno.test("text and binary messages, whole, fragmented, and fed a byte at a time", () => {
  const s = open();
  s.ws.feed(frame(0x81, "héllo"));
  s.ws.feed(frame(0x82, new Uint8Array([1, 2, 3])));
  // Fragments with a ping between them: the ping is answered at once, the message kept whole.
  s.ws.feed(frame(0x01, "ab"));
  s.ws.feed(frame(0x89, "p"));
  s.ws.feed(frame(0x00, "cd"));
  const last = frame(0x80, "ef");
  for (const b of last) s.ws.feed(new Uint8Array([b]));
  const big = "x".repeat(70_000);
  s.ws.feed(frame(0x81, big));
  assert.deepEqual(s.messages.slice(0, 1), ["héllo"]);
  assert.deepEqual([...new Uint8Array(s.messages[1] as ArrayBuffer)], [1, 2, 3]);
  assert.equal(s.messages[2], "abcdef");
  assert.equal(s.messages[3], big);
  const pong = parse(s.written[0]);
  assert.equal(pong.op, 0xa);
  assert.equal(new TextDecoder().decode(pong.payload), "p");
});

Deno.test("send frames text and binary with the right length form", () => {
  const s = open();
  s.ws.send("hi");
  s.ws.send("y".repeat(300));
  s.ws.send("z".repeat(70_000));
  s.ws.send(new Uint8Array([9]));
  const [a, b] = s.written.slice(0, 2).map((w) => parse(w));
  assert.deepEqual([a.op, new TextDecoder().decode(a.payload)], [1, "hi"]);
  assert.equal(b.payload.length, 300);
  // A long message goes as its header and its payload, two writes.
  const long = new Uint8Array([...s.written[2], ...s.written[3]]);
  assert.equal(long[1], 127);
  assert.equal(parse(long).payload.length, 70_000);
  assert.deepEqual(parse(s.written[4]), { op: 2, payload: new Uint8Array([9]) });
});

Deno.test("a close from the client is echoed and ends the socket cleanly", () => {
  const s = open();
  s.ws.feed(frame(0x88, new Uint8Array([0x03, 0xe8, ...enc.encode("bye")])));
  assert.deepEqual(closeOf(s.written[0]), { code: 1000, reason: "" });
  assert.equal(s.ws.readyState, 3);
  assert.equal(s.ended(), 1);
  assert.equal(s.closes[0].code, 1000);
  assert.equal(s.closes[0].reason, "bye");
  assert.equal(s.closes[0].wasClean, true);
  // Nothing more is read or written.
  s.ws.feed(frame(0x81, "late"));
  s.ws.send("late");
  assert.deepEqual(s.messages, []);
  assert.equal(s.written.length, 1);
});

Deno.test("a close from the server waits for the client's, or gives up after a while", () => {
  const s = open();
  s.ws.close(1008, "no accepted token in time");
  assert.deepEqual(closeOf(s.written[0]), { code: 1008, reason: "no accepted token in time" });
  assert.equal(s.ws.readyState, 2);
  s.ws.feed(frame(0x81, "in flight"));
  assert.deepEqual(s.messages, [], "messages after a close are not delivered");
  s.ws.feed(frame(0x88, new Uint8Array([0x03, 0xf0])));
  assert.equal(s.ws.readyState, 3);
  assert.equal(s.written.length, 1, "the client's close is not answered again");
  assert.equal(s.closes[0].code, 1008);

  const t = open();
  t.ws.close(1000);
  t.ws.tick(Date.now());
  assert.equal(t.ws.readyState, 2);
  t.ws.tick(t.ws.deadline);
  assert.equal(t.ws.readyState, 3);
  assert.equal(t.closes[0].code, 1006);
  assert.equal(t.ended(), 1);
});

Deno.test("protocol errors end the socket with 1002, text that is not UTF-8 with 1007", () => {
  const cases: [string, Uint8Array, number][] = [
    ["unmasked frame", frame(0x81, "a", false), 1002],
    ["reserved bits", frame(0xc1, "a"), 1002],
    ["reserved opcode", frame(0x83, "a"), 1002],
    ["reserved control opcode", frame(0x8b, "a"), 1002],
    ["continuation without a message", frame(0x80, "a"), 1002],
    ["fragmented control frame", frame(0x09, "a"), 1002],
    ["long control frame", frame(0x89, "p".repeat(126)), 1002],
    ["one-byte close payload", frame(0x88, new Uint8Array([3])), 1002],
    ["close code 1005", frame(0x88, new Uint8Array([0x03, 0xed])), 1002],
    ["close code 2000", frame(0x88, new Uint8Array([0x07, 0xd0])), 1002],
    ["invalid UTF-8", frame(0x81, new Uint8Array([0xc3, 0x28])), 1007],
    ["close reason not UTF-8", frame(0x88, new Uint8Array([0x03, 0xe8, 0xff])), 1007],
  ];
  for (const [what, bytes, code] of cases) {
    const s = open();
    s.ws.feed(bytes);
    assert.equal(closeOf(s.written.at(-1)!).code, code, what);
    assert.equal(s.ws.readyState, 3, what);
    assert.equal(s.ended(), 1, what);
    assert.deepEqual(s.messages, [], what);
  }
  const s = open();
  s.ws.feed(frame(0x01, "a"));
  s.ws.feed(frame(0x81, "b"));
  assert.equal(closeOf(s.written[0]).reason, "expected a continuation");
});

Deno.test("idle: a ping after half the timeout, 1001 after the other half; a frame resets it", () => {
  const s = open();
  assert.equal(DEFAULT_IDLE_TIMEOUT_MS, 30_000);
  const first = s.ws.deadline;
  s.ws.tick(first - 1);
  assert.equal(s.written.length, 0);
  s.ws.tick(first);
  assert.equal(parse(s.written[0]).op, 0x9);
  // The pong (any frame) puts the check back to the start.
  s.ws.feed(frame(0x8a, ""));
  assert.ok(s.ws.deadline >= first);
  s.ws.tick(s.ws.deadline);
  assert.equal(parse(s.written[1]).op, 0x9);
  s.ws.tick(s.ws.deadline);
  assert.deepEqual(closeOf(s.written[2]), { code: 1001, reason: "No response from ping frame." });
  assert.equal(s.ws.readyState, 3);
  assert.equal(s.closes[0].wasClean, false);
});

Deno.test("the web API's rules: no send before the handshake, close codes checked", () => {
  const ws = new RelayWebSocket("edgevirt.rpc.v2");
  assert.throws(() => ws.send("early"), { name: "InvalidStateError" });
  assert.equal(ws.protocol, "edgevirt.rpc.v2");
  const s = open();
  assert.throws(() => s.ws.close(1006), { name: "InvalidAccessError" });
  assert.throws(() => s.ws.close(1000, "r".repeat(124)), { name: "SyntaxError" });
  assert.equal(s.ws.readyState, 1);
});

Deno.test("a handler that throws does not end the socket", () => {
  const s = open();
  const errors: unknown[] = [];
  const log = console.error;
  console.error = (...a: unknown[]) => errors.push(a);
  try {
    s.ws.onmessage = (e) => {
      if (e.data === "bad") throw new TypeError("handler bug");
      s.messages.push(e.data);
    };
    s.ws.feed(frame(0x81, "bad"));
    s.ws.feed(frame(0x81, "good"));
  } finally {
    console.error = log;
  }
  assert.deepEqual(s.messages, ["good"]);
  assert.equal(errors.length, 1);
  assert.equal(s.ws.readyState, 1);
});
