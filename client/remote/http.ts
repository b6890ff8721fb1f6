import { Deadlines } from "../../util/deadlines.ts";
import type { GatewayFetch, GatewayResponse } from "../../util/driver.ts";
import { VirError, type VirErrorJSON } from "../../util/errors.ts";

/** How the remote driver reaches the gateway: one fetch, one origin, one token. */
export interface GatewayHttp {
  fetch: GatewayFetch;
  origin: string;
  /** The unix socket `fetch` goes through, if any (named in connection errors). */
  socket?: string;
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
): Promise<{ json: unknown; headers: GatewayResponse["headers"] }> {
  const headers: Record<string, string> = { accept: "application/json" };
  if (http.token) headers.authorization = `Bearer ${http.token}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  let res: GatewayResponse;
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
    throw transportError(e, http);
  } finally {
    done();
  }
  if (res.status === 204) return { json: undefined, headers: res.headers };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw unexpected(res.status);
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

/**
 * libvirt's wording for a dead or slow peer, naming the cause the runtime gives (Deno says it in
 * the cause's message, Node in its `code`): virNetSocket's "unable to connect to server at
 * 'HOST:PORT': Connection refused", "Unable to resolve address …" and "Failed to connect socket
 * to 'PATH': …", virNetTLSContext's "Certificate failed validation: …" (GnuTLS reports a CA it
 * does not know as "hasn't got a known issuer"). All are VIR_ERR_SYSTEM_ERROR from the RPC layer.
 */
export function transportError(e: unknown, http: Pick<GatewayHttp, "origin" | "socket">): VirError {
  if (e instanceof VirError) return e;
  const err = e as { name?: string; message?: string; cause?: { message?: string; code?: string } };
  if (/(Timeout|Abort)Error/.test(err?.name!)) {
    return VirError.report("RPC", "OPERATION_TIMEOUT", `no answer from ${http.origin}`);
  }
  const cause = err?.cause?.message ?? err?.message;
  const why = `${cause} ${err?.cause?.code}`;
  // The origin always names its port (`parseRemoteUri`); an IPv6 host is bracketed there.
  const [, node, service] = /\/\/\[?(.*?)\]?:(\d+)$/.exec(http.origin) ?? [];
  const sys = /refused/i.test(why)
    ? "Connection refused"
    : /ENOENT|No such/.test(why)
    ? "No such file or directory"
    : cause;
  return VirError.report(
    "RPC",
    "SYSTEM_ERROR",
    /issuer|self_signed|unable_to_verify/i.test(why)
      ? "Certificate failed validation: The certificate hasn't got a known issuer."
      : /ENOTFOUND|EAI_|lookup/.test(why)
      ? `Unable to resolve address '${node}' service '${service}': Name or service not known`
      : http.socket
      ? `Failed to connect socket to '${http.socket}': ${sys}`
      : `unable to connect to server at '${node}:${service}': ${sys}`,
  );
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
