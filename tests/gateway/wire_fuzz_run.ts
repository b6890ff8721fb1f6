/**
 * Sends the wire fuzzer's inputs (`wire_fuzz_inputs.ts`) to a gateway and counts what must
 * never happen: a 500 (or an RPC-socket answer with a 500's code) for bad input, an answer
 * slower than 5 s, and any change made by a caller who may not make it — the whole state of
 * `test:///default` is compared before and after each run of one role's inputs (read-only
 * and unauthenticated callers may change nothing; the `web-*`-only caller nothing else). The
 * gateway's crashes are the caller's to count (a process exit, an unhandled rejection).
 *
 * @module
 */
import { httpStatus } from "../../gateway/http_status.ts";
import { RPC_SOCKET_PATH, RPC_SUBPROTOCOL } from "../../protocol/ws_protocol.ts";
import { VirError } from "../../util/errors.ts";
import { VIR } from "../../util/constants.ts";
import type { FuzzInput, HttpInput, KnownRefs, Role, WsInput } from "./wire_fuzz_inputs.ts";

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
}

const BASE = "/v1/test/default";

/** Runs inputs against one gateway, keeping each role's latest session and stream. */
export class FuzzRunner {
  readonly tally: FuzzTally = {
    inputs: 0,
    byVia: {},
    byStatus: {},
    serverErrors: [],
    hangs: [],
    forbiddenChanges: [],
  };
  #sessions = new Map<Role, string>();
  #streams = new Map<Role, string>();
  #run: { role: Role; before: Map<string, string>; answered: string[] } | undefined;

  constructor(readonly target: FuzzTarget) {}

  get #origin(): string {
    return this.target.origin ?? "http://127.0.0.1";
  }

  /** A full-token call of `test:///default`, for the state and the known objects. */
  async call(method: string, args: unknown[]): Promise<unknown> {
    const res = await this.target.fetch(
      new Request(`${this.#origin}${BASE}/call/${method}`, {
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
   * Everything observable about `test:///default`, one entry per object: definitions (active
   * and inactive XML), states, autostart flags, volumes, secrets.
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
    for (const n of await this.call("connectListAllNetworks", [0]) as { name: string }[]) {
      put(`network ${n.name}`, [
        await safe("networkGetXMLDesc", [n, 0]),
        await safe("networkIsActive", [n]),
        await safe("networkGetAutostart", [n]),
      ]);
    }
    for (const p of await this.call("connectListAllStoragePools", [0]) as { name: string }[]) {
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
    return out;
  }

  /** Sends every input, comparing the state around each run of one role's inputs. */
  async runAll(inputs: Iterable<FuzzInput>): Promise<FuzzTally> {
    for (const input of inputs) {
      if (this.#run?.role !== input.role) await this.#startRun(input.role);
      await this.run(input);
    }
    await this.#startRun(undefined);
    return this.tally;
  }

  async #startRun(role: Role | undefined): Promise<void> {
    const now = await this.state();
    const run = this.#run;
    if (run && run.role !== "full") {
      const changed = [...new Set([...run.before.keys(), ...now.keys()])].filter((k) =>
        run.before.get(k) !== now.get(k) &&
        !(run.role === "restricted" && /^domain web-/.test(k))
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
          body: JSON.stringify({ uri: "test:///default" }),
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
    const done = Promise.withResolvers<"answered" | "closed" | "hang">();
    const late = setTimeout(() => done.resolve("hang"), HANG_MS);
    const SENTINEL = 999999;
    ws.onclose = () => done.resolve("closed");
    ws.onerror = () => done.resolve("closed");
    ws.onmessage = (e) => {
      const msg = JSON.parse(e.data);
      // No status on a socket: what would be a 500, except the RPC layer's own refusals
      // (libvirt's "unknown procedure" is VIR_ERR_RPC too).
      const err = msg.error && VirError.fromJSON(msg.error);
      if (err && httpStatus(err) === 500 && err.code !== VIR.ERR_RPC) {
        this.tally.serverErrors.push(`ws error ${input.label}: ${JSON.stringify(msg.error)}`);
      }
      if (msg.id === SENTINEL) done.resolve("answered");
      else if (msg.id !== undefined && msg.result !== undefined) {
        this.#run?.answered.push(input.label);
      }
    };
    ws.onopen = () => {
      if (input.role !== "none") ws.send(JSON.stringify({ auth: this.target.tokens[input.role] }));
      ws.send(JSON.stringify({ id: 1, open: "test:///default" }));
      for (const f of input.frames) ws.send(f);
      ws.send(JSON.stringify({ id: SENTINEL, method: "connectGetVersion", args: [] }));
    };
    const how = await done.promise;
    clearTimeout(late);
    this.tally.byStatus[`ws ${how}`] = (this.tally.byStatus[`ws ${how}`] ?? 0) + 1;
    if (how === "hang") this.tally.hangs.push(input.label);
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
