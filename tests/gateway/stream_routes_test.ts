/**
 * The gateway's stream routes with a driver whose console echoes: a two-way stream is read by
 * one `GET` while its input arrives in `POST`s, `?finish` ends both; streams are their
 * caller's only and wait a bounded time for their data.
 */
import assert from "node:assert/strict";
import { createGateway } from "../../gateway/app.ts";
import { createRegistry } from "../../util/registry.ts";
import type { ConnectDriver, DomainRef, DriverStream } from "../../util/driver.ts";
import { hashToken, TokenStore } from "../../gateway/tokens.ts";
import { StreamTable } from "../../gateway/stream_table.ts";

const DOM: DomainRef = { name: "d", uuid: "6695eb01-f6a4-8304-79aa-97f2502e193f", id: 1 };

const echo: ConnectDriver = {
  name: "echo",
  schemes: ["echo"],
  open: () =>
    Promise.resolve({
      type: "ECHO",
      connectClose: () => Promise.resolve(),
      domainOpenConsole: (): Promise<DriverStream> => {
        const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
        return Promise.resolve({ readable, writable });
      },
    }),
};

async function gateway(tokens?: Record<string, string>) {
  const auth = tokens
    ? new TokenStore(
      await Promise.all(
        Object.entries(tokens).map(async ([name, t]) => ({
          name,
          sha256: await hashToken(t),
          role: "full" as const,
        })),
      ),
    )
    : "none";
  return await createGateway({
    drivers: ["echo:///default"],
    registry: createRegistry([echo]),
    auth,
  });
}

Deno.test("a console stream: one GET reads while POSTs send; finish ends both", async () => {
  const gw = await gateway();
  try {
    const res = await gw.app.request("/v1/echo/default/call/domainOpenConsole", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify([DOM, null, 0]),
    });
    const { result } = await res.json();
    const path = `/v1/streams/${result.stream}`;
    const out = await gw.app.request(path);
    assert.equal(out.headers.get("content-type"), "application/octet-stream");
    const reader = out.body!.getReader();
    const send = (text: string) =>
      gw.app.request(path, {
        method: "POST",
        headers: { "content-type": "application/octet-stream" },
        body: text,
      });
    // A send settles once the driver took the piece: here, once the echo was read.
    for (const text of ["hello ", "world"]) {
      const echoed = reader.read();
      assert.equal((await send(text)).status, 204);
      assert.equal(new TextDecoder().decode((await echoed).value), text);
    }
    assert.equal((await gw.app.request(`${path}?finish`, { method: "POST" })).status, 204);
    assert.equal((await reader.read()).done, true);
    // Ended: no more sends.
    assert.equal((await send("late")).status, 400);
  } finally {
    await gw.close();
  }
});

Deno.test("streams belong to their caller and expire unused", async () => {
  const table = new StreamTable(30, 2);
  const { stream } = table.add("alice", { readable: new Blob(["x"]).stream() });
  assert.throws(() => table.read(stream, "bob"), /no such stream/);
  table.add("alice", { readable: new Blob(["y"]).stream() });
  assert.throws(
    () => table.add("alice", { readable: new Blob(["z"]).stream() }),
    /too many open streams/,
  );
  await new Promise((r) => setTimeout(r, 80));
  assert.throws(() => table.read(stream, "alice"), /no such stream/);
  table.closeAll();
});

Deno.test("another token cannot read a stream; its owner can drop it", async () => {
  const gw = await gateway({ alice: "alice-token", bob: "bob-token" });
  try {
    const res = await gw.app.request("/v1/echo/default/call/domainOpenConsole", {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Bearer alice-token" },
      body: JSON.stringify([DOM, null, 0]),
    });
    const { result } = await res.json();
    const bob = await gw.app.request(`/v1/streams/${result.stream}`, {
      headers: { authorization: "Bearer bob-token" },
    });
    assert.equal(bob.status, 400);
    assert.equal(
      (await bob.json()).message,
      "invalid argument: no such stream (ended or not yours)",
    );
    const alice = await gw.app.request(`/v1/streams/${result.stream}`, {
      method: "DELETE",
      headers: { authorization: "Bearer alice-token" },
    });
    assert.equal(alice.status, 204);
  } finally {
    await gw.close();
  }
});
