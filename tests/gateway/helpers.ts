/**
 * Shared set-up for the gateway tests: an in-process gateway over the real `test:///default`
 * with three callers (full, read-only, and one restricted by per-object rules), plus a fetch
 * that goes straight into the app.
 *
 * @module
 */
import { createGateway, type DriverSpec, type Gateway } from "../../gateway/app.ts";
import { hostDrivers } from "../../host.ts";
import type { AclRule } from "../../gateway/acl.ts";
import { hashToken, TokenStore } from "../../gateway/tokens.ts";
import type { Limits } from "../../gateway/limits.ts";
import { serveGuarded } from "../../gateway/guarded_listener.ts";
import { RPC_SOCKET_PATH, RPC_SUBPROTOCOL } from "../../protocol/ws_protocol.ts";
import type { DriverEvent } from "../../util/driver.ts";
import type { DriverRegistry } from "../../util/registry.ts";
import type { VirErrorJSON } from "../../util/errors.ts";

/** Clear-text tokens of the test callers. */
export const TOKENS = {
  full: "full-token",
  readOnly: "read-only-token",
  restricted: "restricted-token",
};

/** The restricted caller: full rights on domains named `web-*` and nothing else. */
export const RESTRICTED_RULES: AclRule[] = [{ action: "*", family: "domain", match: "web-*" }];

/**
 * A gateway over a fresh `test:///default` with the three callers; or over `drivers`, whose
 * sessions open through `registry` (the host's drivers by default).
 */
export async function startGateway(
  limits?: Partial<Limits>,
  drivers: DriverSpec[] = ["test:///default"],
  registry: DriverRegistry = hostDrivers(),
): Promise<Gateway> {
  const store = new TokenStore([
    { name: "full", sha256: await hashToken(TOKENS.full), role: "full" },
    { name: "ro", sha256: await hashToken(TOKENS.readOnly), role: "read-only" },
    {
      name: "web",
      sha256: await hashToken(TOKENS.restricted),
      role: "full",
      rules: RESTRICTED_RULES,
    },
  ]);
  return await createGateway({
    drivers,
    registry,
    auth: store,
    limits,
  });
}

/** A `fetch` that hands requests to the gateway in-process (what the client gets injected). */
export function inProcessFetch(gw: Gateway): typeof fetch {
  return (input, init) => gw.fetch(new Request(input, init));
}

/** POSTs an RPC call; returns status and parsed body. */
export async function rpc(
  gw: Gateway,
  method: string,
  args: unknown,
  token?: string,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  const res = await gw.app.request(`/v1/test/default/call/${method}`, {
    method: "POST",
    headers,
    body: typeof args === "string" ? args : JSON.stringify(args),
  });
  return { status: res.status, body: await res.json() };
}

/** A request to the HTTP session routes (`/v1/sessions…`); returns status and parsed body. */
export async function sessionRequest(
  gw: Gateway,
  method: "POST" | "GET" | "DELETE",
  path: string,
  body?: unknown,
  token?: string,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  const res = await gw.app.request(`/v1/sessions${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : {} };
}

/** Domain XML for a new persistent domain. */
export function domainXml(name: string): string {
  return `<domain type='test'><name>${name}</name><memory>65536</memory><vcpu>1</vcpu>` +
    `<os><type>hvm</type></os></domain>`;
}

/** Everything observable about the driver's domains, to prove a refused call changed nothing. */
export async function snapshot(gw: Gateway): Promise<string> {
  const { body } = await rpc(gw, "connectListAllDomains", [0], TOKENS.full);
  const doms = body.result as { name: string }[];
  const parts: unknown[] = [];
  for (const d of doms) {
    parts.push(d, (await rpc(gw, "domainGetXMLDesc", [d, 0], TOKENS.full)).body.result);
    parts.push((await rpc(gw, "domainGetInfo", [d], TOKENS.full)).body.result);
  }
  const nets = (await rpc(gw, "connectListAllNetworks", [0], TOKENS.full)).body.result;
  const pools = (await rpc(gw, "connectListAllStoragePools", [0], TOKENS.full)).body.result;
  return JSON.stringify({ parts, nets, pools }, (k, v) => (k === "cpuTime" ? 0 : v));
}

/**
 * The in-process gateway on a loopback port (WebSockets need a real server), and with `unix`
 * on a unix socket in a temporary directory too (`test+unix:///default?socket=…`).
 */
export async function serveGateway(
  gw: Gateway,
  opts: { unix?: boolean } = {},
): Promise<{ port: number; socket?: string; close(): Promise<void> }> {
  // TCP as `gateway/main.ts` serves it: behind the guarded listener, which answers WebSockets
  // and calls itself.
  const server = await serveGuarded({ hostname: "127.0.0.1", port: 0, calls: gw.calls }, gw.fetch);
  const socket = opts.unix
    ? `${Deno.makeTempDirSync({ prefix: "edgevirt-gw-" })}/gw.sock`
    : undefined;
  const unix = socket
    ? Deno.serve({ path: socket, transport: "unix", onListen() {} }, gw.fetch)
    : undefined;
  return {
    port: server.addr.port,
    socket,
    async close() {
      gw.endStreams();
      await Promise.all([server.shutdown(), unix?.shutdown()]);
      if (socket) await Deno.remove(socket.replace(/\/gw\.sock$/, ""), { recursive: true });
    },
  };
}

/** One raw RPC WebSocket: `call` answers `{result}` or `{error}` by id; events are collected. */
export interface RawRpcSocket {
  /** The answer to the session's `open`. */
  opened: Promise<{ result?: unknown; error?: VirErrorJSON }>;
  call(method: string, args: unknown): Promise<{ result?: unknown; error?: VirErrorJSON }>;
  request(body: Record<string, unknown>): Promise<{ result?: unknown; error?: VirErrorJSON }>;
  events: { eid: string; event: DriverEvent }[];
  closed: Promise<CloseEvent>;
  send(text: string): void;
  close(): void;
}

/**
 * Opens an RPC socket to a served gateway, presenting `token` in the first message, and sends
 * the session's `open` of `uri` without waiting for it (calls queue behind it).
 */
export async function rawRpcSocket(
  port: number,
  token?: string,
  uri = "test:///default",
): Promise<RawRpcSocket> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}${RPC_SOCKET_PATH}`, RPC_SUBPROTOCOL);
  const closed = new Promise<CloseEvent>((r) => ws.addEventListener("close", r));
  await new Promise((resolve, reject) => {
    ws.onopen = resolve;
    ws.onerror = reject;
  });
  if (token !== undefined) ws.send(JSON.stringify({ auth: token }));
  const waiting = new Map<number, (m: { result?: unknown; error?: VirErrorJSON }) => void>();
  const events: RawRpcSocket["events"] = [];
  ws.onmessage = (e) => {
    const msg = JSON.parse(e.data);
    if (msg.eid) events.push(msg);
    else waiting.get(msg.id)?.(msg);
  };
  let next = 1;
  const request = (body: Record<string, unknown>) => {
    const id = next++;
    return new Promise<{ result?: unknown; error?: VirErrorJSON }>((resolve) => {
      waiting.set(id, resolve);
      ws.send(JSON.stringify({ ...body, id }));
    });
  };
  return {
    opened: request({ open: uri }),
    call: (method, args) => request({ method, args }),
    request,
    events,
    closed,
    send: (text) => ws.send(text),
    close: () => ws.close(),
  };
}
