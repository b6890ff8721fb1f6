import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { etag } from "hono/etag";
import type { DriverConnection, DriverHistogramFamily, DriverMethod } from "../util/driver.ts";
import type { DriverRegistry } from "../util/registry.ts";
import { VirError } from "../util/errors.ts";
import type { Principal } from "./acl.ts";
import { type AuthConfig, authenticate } from "./auth.ts";
import { cors } from "./cors.ts";
import { guard, guardRefusal } from "./guard.ts";
import { callRoute, describe, dispatch } from "./dispatch.ts";
import { markEvents, sseResponse, wsResponse } from "./event_stream.ts";
import { errorResponse, jsonResponse } from "./http_status.ts";
import { allowedMethods } from "./allowed_methods.ts";
import { CallGate, DEFAULT_LIMITS, type Limits } from "./limits.ts";
import { openApiDocument } from "./openapi.ts";
import { rpcSocket } from "./rpc_socket.ts";
import { RPC_SOCKET_PATH, STREAM_PATH } from "../protocol/ws_protocol.ts";
import { ServedUri } from "./served_uri.ts";
import { SessionTable } from "./session_table.ts";
import { sessionCall, sessionRoutes } from "./session_routes.ts";
import type { CallRequest, InProcessCalls } from "./call_request.ts";
import { callFastPath } from "./fast_path.ts";
import { StreamTable } from "./stream_table.ts";
import { streamPost, streamRoutes } from "./stream_routes.ts";
import { uiRoutes } from "./ui_routes.ts";
import { modelCodec } from "./models.ts";
import { documentBody, representation } from "./negotiate.ts";
import { type ActionCall, flagsOf, RESOURCES, VOLUMES } from "./rest.ts";
import { OperationTable } from "./operations.ts";
import { accepted, answersAsync, operationRoutes } from "./operation_routes.ts";
import { listObjects, summarize } from "./rest_list.ts";
import { definitionBody, putDefinition, withTag } from "./rest_define.ts";
import { definitionTag } from "./etag.ts";
import { defaultVirtType } from "./json_defaults.ts";
import { parseStoragePoolXML } from "../conf/storage_pool/mod.ts";
import { VIR } from "../util/constants.ts";
import { LIBVIRT_VERSION } from "../util/lib_version.ts";
import { type GaugeSamples, Metrics } from "./metrics.ts";
import { type LogLevel, requestLogger } from "./request_log.ts";
import { requestPath, routeTemplate } from "./route_template.ts";

/** The gateway's HTTP API version (the `/v1` prefix). */
export const API_VERSION = "v1";

/** A driver to serve: a URI the gateway opens, or a connection already open. */
export type DriverSpec = string | { uri: string; driver: DriverConnection };

/** What {@link createGateway} takes. */
export interface GatewayOptions {
  /**
   * URIs to serve (`test:///default`): open to every caller's sessions, and behind the REST
   * routes at `/v1/{driver}/{path}`, which share one connection opened on demand.
   */
  drivers: DriverSpec[];
  /** The drivers the gateway runs: sessions open URIs of their schemes, and no others. */
  registry: DriverRegistry;
  /** A token store, or `"none"` (the caller decides where that is safe). */
  auth: AuthConfig;
  limits?: Partial<Limits>;
  /**
   * `https` when clients reach the gateway over TLS: behind the guarded TCP listener the
   * request URL Deno gives says neither (`http+unix://`), so links the gateway writes for
   * callers (OpenAPI's `servers`) take the scheme from here and the host from `Host`.
   */
  scheme?: "http" | "https";
  /** Web origins whose pages may call the gateway from a browser (CORS); none by default. */
  corsOrigins?: readonly string[];
  /** Host names to answer to (`Host`, port ignored); any when undefined. See `guard.ts`. */
  hosts?: readonly string[];
  /** Request logs: `off` by default. See `request_log.ts`. */
  logLevel?: LogLevel;
  /** Where log lines go; stderr by default. */
  log?: (line: string) => void;
}

/** A running gateway: a hono app plus the sessions (driver connections) it holds. */
export interface Gateway {
  app: Hono<Env>;
  /** The app's fetch handler, for `Deno.serve`, a `fetch` injected into the client, or tests. */
  fetch: (req: Request) => Promise<Response>;
  /**
   * The calls `fetch` answers ahead of the router, for a listener that reads requests itself
   * (undefined when CORS is on: then every answer takes the router's CORS middleware).
   */
  calls?: InProcessCalls;
  served: ReadonlyMap<string, ServedUri>;
  /** Every open session: clients' (WebSocket, HTTP) and the REST routes' own. */
  sessions: SessionTable;
  /** Ends every event stream, so that a server can shut down without waiting for them. */
  endStreams(): void;
  /** Ends the event streams and closes every session's driver connection. */
  close(): Promise<void>;
}

type Env = { Variables: { served: ServedUri; principal: Principal } };

const json = jsonResponse;
const xml = (text: string) =>
  new Response(text, { headers: { "content-type": "application/xml; charset=utf-8" } });

/** The served path for a URI: `test:///default` → `test/default`. */
export function servedPath(uri: string): string {
  const url = new URL(uri);
  return `${url.protocol.replace(/:$/, "")}/${url.pathname.replace(/^\/+|\/+$/g, "")}`;
}

/**
 * Builds the gateway: libvirtd over HTTP. Every driver method is callable as RPC
 * (`POST /v1/{driver}/{path}/call/{method}` with a JSON array of arguments), the main objects
 * are REST resources, events stream as SSE and WebSocket, and `GET /v1/openapi.json`
 * documents it all. Use `gateway.fetch` with `Deno.serve`, or `app.request()` in tests.
 *
 * @example
 * ```ts
 * import { createGateway } from "./app.ts";
 * import { testConnectDriver } from "../drivers/simulator/mod.ts";
 * import { createRegistry } from "../util/registry.ts";
 * const gw = await createGateway({
 *   drivers: ["test:///default"],
 *   registry: createRegistry([testConnectDriver]),
 *   auth: "none",
 * });
 * const res = await gw.app.request("/v1/test/default/call/connectListAllDomains", {
 *   method: "POST",
 *   body: "[0]",
 * });
 * console.log(await res.json());
 * await gw.close();
 * ```
 */
export async function createGateway(options: GatewayOptions): Promise<Gateway> {
  const limits: Limits = { ...DEFAULT_LIMITS, ...options.limits };
  const gate = new CallGate(limits.maxConcurrent, limits.maxQueued, limits.callTimeoutMs);
  // About one stream waiting for its data per session, each for as long as a call may take.
  const streams = new StreamTable(limits.callTimeoutMs, limits.maxSessions);
  const uris = options.drivers.map((spec) => new URL(typeof spec === "string" ? spec : spec.uri));
  const sessions = new SessionTable(
    limits,
    new Set(uris.map((u) => u.href)),
    options.registry,
  );
  const served = new Map<string, ServedUri>();
  for (const [i, spec] of options.drivers.entries()) {
    const uri = uris[i].href;
    let driver: DriverConnection | undefined;
    let type: string;
    if (typeof spec === "string") {
      // Opened once to refuse a bad URI at start and learn its type, then closed: sessions and
      // the REST routes open their own.
      const probe = await sessions.open({ kind: "rest", uri });
      type = probe.driver.type;
      await sessions.close(probe);
    } else ({ driver, type } = { driver: spec.driver, type: spec.driver.type });
    served.set(
      servedPath(uri),
      new ServedUri({ path: servedPath(uri), uri, type, driver }, sessions),
    );
  }

  const metrics = new Metrics(routeTemplate);
  const app = new Hono<Env>();
  // First, so that preflights (which carry no token) are answered before authentication.
  if (options.corsOrigins?.length) app.use("*", cors(options.corsOrigins));
  const guarded = { origins: options.corsOrigins ?? [], hosts: options.hosts };
  app.use("*", guard(guarded));
  app.onError((e) => errorResponse(e));
  const allowed = allowedMethods(() => app.routes);
  app.notFound((c) => {
    const methods = allowed(c.req.path);
    if (!methods.length) {
      return json(
        VirError.report("RPC", "RPC", `no such resource: ${c.req.method} ${c.req.path}`),
        404,
      );
    }
    const refusal = `method ${c.req.method} is not allowed on ${c.req.path}`;
    const res = json(VirError.report("RPC", "OPERATION_UNSUPPORTED", refusal), 405);
    res.headers.set("allow", methods.join(", "));
    return res;
  });

  uiRoutes(app);
  app.get("/", () =>
    json({
      name: "edgevirt",
      api: API_VERSION,
      libvirt: LIBVIRT_VERSION,
      drivers: [...served.values()].map((s) => ({
        path: s.path,
        uri: s.uri,
        type: s.type,
        base: `/${API_VERSION}/${s.path}`,
      })),
      extensions: [
        "rpc",
        "rpc-websocket",
        "sessions",
        "rest",
        "events-sse",
        "events-websocket",
        "openapi",
        "acl",
      ],
      openapi: `/${API_VERSION}/openapi.json`,
    }));
  // As libvirtd's, no credentials: a probe for load balancers and service managers.
  app.get(
    "/healthz",
    () => json({ status: "ok", drivers: [...served.values()].map((s) => s.uri) }),
  );
  // Like libvirt's admin API, for full-role callers only.
  app.get("/metrics", async (c) => {
    const principal = await authenticate(options.auth, c.req.raw.headers);
    if (principal.role !== "full") {
      throw VirError.report("RPC", "OPERATION_DENIED", "the metrics need a full-role token");
    }
    const text = metrics.render([
      {
        name: "edgevirt_sessions_open",
        help: "Open sessions (driver connections), by kind.",
        samples: sessionsByKind(sessions),
      },
      {
        name: "edgevirt_event_streams_open",
        help: "Open event streams.",
        samples: [{ labels: {}, value: sessions.streams }],
      },
      {
        name: "edgevirt_driver_calls_in_progress",
        help: "Driver calls under way, including those whose caller went away.",
        samples: [{ labels: {}, value: gate.active }],
      },
      {
        name: "edgevirt_domains",
        help: "Domains of each served URI, by state.",
        samples: await domainsByState(served),
      },
    ], await driverHistograms(served));
    return new Response(text, { headers: { "content-type": "text/plain; version=0.0.4" } });
  });
  // Its `servers` entry is where the caller reached the gateway; one document per origin. A
  // megabyte that changes only with the gateway: hono's etag lets clients revalidate it (304).
  const openapi = new Map<string, unknown>();
  app.use(`/${API_VERSION}/openapi.json`, etag());
  app.get(`/${API_VERSION}/openapi.json`, (c) => {
    const url = new URL(c.req.url);
    const scheme = options.scheme ?? (url.protocol === "https:" ? "https" : "http");
    const origin = `${scheme}://${c.req.header("host") ?? url.host}`;
    if (!openapi.has(origin)) openapi.set(origin, openApiDocument([...served.keys()], origin));
    return json(openapi.get(origin));
  });

  const base = `/${API_VERSION}/:driver/:path`;
  const servedAt = (path: string) => {
    const s = served.get(path);
    if (!s) throw VirError.report("RPC", "NO_CONNECT", `no driver is served at /${path}`);
    return s;
  };
  const sockets = { open: 0, unauthenticated: 0 };
  // Before the auth middleware: the socket's token may come in its first message.
  app.get(RPC_SOCKET_PATH, (c) => {
    if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
      throw VirError.report("RPC", "RPC", "the RPC socket needs a WebSocket upgrade");
    }
    return rpcSocket(c.req.raw, { sessions, auth: options.auth, gate, limits, sockets, streams });
  });
  const tooBig = () =>
    json(
      VirError.report("RPC", "INVALID_ARG", `request body exceeds ${limits.maxBodyBytes} bytes`),
      413,
    );
  app.use(`${STREAM_PATH}/*`, bodyLimit({ maxSize: limits.maxBodyBytes, onError: tooBig }));
  streamRoutes(app, { auth: options.auth, streams });
  app.use(
    `/${API_VERSION}/sessions/*`,
    bodyLimit({ maxSize: limits.maxBodyBytes, onError: tooBig }),
  );
  sessionRoutes(app, { sessions, auth: options.auth, gate, limits, streams });
  const operations = new OperationTable();
  operationRoutes(app, { operations, auth: options.auth });
  app.use(`${base}/*`, bodyLimit({ maxSize: limits.maxBodyBytes, onError: tooBig }));
  const resolve = async (c: {
    req: { param(k: string): string; raw: Request };
    set<K extends keyof Env["Variables"]>(k: K, v: Env["Variables"][K]): void;
  }) => {
    c.set("served", servedAt(`${c.req.param("driver")}/${c.req.param("path")}`));
    c.set("principal", await authenticate(options.auth, c.req.raw.headers));
  };
  // Hono's `/*` also matches the bare base path.
  app.use(`${base}/*`, async (c, next) => {
    await resolve(c);
    await next();
  });

  const call = async (
    c: { get<K extends keyof Env["Variables"]>(k: K): Env["Variables"][K] },
    method: DriverMethod,
    args: unknown[],
  ) => dispatch((await c.get("served").session()).driver, c.get("principal"), gate, method, args);

  app.get(base, async (c) => {
    const s = c.get("served");
    return json(describe((await s.session()).driver, s.uri));
  });

  const callServed = async (
    s: ServedUri,
    principal: Principal,
    method: string,
    req: CallRequest,
  ) => {
    const session = await s.session();
    return markEvents(session.events, principal, () =>
      callRoute(
        method,
        () => req.json(),
        (m, args) => dispatch(session.driver, principal, gate, m, args, streams),
      ));
  };
  app.post(
    `${base}/call/:method`,
    (c) => callServed(c.get("served"), c.get("principal"), c.req.param("method"), c.req.raw),
  );

  app.get(`${base}/events`, async (c) => {
    const s = await c.get("served").session();
    if (sessions.streams >= limits.maxStreams) {
      throw VirError.report("RPC", "RESOURCE_BUSY", "too many event streams");
    }
    if (c.req.header("upgrade")?.toLowerCase() === "websocket") {
      const protocol = c.req.header("sec-websocket-protocol")?.split(",").map((p) => p.trim())
        .find((p) => p.startsWith("bearer."));
      return wsResponse(c.req.raw, s.events, c.get("principal"), protocol);
    }
    return sseResponse(s.events, c.get("principal"), c.req.header("last-event-id") ?? null);
  });

  // ---- REST ----
  app.get(`${base}/node`, async (c) => {
    const [info, hostname] = await Promise.all([
      call(c, "nodeGetInfo", []),
      call(c, "connectGetHostname", []).catch(() => null),
    ]);
    return json({ type: c.get("served").type, hostname, info });
  });
  app.get(`${base}/node/capabilities`, async (c) => {
    return xml(await call(c, "connectGetCapabilities", []) as string);
  });

  // Before the resources: `pools/:name/:action` would take `pools/{pool}/volumes` otherwise.
  const vols = `${base}/pools/:pool/volumes`;
  type PoolContext = Parameters<typeof call>[0] & { req: { param(k: string): string } };
  const pool = (c: PoolContext) => call(c, "storagePoolLookupByName", [c.req.param("pool")]);
  // A volume's model depends on its pool's type.
  const volumeCodec = async (c: PoolContext, ref: unknown) =>
    modelCodec(
      VOLUMES.model,
      parseStoragePoolXML(await call(c, "storagePoolGetXMLDesc", [ref, 0]) as string),
    );
  app.get(vols, async (c) => json(await call(c, VOLUMES.list, [await pool(c), 0])));
  app.post(vols, async (c) => {
    const ref = await pool(c);
    const body = await documentBody(c.req.raw, async (m) => (await volumeCodec(c, ref)).toXml(m));
    const q = new URL(c.req.url).searchParams;
    return json(await call(c, VOLUMES.create, [ref, body, flagsOf(q)]), 201);
  });
  app.get(`${vols}/:name`, async (c) => {
    const poolRef = await pool(c);
    const ref = await call(c, VOLUMES.lookup, [poolRef, c.req.param("name")]);
    const wanted = representation(c.req.raw);
    if (wanted !== "summary") {
      const doc = await call(c, VOLUMES.xml, [ref, 0]) as string;
      return wanted === "xml" ? xml(doc) : json((await volumeCodec(c, poolRef)).toModel(doc));
    }
    return json({ ...ref as object, info: await call(c, VOLUMES.info, [ref]) });
  });
  app.delete(`${vols}/:name`, async (c) => {
    const ref = await call(c, VOLUMES.lookup, [await pool(c), c.req.param("name")]);
    await call(c, VOLUMES.delete, [ref, flagsOf(new URL(c.req.url).searchParams)]);
    return new Response(null, { status: 204 });
  });

  for (const r of RESOURCES) {
    const col = `${base}/${r.segment}`;
    const lookup = (c: Parameters<typeof call>[0], name: string) => call(c, r.lookup, [name]);
    const caller = (c: Parameters<typeof call>[0]) => (m: DriverMethod, a: unknown[]) =>
      call(c, m, a);
    app.get(
      col,
      async (c) => json(await listObjects(r, caller(c), new URL(c.req.url).searchParams)),
    );
    const defining = async (c: Parameters<typeof call>[0] & { req: { raw: Request } }) => ({
      req: c.req.raw,
      virtType: defaultVirtType(c.get("served").type, await hasKvm()),
      call: caller(c),
    });
    app.post(col, async (c) => {
      const body = await definitionBody(r, await defining(c));
      const q = new URL(c.req.url).searchParams;
      const transient = q.get("transient") === "1" || q.get("transient") === "true";
      if (transient && !r.create) {
        throw VirError.report("RPC", "NO_SUPPORT", `transient ${r.title} creation`);
      }
      const method = transient ? r.create! : r.define;
      return json(await call(c, method, [body, flagsOf(q)]), 201);
    });
    app.get(`${col}/:name`, async (c) => {
      const ref = await lookup(c, c.req.param("name"));
      const q = new URL(c.req.url).searchParams;
      const wanted = representation(c.req.raw);
      if (wanted !== "summary") {
        const doc = await call(c, r.xml, [ref, flagsOf(q)]) as string;
        const res = wanted === "xml" ? xml(doc) : json(modelCodec(r.model).toModel(doc));
        res.headers.set("etag", await definitionTag(r, ref, caller(c)));
        return res;
      }
      return withTag(r, ref, caller(c), await summarize(r, ref, caller(c)));
    });
    app.put(
      `${col}/:name`,
      async (c) => putDefinition(r, c.req.param("name"), await defining(c)),
    );
    app.delete(`${col}/:name`, async (c) => {
      const ref = await lookup(c, c.req.param("name"));
      const [method, args] = r.undefine(ref, new URL(c.req.url).searchParams);
      await call(c, method, args);
      return new Response(null, { status: 204 });
    });
    // A resource without actions (secrets) has no such route, nor a document entry for it.
    if (!Object.keys(r.actions).length) continue;
    app.post(`${col}/:name/:action`, async (c) => {
      const action = r.actions[c.req.param("action")];
      if (!action || !Object.hasOwn(r.actions, c.req.param("action"))) {
        const known = Object.keys(r.actions).join(", ");
        return json(
          VirError.report("RPC", "RPC", `unknown ${r.title} action (known: ${known})`),
          404,
        );
      }
      const name = c.req.param("name");
      const ref = await lookup(c, name);
      const q = new URL(c.req.url).searchParams;
      const [method, args] = action(ref, q);
      const verb = c.req.param("action");
      if (answersAsync(r.long?.includes(verb) ?? false, c.get("served").type, c.req.raw)) {
        const run = (a?: ActionCall) => a && (() => call(c, ...a(ref, q)));
        const abort = run(r.abort?.[verb]);
        const progress = run(r.progress);
        return accepted(operations, {
          owner: c.get("principal").name,
          description: `${verb} ${r.title} ${name}`,
          resource: new URL(c.req.url).pathname.replace(/\/[^/]+$/, ""),
          run: () => call(c, method, args),
          cancel: abort && (async () => void await abort()),
          progress: progress && (async () => await progress() as Record<string, unknown>),
        });
      }
      const result = await call(c, method, args);
      return json(result === undefined ? {} : { result });
    });
  }

  const endStreams = () => {
    for (const s of sessions.values()) s.events.close();
  };
  // Calls skip the router and its middleware (the guard's rules, then the same handlers); with
  // CORS on, every answer goes through the CORS middleware, so everything takes the router.
  const fastCall = options.corsOrigins?.length ? undefined : callFastPath({
    refusal: guardRefusal(guarded),
    session: sessionCall({ sessions, auth: options.auth, gate, limits, streams }),
    async served(req, path, method) {
      const s = servedAt(path);
      return callServed(s, await authenticate(options.auth, req.headers), method, req);
    },
    stream: (req, id) => streamPost({ auth: options.auth, streams }, req, id),
  }, limits.maxBodyBytes);
  const logger = requestLogger(options.logLevel ?? "off", options.log ?? console.error);
  // Every answer is counted here, the fast path's included; latency is to the response head.
  const observed = async (req: CallRequest, handle: () => Promise<Response>) => {
    const start = performance.now();
    const id = logger?.id(req);
    const res = await handle();
    const ms = performance.now() - start;
    const path = requestPath(req.url);
    metrics.observe(req.method, path, res.status, ms / 1000);
    if (logger) {
      const route = routeTemplate(path);
      logger.write(id!, { method: req.method, route, path, status: res.status, ms });
      // A WebSocket upgrade's headers cannot be changed: it goes without the id.
      if (res.status !== 101) res.headers.set("x-request-id", id!);
    }
    return res;
  };
  const fetch = (req: Request) =>
    observed(req, async () => fastCall?.takes(req) ? fastCall.answer(req) : await app.fetch(req));
  return {
    app,
    fetch,
    calls: fastCall && {
      takes: fastCall.takes,
      answer: (req) => observed(req, () => fastCall.answer(req)),
    },
    served,
    sessions,
    endStreams,
    close: () => {
      streams.closeAll();
      return sessions.closeAll();
    },
  };
}

/** Whether this host offers KVM (JSON domain definitions then default to `kvm`). */
let kvm: Promise<boolean> | undefined;
function hasKvm(): Promise<boolean> {
  return kvm ??= Deno.stat("/dev/kvm").then(() => true, () => false);
}

function sessionsByKind(sessions: SessionTable): GaugeSamples {
  const counts = new Map<string, number>();
  for (const s of sessions.values()) counts.set(s.kind, (counts.get(s.kind) ?? 0) + 1);
  return [...counts].map(([kind, value]) => ({ labels: { kind }, value }));
}

const DOMAIN_STATES = [
  ["running", VIR.CONNECT_LIST_DOMAINS_RUNNING],
  ["paused", VIR.CONNECT_LIST_DOMAINS_PAUSED],
  ["shutoff", VIR.CONNECT_LIST_DOMAINS_SHUTOFF],
  ["other", VIR.CONNECT_LIST_DOMAINS_OTHER],
] as const;

/** Four filtered lists per served URI (libvirt filters by state itself): no per-domain call. */
async function domainsByState(served: ReadonlyMap<string, ServedUri>): Promise<GaugeSamples> {
  const samples: { labels: Record<string, string>; value: number }[] = [];
  for (const s of served.values()) {
    const { driver } = await s.session();
    // A driver without domains (storage, secrets) has none to count.
    if (!driver.connectListAllDomains) continue;
    for (const [state, flag] of DOMAIN_STATES) {
      const domains = await driver.connectListAllDomains(flag);
      samples.push({ labels: { uri: s.uri, state }, value: domains.length });
    }
  }
  return samples;
}

/**
 * The histograms the served drivers keep (the QEMU monitor's latency), each sample labelled
 * with its URI; families of the same name from several URIs are merged.
 */
async function driverHistograms(
  served: ReadonlyMap<string, ServedUri>,
): Promise<DriverHistogramFamily[]> {
  const families = new Map<string, DriverHistogramFamily>();
  for (const s of served.values()) {
    const { driver } = await s.session();
    for (const f of driver.driverMetrics?.() ?? []) {
      let merged = families.get(f.name);
      if (!merged) families.set(f.name, merged = { ...f, samples: [] });
      merged.samples.push(...f.samples.map((x) => ({ ...x, labels: { uri: s.uri, ...x.labels } })));
    }
  }
  return [...families.values()];
}
