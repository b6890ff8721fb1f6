import { RPC_SOCKET_PATH } from "../protocol/ws_protocol.ts";
import { RESOURCES } from "./rest.ts";

const TOP = new Set(["/", "/healthz", "/metrics", "/v1/openapi.json", RPC_SOCKET_PATH]);

/** The gateway's own collections under `/v1`, whose members are ids (not driver paths). */
const OWN = new Set(["sessions", "streams", "operations"]);

/** Path segments kept as they are; every other one is a parameter. */
const LITERALS = new Set([
  "call",
  "events",
  "node",
  "capabilities",
  "volumes",
  ...RESOURCES.map((r) => r.segment),
]);

/**
 * The route a request path belongs to, with its parameters as `{…}`, for the metrics' `route`
 * label: few and fixed values, whatever names, ids and unknown paths callers send (those are
 * `other`). Works on the raw path, as the fast path for calls runs ahead of the router.
 *
 * @example
 * ```ts
 * import { routeTemplate } from "./route_template.ts";
 * routeTemplate("/v1/test/default/domains/web/start"); // "/v1/{driver}/{path}/domains/{name}/{action}"
 * ```
 */
export function routeTemplate(path: string): string {
  if (TOP.has(path)) return path;
  const segs = path.split("/");
  if (segs[1] !== "v1" || segs.length < 3) return "other";
  const out = OWN.has(segs[2]) ? ["", "v1", segs[2]] : ["", "v1", "{driver}", "{path}"];
  if (segs.length < out.length) return "other";
  for (const s of segs.slice(out.length)) {
    const prev = out[out.length - 1];
    if (LITERALS.has(s)) out.push(s);
    else if (OWN.has(prev) && out.length === 3) out.push("{id}");
    else if (prev === "call") out.push("{method}");
    else if (prev.startsWith("{")) out.push("{action}");
    else out.push("{name}");
  }
  return out.join("/");
}

/**
 * The path of a request URL, without parsing the whole URL (the fast path runs per call).
 *
 * @example
 * ```ts
 * import { requestPath } from "./route_template.ts";
 * requestPath("http://127.0.0.1:16510/v1/test/default?x=1"); // "/v1/test/default"
 * ```
 */
export function requestPath(url: string): string {
  const start = url.indexOf("/", url.indexOf(":") + 3);
  if (start < 0) return "/";
  const query = url.indexOf("?", start);
  return query < 0 ? url.slice(start) : url.slice(start, query);
}
