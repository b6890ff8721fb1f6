/**
 * Sends the wire fuzzer's inputs (`wire_fuzz_inputs.ts`) to a gateway and counts what must
 * never happen: a 500 (or an RPC-socket answer with a 500's code) for bad input, an answer
 * slower than 5 s, an RPC socket that ends without a close frame, and any change made by a
 * caller who may not make it — the whole state of the attacked URI (`test:///default` or
 * `qemu:///session`; with the target's own view of what the wire does not show, such as the
 * QEMU driver's definition files) and the full caller's session and operations are compared
 * before and after each run of one role's inputs, and the events of the run on every channel
 * (RPC WebSocket, SSE, the client's callbacks: `event_watch.ts`) are taken: read-only and
 * unauthenticated callers may change and emit nothing, the `web-*`-only caller nothing else.
 * The gateway's crashes are the caller's to count (a process exit, an unhandled rejection).
 *
 * @module
 */
import assert from "node:assert/strict";
import { callStatus, httpStatus } from "../../gateway/http_status.ts";
import { CONTRACT, type FamilyName, isContractMethod } from "../../util/contract/mod.ts";
import { RPC_SOCKET_PATH, RPC_SUBPROTOCOL } from "../../protocol/ws_protocol.ts";
import { VirError } from "../../util/errors.ts";
import { VIR } from "../../util/constants.ts";
import type { Gateway } from "../../gateway/app.ts";
import { serveGateway, TOKENS } from "./helpers.ts";
import { type EventWatch, watchEvents } from "./event_watch.ts";
import {
  basePath,
  domainDocument,
  type FuzzInput,
  fuzzInputs,
  type FuzzUri,
  type HttpInput,
  type KnownRefs,
  type Role,
  type WsInput,
} from "./wire_fuzz_inputs.ts";

/** An answer slower than this is a hang. */
export const HANG_MS = 5000;

/** What a run found. */
export interface FuzzTally {
  inputs: number;
  byVia: Record<string, number>;
  byStatus: Record<string, number>;
  /** 5xx answers other than 501, 503, 504 (unsupported, busy, timeout): each a bug. */
  serverErrors: string[];
  hangs: string[];
  /** RPC sockets that ended without a close frame (the client saw the connection drop). */
  dropped: string[];
  /** Changes by callers who may not make them: the run's role and its answered inputs. */
  forbiddenChanges: string[];
}

/** What the runner needs of a gateway. */
export interface FuzzTarget {
  /** Sends one request (in-process: the gateway's own fetch). */
  fetch(req: Request): Promise<Response>;
  /** Where WebSocket inputs go; without it they are not sent. */
  wsPort?: number;
  /** The origin of requests (`http://127.0.0.1` by default: the in-process gateway's). */
  origin?: string;
  tokens: Record<Role, string>;
  /** The attacked URI (`test:///default` by default). */
  uri?: FuzzUri;
  /**
   * What the wire does not show, by name (the QEMU driver's definition files), compared with
   * the rest of the state.
   */
  hostState?: () => Promise<Map<string, string>>;
  /** The events on every channel: an unprivileged caller's run must emit none. */
  events?: EventWatch;
}

/** Runs inputs against one gateway, keeping each role's latest session and stream. */
export class FuzzRunner {
  readonly tally: FuzzTally = {
    inputs: 0,
    byVia: {},
    byStatus: {},
    serverErrors: [],
    hangs: [],
    dropped: [],
    forbiddenChanges: [],
  };
  #sessions = new Map<Role, string>();
  #streams = new Map<Role, string>();
  #run: { role: Role; before: Map<string, string>; answered: string[] } | undefined;
  #inFlight: Promise<void>[] = [];

  constructor(readonly target: FuzzTarget) {}

  get #origin(): string {
    return this.target.origin ?? "http://127.0.0.1";
  }

  get #uri(): FuzzUri {
    return this.target.uri ?? "test:///default";
  }

  /** A full-token request, answered with its status and body text. */
  async #full(path: string, body?: unknown): Promise<string> {
    const res = await this.target.fetch(
      new Request(`${this.#origin}${path}`, {
        method: body === undefined ? "GET" : "POST",
        headers: {
          authorization: `Bearer ${this.target.tokens.full}`,
          "content-type": "application/json",
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      }),
    );
    return `${res.status} ${await res.text()}`;
  }

  /** A full-token call of the attacked URI, for the state and the known objects. */
  async call(method: string, args: unknown[]): Promise<unknown> {
    const res = await this.target.fetch(
      new Request(`${this.#origin}${basePath(this.#uri)}/call/${method}`, {
        method: "POST",
        headers: {
          authorization: `Bearer ${this.target.tokens.full}`,
          "content-type": "application/json",
        },
        body: JSON.stringify(args),
      }),
    );
    const body = await res.json();
    if (!res.ok) throw new Error(`${method}: ${JSON.stringify(body)}`);
    return body.result;
  }

  /** The objects of every kind the fuzzer takes plausible references from. */
  async knownRefs(): Promise<KnownRefs> {
    // A driver without a family (the test driver has no secrets) has none of its objects.
    const list = (m: string, a: unknown[] = [0]) =>
      (this.call(m, a) as Promise<unknown[]>).catch(() => []);
    const pools = await list("connectListAllStoragePools");
    const vols = await Promise.all(pools.map((p) => list("storagePoolListAllVolumes", [p, 0])));
    return {
      dom: await list("connectListAllDomains"),
      net: await list("connectListAllNetworks"),
      pool: pools,
      vol: vols.flat(),
      dev: await list("connectListAllNodeDevices"),
      iface: await list("connectListAllInterfaces"),
      secret: await list("connectListAllSecrets"),
    };
  }

  /**
   * Everything observable about the attacked URI, one entry per object: definitions (active
   * and inactive XML), states, autostart flags, volumes, secrets; the target's host state; the
   * full caller's HTTP session (still answering) and operations.
   */
  async state(): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    const put = (k: string, v: unknown) => out.set(k, JSON.stringify(v));
    const safe = (m: string, a: unknown[]) => this.call(m, a).catch((e) => String(e));
    for (const d of await this.call("connectListAllDomains", [0]) as { name: string }[]) {
      put(`domain ${d.name}`, [
        await safe("domainGetXMLDesc", [d, 0]),
        await safe("domainGetXMLDesc", [d, 2]),
        await safe("domainGetState", [d, 0]),
        await safe("domainGetAutostart", [d]),
        await safe("domainIsPersistent", [d]),
        await safe("domainSnapshotListNames", [d, 0]),
      ]);
    }
    // A family the driver lacks (the QEMU driver alone has no networks) lists nothing.
    const list = (m: string) => this.call(m, [0]).catch(() => []) as Promise<{ name: string }[]>;
    for (const n of await list("connectListAllNetworks")) {
      put(`network ${n.name}`, [
        await safe("networkGetXMLDesc", [n, 0]),
        await safe("networkIsActive", [n]),
        await safe("networkGetAutostart", [n]),
      ]);
    }
    for (const p of await list("connectListAllStoragePools")) {
      put(`pool ${p.name}`, [
        await safe("storagePoolGetXMLDesc", [p, 0]),
        await safe("storagePoolIsActive", [p]),
        await safe("storagePoolListAllVolumes", [p, 0]),
      ]);
    }
    for (const m of ["connectListAllSecrets", "connectListAllInterfaces"]) {
      put(m, await safe(m, [0]));
    }
    put("nodedevs", await safe("connectListAllNodeDevices", [0]));
    for (const [k, v] of await this.target.hostState?.() ?? []) out.set(`host ${k}`, v);
    const session = this.#sessions.get("full");
    if (session) {
      put("full's session", await this.#full(`/v1/sessions/${session}/call/connectGetVersion`, []));
    }
    put("full's operations", await this.#full("/v1/operations"));
    return out;
  }

  /**
   * Sends every input, comparing the state around each run of one role's inputs. A WebSocket
   * input goes on beside the next ones (a refused socket lingers before its close frame); the
   * run's state is compared once all of them ended.
   */
  async runAll(inputs: Iterable<FuzzInput>): Promise<FuzzTally> {
    for (const input of inputs) {
      if (this.#run?.role !== input.role) await this.#startRun(input.role);
      const sent = this.run(input);
      if (input.via === "ws") this.#inFlight.push(sent);
      else await sent;
    }
    await this.#startRun(undefined);
    return this.tally;
  }

  async #startRun(role: Role | undefined): Promise<void> {
    await Promise.all(this.#inFlight.splice(0));
    const run = this.#run;
    // What the run emitted; a full caller's run is settled too, so that its events are not
    // counted against the next one.
    const events = (await this.target.events?.settle() ?? []).filter((e) =>
      !(run?.role === "restricted" && / web-\S*$/.test(e))
    );
    if (run && run.role !== "full" && events.length) {
      this.tally.forbiddenChanges.push(
        `${run.role} emitted ${events.join(", ")}; answered: ${run.answered.join(" | ")}`,
      );
    }
    const now = await this.state();
    if (run && run.role !== "full") {
      const changed = [...new Set([...run.before.keys(), ...now.keys()])].filter((k) =>
        run.before.get(k) !== now.get(k) &&
        // The web-* caller's own domains: their state, and their files on the host.
        !(run.role === "restricted" && /^(domain |host (.*\/)?)web-/.test(k))
      );
      if (changed.length) {
        this.tally.forbiddenChanges.push(
          `${run.role} changed ${changed.join(", ")}; answered: ${run.answered.join(" | ")}`,
        );
      }
    }
    this.#run = role && { role, before: now, answered: [] };
  }

  /** Sends one input and counts its answer. */
  async run(input: FuzzInput): Promise<void> {
    this.tally.inputs++;
    this.tally.byVia[input.via] = (this.tally.byVia[input.via] ?? 0) + 1;
    if (input.via === "ws") return await this.#ws(input);
    const started = performance.now();
    const answer = (async () => {
      const res = await this.target.fetch(this.#request(input));
      return { status: res.status, text: await readSome(res) };
    })();
    // The in-process fetch ignores a request's abort signal: the race is the timeout.
    let late: ReturnType<typeof setTimeout> | undefined;
    const got = await Promise.race([
      answer,
      new Promise<undefined>((r) => late = setTimeout(() => r(undefined), HANG_MS)),
    ]);
    clearTimeout(late);
    if (!got) {
      answer.catch(() => {});
      this.tally.hangs.push(input.label);
      return;
    }
    this.#count(input, got.status, got.text, performance.now() - started);
  }

  #request(input: HttpInput): Request {
    const path = input.path
      .replace("{session}", this.#sessions.get(input.role) ?? "none")
      .replace("{stream}", this.#streams.get(input.role) ?? "none");
    return new Request(`${this.#origin}${path}`, {
      method: input.method,
      headers: input.headers,
      body: input.body,
    });
  }

  #count(input: HttpInput, status: number, text: string, ms: number): void {
    const key = String(status);
    this.tally.byStatus[key] = (this.tally.byStatus[key] ?? 0) + 1;
    if (ms > HANG_MS) this.tally.hangs.push(input.label);
    if (status >= 500 && ![501, 503, 504].includes(status)) {
      this.tally.serverErrors.push(`${status} ${input.label}: ${text.slice(0, 300)}`);
    }
    if (status >= 200 && status < 300) {
      this.#run?.answered.push(input.label);
      const stream = /"stream":"([^"]+)"/.exec(text)?.[1];
      if (stream) this.#streams.set(input.role, stream);
    }
  }

  /** Opens the role's HTTP session once, for the `{session}` inputs. */
  async openSessions(): Promise<void> {
    for (const role of Object.keys(this.target.tokens) as Role[]) {
      const res = await this.target.fetch(
        new Request(`${this.#origin}/v1/sessions`, {
          method: "POST",
          headers: { authorization: `Bearer ${this.target.tokens[role]}` },
          body: JSON.stringify({ uri: this.#uri }),
        }),
      );
      const body = await res.json();
      if (res.ok) this.#sessions.set(role, body.session);
    }
  }

  async #ws(input: WsInput): Promise<void> {
    if (!this.target.wsPort) return;
    const ws = new WebSocket(`ws://127.0.0.1:${this.target.wsPort}${RPC_SOCKET_PATH}`, [
      RPC_SUBPROTOCOL,
    ]);
    const done = Promise.withResolvers<string>();
    const late = setTimeout(() => done.resolve("hang"), HANG_MS);
    const SENTINEL = 999999;
    // The gateway ends a socket with a close frame and its code; none means it was dropped.
    ws.onclose = (e) => done.resolve(e.code && e.code !== 1006 ? `closed ${e.code}` : "dropped");
    ws.onmessage = (e) => {
      const msg = JSON.parse(e.data);
      // No status on a socket: what would be a 500, except the RPC layer's own refusals
      // (libvirt's "unknown procedure" is VIR_ERR_RPC too).
      const err = msg.error && VirError.fromJSON(msg.error);
      if (err && wsStatus(sent.get(msg.id), err) === 500 && err.code !== VIR.ERR_RPC) {
        this.tally.serverErrors.push(`ws error ${input.label}: ${JSON.stringify(msg.error)}`);
      }
      if (msg.id === SENTINEL) done.resolve("answered");
      else if (msg.id !== undefined && msg.result !== undefined) {
        this.#run?.answered.push(input.label);
      }
    };
    // The calls by id, for what their arguments say of an error (a file the caller named).
    const sent = new Map<unknown, { method?: unknown; args?: unknown }>();
    for (const f of input.frames) {
      try {
        const msg = typeof f === "string" ? JSON.parse(f) : undefined;
        if (msg && typeof msg === "object") sent.set(msg.id, msg);
      } catch {
        // Not JSON: answered as such, by no call.
      }
    }
    ws.onopen = () => {
      if (input.role !== "none") ws.send(JSON.stringify({ auth: this.target.tokens[input.role] }));
      ws.send(JSON.stringify({ id: 1, open: this.#uri }));
      for (const f of input.frames) ws.send(f);
      ws.send(JSON.stringify({ id: SENTINEL, method: "connectGetVersion", args: [] }));
    };
    const how = await done.promise;
    clearTimeout(late);
    this.tally.byStatus[`ws ${how}`] = (this.tally.byStatus[`ws ${how}`] ?? 0) + 1;
    if (how === "hang") this.tally.hangs.push(input.label);
    if (how === "dropped") this.tally.dropped.push(input.label);
    if (ws.readyState !== WebSocket.CLOSED) {
      const closed = new Promise((r) => {
        ws.addEventListener("close", r);
        setTimeout(r, HANG_MS);
      });
      ws.close();
      await closed;
    }
  }
}

/**
 * The status an HTTP route would give a socket's error: with the call it answers (a file the
 * caller named is the caller's, a lookup's miss a 404: `callStatus`).
 */
function wsStatus(call: { method?: unknown; args?: unknown } | undefined, err: VirError): number {
  const method = call?.method;
  if (typeof method !== "string" || !isContractMethod(method)) return httpStatus(err);
  const args = Array.isArray(call?.args) ? call.args : [];
  return callStatus(method, CONTRACT[method], args, err) ?? httpStatus(err);
}

/** The start of an answer's body (a download may be large); the rest is dropped. */
async function readSome(res: Response): Promise<string> {
  if (!res.body) return "";
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  while (size < 65536) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.length;
  }
  await reader.cancel();
  const all = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) all.set(c, (at += c.length) - c.length);
  return new TextDecoder().decode(all);
}

/** Clear-text tokens of the test callers by role (`helpers.ts`' three, and two that fail). */
/** Fails with every kind of finding at once: one kind failing first must not hide the others. */
export function assertNoFindings(tally: FuzzTally, crashes: unknown[]): void {
  const findings = {
    "unhandled rejections": crashes,
    "500 answers": tally.serverErrors,
    "answers slower than 5 s": tally.hangs,
    "RPC sockets dropped without a close frame": tally.dropped,
    "changes by callers who may not": tally.forbiddenChanges,
  };
  const none = Object.fromEntries(Object.keys(findings).map((k) => [k, []]));
  assert.deepEqual(findings, none);
}

export const TOKENS_BY_ROLE: Record<Role, string> = {
  none: "",
  bad: "not-a-token",
  readOnly: TOKENS.readOnly,
  restricted: TOKENS.restricted,
  full: TOKENS.full,
};

/**
 * Runs `n` seeded inputs against an in-process gateway (`helpers.ts`' callers), WebSocket
 * frames through a loopback server, and returns the tally and the unhandled rejections (the
 * in-process gateway's crashes). The gateway runs in a scratch working directory three levels
 * deep: the drivers write files where fuzzed arguments say (a save or core dump to `test`, to
 * `../../etc/passwd`), and those must land there, not in the checkout or the host's `/etc`.
 */
export async function fuzzSlice(opts: {
  gateway: Gateway;
  uri: FuzzUri;
  n: number;
  seed: number;
  hostState?: () => Promise<Map<string, string>>;
  /** Keeps the calls to one contract family's. */
  family?: FamilyName;
  /** The documents of other kinds than domains, given the scratch directory's path. */
  xml?: (scratch: string) => readonly string[];
  /**
   * HTTP inputs over loopback TCP, through the guarded listener as `gateway/main.ts` serves
   * it (its in-process calls and its relay), rather than to the gateway's fetch in-process.
   */
  overTcp?: boolean;
}): Promise<{ tally: FuzzTally; crashes: string[] }> {
  const crashes: string[] = [];
  const onRejection = (e: PromiseRejectionEvent) => {
    e.preventDefault();
    crashes.push(String(e.reason?.stack ?? e.reason));
  };
  const cwd = Deno.cwd();
  const scratch = await Deno.makeTempDir({ prefix: "ev-fuzz-cwd-" });
  await Deno.mkdir(`${scratch}/a/b/c`, { recursive: true });
  Deno.chdir(`${scratch}/a/b/c`);
  globalThis.addEventListener("unhandledrejection", onRejection);
  const server = await serveGateway(opts.gateway);
  const events = await watchEvents(opts.gateway, server.port, basePath(opts.uri), {
    uri: opts.uri,
    domainXml: (name) => domainDocument(opts.uri, name),
  });
  try {
    const runner = new FuzzRunner({
      fetch: opts.overTcp ? (req) => fetch(req) : opts.gateway.fetch,
      origin: opts.overTcp ? `http://127.0.0.1:${server.port}` : undefined,
      wsPort: server.port,
      tokens: TOKENS_BY_ROLE,
      uri: opts.uri,
      hostState: opts.hostState,
      events,
    });
    await runner.openSessions();
    const refs = await runner.knownRefs();
    const tally = await runner.runAll(
      fuzzInputs({
        seed: opts.seed,
        n: opts.n,
        tokens: TOKENS_BY_ROLE,
        refs,
        ws: true,
        uri: opts.uri,
        family: opts.family,
        xml: opts.xml?.(scratch),
      }),
    );
    return { tally, crashes };
  } finally {
    globalThis.removeEventListener("unhandledrejection", onRejection);
    await events.close();
    await server.close();
    Deno.chdir(cwd);
    await Deno.remove(scratch, { recursive: true });
  }
}
