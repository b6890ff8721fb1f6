import { VIR } from "../util/constants.ts";
import { VirError } from "../util/errors.ts";

const STATUS = new Map<number, number>([
  [VIR.ERR_NO_DOMAIN, 404],
  [VIR.ERR_NO_NETWORK, 404],
  [VIR.ERR_NO_STORAGE_POOL, 404],
  [VIR.ERR_NO_STORAGE_VOL, 404],
  [VIR.ERR_NO_NODE_DEVICE, 404],
  [VIR.ERR_NO_INTERFACE, 404],
  [VIR.ERR_NO_SECRET, 404],
  [VIR.ERR_NO_DOMAIN_SNAPSHOT, 404],
  [VIR.ERR_NO_DOMAIN_CHECKPOINT, 404],
  [VIR.ERR_NO_DOMAIN_METADATA, 404],
  [VIR.ERR_NO_NWFILTER, 404],
  // An HTTP session that is closed, expired or not the caller's.
  [VIR.ERR_INVALID_CONN, 404],
  [VIR.ERR_INVALID_ARG, 400],
  [VIR.ERR_XML_ERROR, 400],
  [VIR.ERR_XML_DETAIL, 400],
  [VIR.ERR_XML_INVALID_SCHEMA, 400],
  [VIR.ERR_CONFIG_UNSUPPORTED, 400],
  [VIR.ERR_INVALID_DOMAIN, 400],
  [VIR.ERR_AUTH_FAILED, 401],
  [VIR.ERR_OPERATION_DENIED, 403],
  [VIR.ERR_ACCESS_DENIED, 403],
  [VIR.ERR_OPERATION_INVALID, 409],
  [VIR.ERR_OPERATION_FAILED, 409],
  [VIR.ERR_NO_SUPPORT, 501],
  [VIR.ERR_OPERATION_TIMEOUT, 504],
  [VIR.ERR_RESOURCE_BUSY, 503],
]);

/**
 * The HTTP status for a libvirt error: 404 for a missing object, 400 for a bad argument or XML,
 * 401/403 for authentication and permission, 409 for a state conflict, 501 for an unsupported
 * call, 500 for the rest. The body always carries the exact libvirt error.
 *
 * @example
 * ```ts
 * import { httpStatus } from "./http_status.ts";
 * import { VirError } from "../util/errors.ts";
 * httpStatus(VirError.report("DOMAIN", "NO_DOMAIN")); // 404
 * ```
 */
export function httpStatus(e: VirError): number {
  return STATUS.get(e.code) ?? 500;
}

/** Any thrown value as a VirError: a driver bug becomes libvirt's internal error. */
export function asVirError(e: unknown): VirError {
  if (e instanceof VirError) return e;
  return VirError.report("RPC", "INTERNAL_ERROR", e instanceof Error ? e.message : String(e));
}

/** A JSON error response with the fitting status. */
export function errorResponse(e: unknown, headers?: HeadersInit): Response {
  const err = asVirError(e);
  const h = new Headers(headers);
  h.set("content-type", "application/json");
  return new Response(JSON.stringify(err), { status: httpStatus(err), headers: h });
}

/** A JSON response: `value` serialized, with status `status`. */
export function jsonResponse(value: unknown, status = 200): Response {
  return new Response(JSON.stringify(value), {
    status,
    headers: { "content-type": "application/json" },
  });
}
