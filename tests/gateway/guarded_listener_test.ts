/**
 * The guarded TCP listener on real sockets: slow heads and bodies are cut at their deadlines,
 * WebSocket messages too big are refused from their header before anything is buffered, and
 * ordinary HTTP, half-closed requests and WebSockets pass through unchanged.
 */
import assert from "node:assert/strict";
import { serveGuarded } from "../../gateway/guarded_listener.ts";
import { upgradeWebSocket } from "../../gateway/ws_upgrade.ts";

const enc = (s: string) => new TextEncoder().encode(s);

/** Reads everything until the server closes (or `ms` passes), with when it closed. */
async function readToClose(
  conn: Deno.Conn,
  ms = 5000,
): Promise<{ bytes: Uint8Array; text: string; afterMs: number }> {
  const start = Date.now();
  const chunks: Uint8Array[] = [];
  const buf = new Uint8Array(65536);
  const timer = setTimeout(() => conn.close(), ms);
  try {
    for (;;) {
      const n = await conn.read(buf).catch(() => null);
      if (n === null) break;
      chunks.push(buf.slice(0, n));
    }
  } finally {
    clearTimeout(timer);
  }
  const all = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let off = 0;
  for (const c of chunks) all.set(c, (off += c.length) - c.length);
  return { bytes: all, text: new TextDecoder().decode(all), afterMs: Date.now() - start };
}

/** A server whose WebSocket handler counts the messages it was given, and echoes them. */
async function withServer(
  limits: Parameters<typeof serveGuarded>[2],
  fn: (port: number, seen: { messages: number }) => Promise<void>,
) {
  const seen = { messages: 0 };
  const server = await serveGuarded({ hostname: "127.0.0.1", port: 0 }, async (req) => {
    if (req.headers.get("upgrade") === "websocket") {
      if (new URL(req.url).pathname === "/refused") {
        return new Response("no socket here", { status: 403, headers: { "x-why": "test" } });
      }
      const offered = req.headers.get("sec-websocket-protocol")?.split(",")[0]?.trim();
      const { socket, response } = upgradeWebSocket(req, offered ? { protocol: offered } : {});
      socket.onmessage = (e) => {
        seen.messages++;
        socket.send(e.data);
      };
      return response;
    }
    const body = await req.text().catch(() => "(cut)");
    return new Response(`echo ${req.method} ${new URL(req.url).pathname} ${body}`);
  }, limits);
  try {
    await fn(server.addr.port, seen);
  } finally {
    await server.shutdown();
  }
}

/** Reads one answer whose body has a content-length, leaving the connection open. */
async function readAnswer(conn: Deno.Conn): Promise<string> {
  let text = "";
  const buf = new Uint8Array(65536);
  for (;;) {
    const head = text.indexOf("\r\n\r\n");
    const length = /content-length: (\d+)/i.exec(text);
    if (head >= 0 && length && text.length >= head + 4 + Number(length[1])) return text;
    const n = await conn.read(buf);
    if (n === null) return text;
    text += new TextDecoder().decode(buf.subarray(0, n));
  }
}

Deno.test("HTTP passes through: keep-alive requests, bodies, pipelined requests", async () => {
  await withServer({}, async (port) => {
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`http://127.0.0.1:${port}/p${i}`, { method: "POST", body: "x" + i });
      assert.equal(await res.text(), `echo POST /p${i} x${i}`);
    }
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    const post = (path: string) =>
      `POST ${path} HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nhi`;
    await conn.write(enc(post("/h1") + post("/h2")));
    let both = await readAnswer(conn);
    if (!both.includes("/h2")) both += await readAnswer(conn);
    assert.match(both, /^HTTP\/1\.1 200[^]*echo POST \/h1 hi[^]*echo POST \/h2 hi$/);
    conn.close();
  });
});

Deno.test("calls are answered in-process, in order with the inner server's answers", async () => {
  const here: string[] = [];
  const server = await serveGuarded(
    {
      hostname: "127.0.0.1",
      port: 0,
      calls: {
        takes: (req) => req.method === "POST" && new URL(req.url).pathname.startsWith("/call/"),
        async answer(req) {
          const path = new URL(req.url).pathname;
          here.push(path);
          const body = JSON.stringify(await req.json());
          return new Response(`call ${path} ${body}`, { headers: { "x-answered": "here" } });
        },
      },
    },
    async (req) =>
      new Response(`echo ${req.method} ${new URL(req.url).pathname} ${await req.text()}`),
  );
  try {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.addr.port });
    const post = (path: string, body: string, extra = "") =>
      `POST ${path} HTTP/1.1\r\nHost: a\r\n${extra}Content-Length: ${
        enc(body).length
      }\r\n\r\n${body}`;
    // Pipelined, the inner server's and the listener's turn about: answers come in order.
    await conn.write(enc(
      "GET /a HTTP/1.1\r\nHost: a\r\n\r\n" + post("/call/x", "[1]") + post("/b", "hi") +
        post("/call/y", '["é"]'),
    ));
    let text = "";
    while ((text.match(/HTTP\/1\.1 /g) ?? []).length < 4 || !text.endsWith('["é"]')) {
      text += await readAnswer(conn);
    }
    const bodies = text.split(/HTTP\/1\.1 200 [^]*?\r\n\r\n/).filter(Boolean);
    assert.deepEqual(bodies, [
      "echo GET /a ",
      "call /call/x [1]",
      "echo POST /b hi",
      'call /call/y ["é"]',
    ]);
    assert.match(text, /x-answered: here/);
    // Dated as Deno.serve dates its answers (RFC 9110 §6.6.1).
    assert.match(text, /\r\ndate: \w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d GMT\r\n/);
    assert.deepEqual(here, ["/call/x", "/call/y"]);
    // `Connection: close` is the last request: answered, then the end.
    await conn.write(enc(post("/call/z", "[]", "Connection: close\r\n")));
    const last = await readToClose(conn);
    assert.match(
      last.text,
      /^HTTP\/1\.1 200 OK\r\n[^]*connection: close\r\n\r\ncall \/call\/z \[\]$/,
    );
  } finally {
    await server.shutdown();
  }
});

Deno.test("a head sent too slowly gets 408 at its deadline; so do 50 at once", async () => {
  await withServer({ headersTimeoutMs: 300 }, async (port) => {
    const conns = await Promise.all(
      Array.from({ length: 50 }, () => Deno.connect({ hostname: "127.0.0.1", port })),
    );
    await Promise.all(conns.map((c) => c.write(enc("GET / HTTP/1.1\r\nHost: a\r\n"))));
    const results = await Promise.all(conns.map((c) => readToClose(c)));
    for (const r of results) {
      assert.match(r.text, /^HTTP\/1\.1 408 Request Timeout/);
      assert.match(r.text, /"message":"[^"]*request head too slow"/);
      assert.ok(r.afterMs < 2000, `closed after ${r.afterMs} ms`);
    }
  });
});

Deno.test("a body sent too slowly is cut when the whole request's time is up", async () => {
  await withServer({ requestTimeoutMs: 400 }, async (port) => {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    await conn.write(enc("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\n0123456789"));
    const timer = setInterval(() => conn.write(enc("x")).catch(() => {}), 100);
    try {
      const { text, afterMs } = await readToClose(conn);
      assert.equal(text, "");
      assert.ok(afterMs >= 300 && afterMs < 2000, `closed after ${afterMs} ms`);
    } finally {
      clearInterval(timer);
    }
  });
});

Deno.test("a body arriving at a fair rate earns time beyond the request timeout", async () => {
  await withServer({ requestTimeoutMs: 300, minBodyBytesPerSecond: 1000 }, async (port) => {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    await conn.write(enc("POST /slow HTTP/1.1\r\nHost: a\r\nContent-Length: 2000\r\n\r\n"));
    // 2000 bytes over about a second: twice the minimum rate, three times the timeout.
    for (let i = 0; i < 20; i++) {
      await new Promise((r) => setTimeout(r, 50));
      await conn.write(enc("y".repeat(100)));
    }
    const text = await readAnswer(conn);
    conn.close();
    assert.match(text, /^HTTP\/1\.1 200/);
    assert.match(text, /echo POST \/slow y{2000}$/);
  });
});

Deno.test("an oversized head is answered 431 and the connection closed", async () => {
  await withServer({ maxHeadBytes: 1024 }, async (port) => {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    await conn.write(enc("GET / HTTP/1.1\r\nX-Big: " + "a".repeat(2000) + "\r\n\r\n"));
    assert.match((await readToClose(conn)).text, /^HTTP\/1\.1 431 /);
  });
});

Deno.test("connections beyond the limit are closed on accept", async () => {
  await withServer({ maxConnections: 2 }, async (port) => {
    const held = await Promise.all(
      [0, 1].map(() => Deno.connect({ hostname: "127.0.0.1", port })),
    );
    await held[0].write(enc("GET / HTTP/1.1\r\n"));
    await held[1].write(enc("GET / HTTP/1.1\r\n"));
    await new Promise((r) => setTimeout(r, 100));
    const third = await Deno.connect({ hostname: "127.0.0.1", port });
    const { text, afterMs } = await readToClose(third);
    assert.equal(text, "");
    assert.ok(afterMs < 1000);
    held.forEach((c) => c.close());
  });
});

Deno.test("WebSocket: messages pass; one announced too big is refused with 1009 unbuffered", async () => {
  await withServer({ maxMessageBytes: 1024 }, async (port, seen) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`);
    const echoed = await new Promise<string>((resolve, reject) => {
      ws.onopen = () => ws.send("hello");
      ws.onmessage = (e) => resolve(e.data);
      ws.onerror = reject;
    });
    assert.equal(echoed, "hello");
    const closed = new Promise<CloseEvent>((resolve) => (ws.onclose = resolve));
    ws.send("x".repeat(2000));
    const ev = await closed;
    assert.equal(ev.code, 1009);
    assert.equal(ev.reason, "message exceeds 1024 bytes");
    assert.equal(seen.messages, 1);

    // Raw: a frame header announcing 60 MiB, then nothing more. The refusal comes from the
    // header alone; the server's handler never receives a byte of it.
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    await conn.write(enc(
      "GET /ws HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
    ));
    const n = 60 * 1024 * 1024;
    await conn.write(
      new Uint8Array([0x82, 0xff, 0, 0, 0, 0, n >>> 24, (n >> 16) & 255, 0, 0, 1, 2, 3, 4]),
    );
    const { bytes, text, afterMs } = await readToClose(conn);
    assert.match(text, /^HTTP\/1\.1 101 /);
    // The close frame: 0x88, length, code 1009, reason.
    const close = bytes.subarray(text.indexOf("\r\n\r\n") + 4);
    assert.equal(close[0], 0x88);
    assert.equal((close[2] << 8) | close[3], 1009);
    assert.equal(new TextDecoder().decode(close.subarray(4)), "message exceeds 1024 bytes");
    assert.ok(afterMs < 2000);
    assert.equal(seen.messages, 1);
  });
});

const upgradeHead = (path: string, extra = "") =>
  `GET ${path} HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
  `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n${extra}\r\n`;
/** Reads (as latin-1, byte for character) until `done` says so or the server closes; closes. */
async function readUntil(conn: Deno.Conn, done: (text: string) => boolean): Promise<string> {
  let text = "";
  const buf = new Uint8Array(4096);
  while (!done(text)) {
    const n = await conn.read(buf);
    if (n === null) break;
    text += new TextDecoder("latin1").decode(buf.subarray(0, n));
  }
  conn.close();
  return text;
}
/** A masked text frame (the zero key: the payload as it is). */
const textFrame = (text: string) =>
  new Uint8Array([0x81, 0x80 | text.length, 0, 0, 0, 0, ...enc(text)]);

Deno.test("WebSocket handshake: RFC 6455's accept key, the chosen subprotocol, a head in pieces", async () => {
  await withServer({}, async (port, seen) => {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    const head = enc(upgradeHead("/ws", "Sec-WebSocket-Protocol: p1, p2\r\n"));
    // The head a few bytes at a time, the first frame right behind its last piece.
    for (let i = 0; i < head.length; i += 7) {
      const piece = head.subarray(i, i + 7);
      await conn.write(
        i + 7 >= head.length ? new Uint8Array([...piece, ...textFrame("one")]) : piece,
      );
    }
    const text = await readUntil(conn, (t) => t.includes("one"));
    assert.match(text, /^HTTP\/1\.1 101 Switching Protocols\r\n/);
    // RFC 6455 §1.3's example key and answer.
    assert.match(text, /\r\nsec-websocket-accept: s3pPLMBiTxaQ9kYGzzhZRbK\+xOo=\r\n/i);
    assert.match(text, /\r\nsec-websocket-protocol: p1\r\n/i);
    assert.ok(text.endsWith("\x81\x03one"));
    assert.equal(seen.messages, 1);
  });
});

Deno.test("an upgrade the handler refuses is its answer, then the end of the connection", async () => {
  await withServer({}, async (port) => {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    await conn.write(enc(upgradeHead("/refused")));
    const { text } = await readToClose(conn);
    assert.match(text, /^HTTP\/1\.1 403 Forbidden\r\n/);
    assert.match(text, /\r\nx-why: test\r\n/);
    assert.match(text, /\r\ncontent-length: 14\r\nconnection: close\r\n\r\nno socket here$/);
  });
});

Deno.test("an upgrade after requests on the same connection comes after their answers", async () => {
  await withServer({}, async (port, seen) => {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    const post = `POST /before HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nhi`;
    await conn.write(enc(post + upgradeHead("/ws")));
    await conn.write(textFrame("two"));
    const text = await readUntil(conn, (t) => t.endsWith("two"));
    assert.match(text, /^HTTP\/1\.1 200 [^]*echo POST \/before hi(HTTP\/1\.1 101 )/);
    assert.ok(text.endsWith("\x81\x03two"));
    assert.equal(seen.messages, 1);
  });
});

Deno.test("a WebSocket client that stops reading is cut once its queue passes the limit", async () => {
  const closed: number[] = [];
  const server = await serveGuarded({ hostname: "127.0.0.1", port: 0 }, (req) => {
    const { socket, response } = upgradeWebSocket(req);
    const big = "x".repeat(2 * 1024 * 1024);
    // 40 MiB of answers to one message, as a flood of events would be.
    socket.onmessage = () => {
      for (let i = 0; i < 20 && socket.readyState === 1; i++) socket.send(big);
    };
    socket.onclose = (e) => closed.push(e.code);
    return response;
  }, { maxQueuedBytes: 1024 * 1024 });
  try {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.addr.port });
    await conn.write(new Uint8Array([...enc(upgradeHead("/ws")), ...textFrame("go")]));
    // The client reads nothing: the kernel's buffers fill, then the listener's queue.
    const deadline = Date.now() + 10_000;
    while (closed.length === 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.deepEqual(closed, [1006]);
    conn.close();
  } finally {
    await server.shutdown();
  }
});

Deno.test("TLS ends at the listener: HTTPS requests pass through the relay", async () => {
  const dir = await Deno.makeTempDir({ prefix: "edgevirt-tls-" });
  try {
    // A test CA and a server certificate it signs (a self-signed leaf is refused by rustls).
    const openssl = async (...args: string[]) => {
      const out = await new Deno.Command("openssl", { args, cwd: dir, stderr: "piped" }).output();
      assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    };
    const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"];
    await openssl(
      "req",
      "-x509",
      ...ec,
      "-keyout",
      "ca.key",
      "-out",
      "ca.pem",
      "-subj",
      "/CN=test CA",
    );
    await openssl("req", ...ec, "-keyout", "key.pem", "-out", "srv.csr", "-subj", "/CN=localhost");
    await Deno.writeTextFile(`${dir}/ext`, "subjectAltName=DNS:localhost,IP:127.0.0.1\n");
    await openssl(
      "x509",
      "-req",
      "-in",
      "srv.csr",
      "-CA",
      "ca.pem",
      "-CAkey",
      "ca.key",
      "-CAcreateserial",
      "-out",
      "cert.pem",
      "-days",
      "1",
      "-extfile",
      "ext",
    );
    const ca = await Deno.readTextFile(`${dir}/ca.pem`);
    const cert = await Deno.readTextFile(`${dir}/cert.pem`);
    const key = await Deno.readTextFile(`${dir}/key.pem`);
    const server = await serveGuarded(
      { hostname: "127.0.0.1", port: 0, cert, key },
      (req) => new Response(`tls ${new URL(req.url).pathname}`),
    );
    const client = Deno.createHttpClient({ caCerts: [ca] });
    try {
      const res = await fetch(`https://127.0.0.1:${server.addr.port}/x`, { client });
      assert.equal(await res.text(), "tls /x");
    } finally {
      client.close();
      await server.shutdown();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
