import { Deadlines } from "../../util/deadlines.ts";
import { VirError, type VirErrorJSON } from "../../util/errors.ts";

/** How the remote driver reaches the gateway: one fetch, one origin, one token. */
export interface GatewayHttp {
  fetch: typeof fetch;
  origin: string;
  token?: string;
  timeoutMs: number;
}

/**
 * Sends one request to the gateway and returns the parsed JSON body. A gateway error (a JSON
 * `VirErrorJSON` body) is rethrown as the identical `VirError`; a network failure, a timeout or
 * a body that is not the gateway's become libvirt's RPC-level errors, as a broken libvirtd
 * socket would.
 *
 * @example
 * ```ts
 * import { requestJson } from "./http.ts";
 * const http = { fetch, origin: "http://127.0.0.1:16510", timeoutMs: 5000 };
 * await requestJson(http, "GET", "/").catch((e) => console.log(e.message));
 * ```
 */
export async function requestJson(
  http: GatewayHttp,
  method: "GET" | "POST" | "DELETE",
  path: string,
  body?: unknown,
): Promise<unknown> {
  return (await request(http, method, path, body)).json;
}

/**
 * {@link requestJson} with the answer's headers too (a call's event mark).
 *
 * @example
 * ```ts
 * import { request } from "./http.ts";
 * const http = { fetch, origin: "http://127.0.0.1:16510", timeoutMs: 5000 };
 * await request(http, "GET", "/").catch((e) => console.log(e.message));
 * ```
 */
export async function request(
  http: GatewayHttp,
  method: "GET" | "POST" | "DELETE",
  path: string,
  body?: unknown,
): Promise<{ json: unknown; headers: Headers }> {
  const headers: Record<string, string> = { accept: "application/json" };
  if (http.token) headers.authorization = `Bearer ${http.token}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  let res: Response;
  let text: string;
  const { signal, done } = timeoutSignal(http.timeoutMs);
  try {
    res = await http.fetch(http.origin + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
    });
    text = await res.text();
  } catch (e) {
    throw transportError(e, http.origin);
  } finally {
    done();
  }
  if (res.status === 204) return { json: undefined, headers: res.headers };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw VirError.report("RPC", "RPC", `gateway answered ${res.status} with a non-JSON body`);
  }
  if (!res.ok) throw isVirErrorJSON(json) ? VirError.fromJSON(json) : unexpected(res.status);
  return { json, headers: res.headers };
}

/** One queue of deadlines per timeout length (connections share the default one). */
const DEADLINES = new Map<number, Deadlines>();

/**
 * What `AbortSignal.timeout(ms)` gives, without a timer per request: the signal aborts with a
 * `TimeoutError` after `ms` unless `done()` came first.
 */
function timeoutSignal(ms: number): { signal: AbortSignal; done(): void } {
  let deadlines = DEADLINES.get(ms);
  if (!deadlines) DEADLINES.set(ms, deadlines = new Deadlines(ms));
  const abort = new AbortController();
  const deadline = deadlines.add(() =>
    abort.abort(new DOMException("Signal timed out.", "TimeoutError"))
  );
  return { signal: abort.signal, done: () => deadlines.cancel(deadline) };
}

/** libvirt's wording for a dead or slow peer. */
export function transportError(e: unknown, origin: string): VirError {
  if (e instanceof VirError) return e;
  const name = (e as { name?: string })?.name;
  if (name === "TimeoutError" || name === "AbortError") {
    return VirError.report("RPC", "OPERATION_TIMEOUT", `no answer from ${origin}`);
  }
  const why = e instanceof Error ? e.message : String(e);
  return VirError.report("RPC", "SYSTEM_ERROR", `unable to reach ${origin}: ${why}`);
}

/** A gateway answer that is an error but not libvirt's. */
export function unexpected(status: number): VirError {
  return VirError.report("RPC", "RPC", `gateway answered ${status} without a libvirt error`);
}

/** Whether a parsed body is a libvirt error as the gateway sends it. */
export function isVirErrorJSON(v: unknown): v is VirErrorJSON {
  const o = v as Record<string, unknown> | null;
  return typeof o === "object" && o !== null && typeof o.code === "number" &&
    typeof o.domain === "number" && typeof o.message === "string";
}
