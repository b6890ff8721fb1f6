// The remote driver against an in-process gateway (an injected fetch into app.fetch): the
// same results and the identical VirError as in-process, events with reconnect and
// Last-Event-ID resume, tokens, URIs and transport errors.
import assert from "node:assert/strict";
import { waitFor } from "../wait.ts";
import { connect } from "../../host.ts";
import { VIR, VirError } from "../../mod.ts";
import { parseRemoteUri } from "../../client/remote/uri.ts";
import { resolveToken } from "../../client/remote/token.ts";
import type { RuntimeAdapter } from "../../client/transport/types.ts";
import { setRuntimeAdapter } from "../../client/transport/mod.ts";
import { fetchAdapter } from "../../client/transport/fetch.ts";
import { domainXml, inProcessFetch, startGateway, TOKENS } from "../gateway/helpers.ts";
import { session } from "./session.ts";

const URI = "test+http://gateway.test/default";

Deno.test("a remote connection gives the same results and identical errors as in-process", async () => {
  const local = await connect("test:///default");
  const expected = await session(local);
  await local.close();
  const gw = await startGateway();
  try {
    const remote = await connect(URI, { token: TOKENS.full, fetch: inProcessFetch(gw) });
    assert.deepEqual(await session(remote), expected);
    assert.equal(await remote.getURI(), "test:///default");
    await remote.close();
  } finally {
    await gw.close();
  }
});

Deno.test("open without a token or with a wrong one fails with AUTH_FAILED", async () => {
  const gw = await startGateway();
  try {
    // No environment and no token files: the caller really has no token.
    setRuntimeAdapter(fetchAdapter);
    try {
      for (const token of [undefined, "wrong"]) {
        const err = await connect(URI, { token, fetch: inProcessFetch(gw) }).catch((e) => e);
        assert.ok(err instanceof VirError);
        assert.equal(err.codeName, "VIR_ERR_AUTH_FAILED");
      }
    } finally {
      setRuntimeAdapter(undefined);
    }
    const ro = await connect(URI, { token: TOKENS.readOnly, fetch: inProcessFetch(gw) });
    const dom = await ro.lookupDomainByName("test");
    const err = await dom.destroyFlags(0).catch((e) => e);
    assert.equal(err.codeName, "VIR_ERR_OPERATION_DENIED");
    assert.equal(await dom.isActive(), true);
    await ro.close();
  } finally {
    await gw.close();
  }
});

Deno.test("events arrive through the gateway, in order, with live handles", async () => {
  const gw = await startGateway();
  try {
    const conn = await connect(URI, { token: TOKENS.full, fetch: inProcessFetch(gw) });
    const seen: string[] = [];
    conn.domainEventRegisterAny(null, VIR.DOMAIN_EVENT_ID_LIFECYCLE, (ev) => {
      seen.push(`${(ev.object as { name: string }).name}:${ev.data.event}`);
    });
    const dom = await conn.defineXMLFlags(domainXml("ev1"), 0);
    await dom.createWithFlags(0);
    await dom.destroyFlags(0);
    await waitFor(() => seen.length >= 3);
    assert.deepEqual(seen, [
      `ev1:${VIR.DOMAIN_EVENT_DEFINED}`,
      `ev1:${VIR.DOMAIN_EVENT_STARTED}`,
      `ev1:${VIR.DOMAIN_EVENT_STOPPED}`,
    ]);
    await conn.close();
  } finally {
    await gw.close();
  }
});

Deno.test("a dropped event stream reconnects and resumes with Last-Event-ID", async () => {
  const gw = await startGateway();
  const streams: { lastEventId: string | null; cut: () => void }[] = [];
  // Every event stream can be cut from the test, as a broken network would.
  const fetcher: typeof fetch = async (input, init) => {
    const req = new Request(input, init);
    const res = await gw.fetch(req);
    if (!req.url.endsWith("/events")) return res;
    const reader = res.body!.getReader();
    let cutNow = () => {};
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        cutNow = () => {
          reader.cancel();
          controller.error(new TypeError("connection reset"));
        };
      },
      async pull(controller) {
        const { done, value } = await reader.read();
        if (done) controller.close();
        else controller.enqueue(value);
      },
      cancel: () => reader.cancel(),
    });
    streams.push({ lastEventId: req.headers.get("last-event-id"), cut: () => cutNow() });
    return new Response(body, { headers: res.headers });
  };
  try {
    const conn = await connect(URI, { token: TOKENS.full, fetch: fetcher });
    const seen: string[] = [];
    conn.domainEventRegisterAny(null, VIR.DOMAIN_EVENT_ID_LIFECYCLE, (ev) => {
      seen.push((ev.object as { name: string }).name);
    });
    await conn.defineXMLFlags(domainXml("before"), 0);
    await waitFor(() => seen.length === 1);
    streams[0].cut();
    // Raised while the client is disconnected: only a resume can deliver these.
    const other = await connect("test:///default");
    await other.defineXMLFlags(domainXml("during1"), 0);
    await other.defineXMLFlags(domainXml("during2"), 0);
    await waitFor(() => seen.length === 3);
    assert.deepEqual(seen, ["before", "during1", "during2"]);
    assert.equal(streams.length, 2);
    assert.equal(streams[0].lastEventId, null);
    assert.match(streams[1].lastEventId!, /^[0-9a-f]{8}\.\d+$/);
    await other.close();
    await conn.close();
  } finally {
    await gw.close();
  }
});

Deno.test("transport failures and timeouts are typed libvirt errors", async () => {
  const refused: typeof fetch = () => Promise.reject(new TypeError("connection refused"));
  const err = await connect(URI, { token: "t", fetch: refused }).catch((e) => e);
  assert.ok(err instanceof VirError);
  assert.deepEqual([err.codeName, err.domainName], ["VIR_ERR_SYSTEM_ERROR", "VIR_FROM_RPC"]);
  const hang: typeof fetch = (_input, init) =>
    new Promise((_, reject) =>
      init?.signal?.addEventListener("abort", () => reject(init.signal!.reason))
    );
  const slow = await connect(URI, { token: "t", fetch: hang, timeoutMs: 20 }).catch((e) => e);
  assert.ok(slow instanceof VirError);
  assert.equal(slow.codeName, "VIR_ERR_OPERATION_TIMEOUT");
  const html: typeof fetch = () => Promise.resolve(new Response("<html>", { status: 502 }));
  const proxy = await connect(URI, { token: "t", fetch: html }).catch((e) => e);
  assert.equal(proxy.codeName, "VIR_ERR_RPC");
});

Deno.test("remote URIs parse like libvirt's and refuse credentials", () => {
  assert.deepEqual(parseRemoteUri(new URL("test+http://127.0.0.1:16510/default")), {
    transport: "http",
    origin: "http://127.0.0.1:16510",
    uri: "test:///default",
  });
  // Path and parameters go to the gateway as they are, as libvirt's test+tcp://host/abs/path.xml.
  assert.equal(
    parseRemoteUri(new URL("test+http://h/abs/node%20file.xml?x=1")).uri,
    "test:///abs/node%20file.xml?x=1",
  );
  assert.equal(parseRemoteUri(new URL("qemu+https://host/session")).origin, "https://host:16510");
  assert.equal(parseRemoteUri(new URL("test+http://[::1]:1/default")).origin, "http://[::1]:1");
  assert.deepEqual(parseRemoteUri(new URL("test+unix:///default?socket=/run/gw.sock")), {
    transport: "unix",
    origin: "http://localhost",
    uri: "test:///default",
    socket: "/run/gw.sock",
  });
  for (const bad of ["test+ssh://h/default", "test+http://u:p@h/default", "test+unix:///x"]) {
    const e = (() => {
      try {
        parseRemoteUri(new URL(bad));
      } catch (e) {
        return e;
      }
    })();
    assert.ok(e instanceof VirError, bad);
    assert.equal(e.codeName, "VIR_ERR_INVALID_ARG");
  }
});

Deno.test("the token comes from options, then EDGEVIRT_TOKEN, then token files", async () => {
  const adapter = (env: Record<string, string>, files: Record<string, string>): RuntimeAdapter => ({
    name: "fake",
    env: (k) => env[k],
    readTextFile: (p) => Promise.resolve(files[p]),
    unixFetch: () => Promise.reject(new Error("unused")),
  });
  const files = { "/cfg/edgevirt/token": "from-default\n", "/t": "from-file\n" };
  const env = { EDGEVIRT_TOKEN: "from-env", XDG_CONFIG_HOME: "/cfg" };
  assert.deepEqual(await resolveToken({ token: "opt" }, adapter(env, files)), { token: "opt" });
  assert.deepEqual(await resolveToken({}, adapter(env, files)), { token: "from-env" });
  assert.deepEqual(
    await resolveToken({ tokenFile: "/t" }, adapter({ HOME: "/h" }, files)),
    { token: "from-file" },
  );
  assert.deepEqual(
    await resolveToken({}, adapter({ XDG_CONFIG_HOME: "/cfg" }, files)),
    { token: "from-default" },
  );
  assert.deepEqual(await resolveToken({}, adapter({}, files)), {});
});

Deno.test("a token file that exists but cannot be read is never taken for a missing one", async () => {
  const denied: RuntimeAdapter = {
    name: "fake",
    env: (k) => ({ XDG_CONFIG_HOME: "/cfg" } as Record<string, string>)[k],
    readTextFile: () =>
      Promise.reject(new Deno.errors.PermissionDenied("Permission denied (os error 13)")),
    unixFetch: () => Promise.reject(new Error("unused")),
  };
  // The default file: no token, and the reason kept for the gateway's refusal.
  assert.deepEqual(await resolveToken({}, denied), {
    notRead: "the token file was not read: Failed to open file '/cfg/edgevirt/token': " +
      "PermissionDenied: Permission denied (os error 13)",
  });
  // A named file: libvirt's error at once.
  const err = await resolveToken({ tokenFile: "/t" }, denied).catch((e) => e);
  assert.ok(err instanceof VirError);
  assert.equal(err.codeName, "VIR_ERR_SYSTEM_ERROR");
  assert.equal(
    err.message,
    "Failed to open file '/t': PermissionDenied: Permission denied (os error 13)",
  );
});

Deno.test("an environment variable the runtime will not read is never taken for an unset one", async () => {
  // Deno's permission is per variable: here only HOME may be read.
  const env = (allowed: Record<string, string>): RuntimeAdapter["env"] => (k) => {
    if (k in allowed) return allowed[k];
    throw new Deno.errors.NotCapable(
      `Requires env access to "${k}", run again with the --allow-env flag`,
    );
  };
  const adapter = (allowed: Record<string, string>, files: Record<string, string>) => ({
    name: "fake",
    env: env(allowed),
    readTextFile: (p: string) => Promise.resolve(files[p]),
    unixFetch: () => Promise.reject(new Error("unused")),
  });
  const refused = 'NotCapable: Requires env access to "EDGEVIRT_TOKEN", run again with the ' +
    "--allow-env flag";
  // A refused variable does not hide a token that the readable ones lead to.
  assert.deepEqual(
    await resolveToken({}, adapter({ HOME: "/h" }, { "/h/.config/edgevirt/token": "t\n" })),
    { token: "t" },
  );
  assert.deepEqual(await resolveToken({}, adapter({ HOME: "/h" }, {})), {
    notRead:
      `the environment was not read (EDGEVIRT_TOKEN, EDGEVIRT_TOKEN_FILE, XDG_CONFIG_HOME): ${refused}`,
  });
  assert.deepEqual(await resolveToken({}, adapter({}, {})), {
    notRead:
      "the environment was not read (EDGEVIRT_TOKEN, EDGEVIRT_TOKEN_FILE, XDG_CONFIG_HOME, " +
      `HOME): ${refused}`,
  });
  assert.deepEqual(await resolveToken({ tokenFile: "/t" }, adapter({}, { "/t": "f" })), {
    token: "f",
  });
});
