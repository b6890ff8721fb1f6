import assert from "node:assert/strict";
import { FrameReader, WireTracker } from "../../gateway/wire_tracker.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const limits = { maxHeadBytes: 256, maxMessageBytes: 100 };

/** A client frame: FIN flag, opcode, a declared payload length, masked, with `body` bytes. */
function frame(fin: boolean, opcode: number, length: number, body = 0): Uint8Array {
  const head = length < 126
    ? [length | 0x80]
    : length < 65536
    ? [126 | 0x80, length >> 8, length & 0xff]
    : [
      127 | 0x80,
      0,
      0,
      0,
      0,
      (length >>> 24) & 0xff,
      (length >> 16) & 0xff,
      (length >> 8) & 0xff,
      length & 0xff,
    ];
  return new Uint8Array([
    (fin ? 0x80 : 0) | opcode,
    ...head,
    1,
    2,
    3,
    4,
    ...new Array(body).fill(0),
  ]);
}

/** Feeds all of `bytes` as the listener does, piece after piece: the pieces' lengths. */
function feedAll(t: WireTracker, bytes: Uint8Array): number[] {
  const taken: number[] = [];
  for (let rest = bytes; rest.length > 0;) {
    const n = t.feed(rest) as number;
    taken.push(n);
    rest = rest.subarray(n);
  }
  return taken;
}

Deno.test("requests: sized and chunked bodies, pipelined, bare-LF heads and leading blank lines", () => {
  const t = new WireTracker(limits);
  // Each feed stops at the end of a head or a body.
  const two = "POST /a HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello" + "GET /b HTTP/1.1\r\n\r\n";
  assert.deepEqual(feedAll(t, enc(two)), [39, 5, 19]);
  assert.equal(t.phase, "idle");

  assert.deepEqual(
    feedAll(t, enc("\r\nPOST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nab")),
    [49, 5],
  );
  assert.equal(t.phase, "body");
  assert.deepEqual(feedAll(t, enc("c\r\n0;ext=1\r\nX-Trailer: y\r\n\r\n")), [28]);
  assert.equal(t.phase, "idle");

  t.feed(enc("GET / HTTP/1.1\nHost: x\n"));
  assert.equal(t.phase, "head");
  t.feed(enc("\n"));
  assert.equal(t.phase, "idle");
});

Deno.test("requests: an oversized head, a bad length or a bad chunk is refused", () => {
  assert.deepEqual(new WireTracker(limits).feed(enc("GET / HTTP/1.1\r\nX: " + "a".repeat(300))), {
    status: 431,
    reason: "request head exceeds 256 bytes",
  });
  assert.equal(
    (new WireTracker(limits).feed(enc("POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n")) as {
      status: number;
    }).status,
    400,
  );
  const chunked = new WireTracker(limits);
  const bad = enc("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n");
  const head = chunked.feed(bad) as number;
  assert.deepEqual(chunked.feed(bad.subarray(head)), { status: 400, reason: "bad chunked body" });
  assert.equal(
    (new WireTracker(limits).feed(enc("POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n")) as {
      status: number;
    }).status,
    400,
  );
});

Deno.test("upgrade: bytes after the request wait for the answer; 101 makes them frames", () => {
  const upgrade = "GET /ws HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n";
  const t = new WireTracker(limits);
  const bytes = new Uint8Array([...enc(upgrade), ...frame(true, 1, 200)]);
  assert.equal(t.feed(bytes), upgrade.length);
  assert.equal(t.phase, "upgrading");
  t.upgraded(true);
  assert.deepEqual(t.feed(bytes.subarray(upgrade.length)), {
    wsClose: 1009,
    reason: "message exceeds 100 bytes",
  });

  const refused = new WireTracker(limits);
  refused.feed(enc(upgrade));
  refused.upgraded(false);
  assert.equal(refused.phase, "idle");
  assert.equal(refused.feed(enc("GET / HTTP/1.1\r\n\r\n")), 18);
});

Deno.test("websocket: a message is judged by the sum of its fragments' headers, controls apart", () => {
  const t = new WireTracker(limits);
  t.feed(enc("GET / HTTP/1.1\r\nUpgrade: websocket\r\n\r\n"));
  t.upgraded(true);
  const first = frame(false, 1, 60, 60);
  assert.equal(t.feed(first), first.length);
  // A ping between fragments does not count toward the message.
  const ping = frame(true, 9, 10, 10);
  assert.equal(t.feed(ping), ping.length);
  // The next fragment's header alone (no payload sent) already breaks the limit.
  assert.deepEqual(t.feed(frame(true, 0, 41)), {
    wsClose: 1009,
    reason: "message exceeds 100 bytes",
  });

  const big = new WireTracker(limits);
  big.feed(enc("GET / HTTP/1.1\r\nUpgrade: websocket\r\n\r\n"));
  big.upgraded(true);
  // 60 MiB announced by a 64-bit length: refused on the header's 14 bytes.
  assert.equal((big.feed(frame(true, 2, 60 * 1024 * 1024)) as { wsClose: number }).wsClose, 1009);

  const ok = new WireTracker(limits);
  ok.feed(enc("GET / HTTP/1.1\r\nUpgrade: websocket\r\n\r\n"));
  ok.upgraded(true);
  for (let i = 0; i < 5; i++) assert.equal(typeof ok.feed(frame(true, 1, 100, 100)), "number");
});

Deno.test("websocket: unmasked client frames and long control frames are protocol errors", () => {
  const r = new FrameReader(100);
  assert.deepEqual(r.feed(new Uint8Array([0x81, 5]), 0), {
    wsClose: 1002,
    reason: "client frames must be masked",
  });
  assert.equal(
    (new FrameReader(100).feed(frame(true, 9, 126), 0) as { wsClose: number }).wsClose,
    1002,
  );
});
