import type { DriverConnection, DriverMethod } from "../util/driver.ts";
import { VirError } from "../util/errors.ts";
import { isCallable, methodAccess } from "./access.ts";
import { objectAllows, type Principal, roleAllows } from "./acl.ts";
import { jsonResponse } from "./http_status.ts";
import type { CallGate } from "./limits.ts";
import { callSubject, COUNT_FROM_LIST, filterResult, refSubject, resultFamily } from "./subject.ts";
import { validateArgs } from "./validate.ts";

/** What `GET /v1/{driver}/{path}` (and opening a session) tells a client. */
export interface DriverDescription {
  type: string;
  uri: string;
  /** The callable methods this driver implements. */
  methods: string[];
}

/**
 * A driver connection's type, URI and callable methods (own and inherited functions: class
 * instances keep theirs on the prototype).
 *
 * @example
 * ```ts ignore
 * describe(session.driver, session.uri).methods.includes("domainSuspend");
 * ```
 */
export function describe(connection: DriverConnection, uri: string): DriverDescription {
  const methods = new Set<string>();
  const driver = connection as unknown as Record<string, unknown>;
  for (let o: object | null = driver; o && o !== Object.prototype; o = Object.getPrototypeOf(o)) {
    for (const k of Object.getOwnPropertyNames(o)) {
      if (typeof driver[k] === "function" && isCallable(k)) methods.add(k);
    }
  }
  return { type: connection.type, uri, methods: [...methods] };
}

const API_FAMILY: [string, string][] = [
  ["domain", "DOMAIN"],
  ["network", "NETWORK"],
  ["storage", "STORAGE"],
  ["nodeDevice", "NODEDEV"],
  ["interface", "INTERFACE"],
  ["secret", "SECRET"],
];

/** libvirt's public API name for a driver method (`domainSuspend` → `virDomainSuspend`). */
export function apiName(method: string): string {
  return "vir" + method[0].toUpperCase() + method.slice(1);
}

function errorDomain(method: string): string {
  return API_FAMILY.find(([p]) => method.startsWith(p))?.[1] ?? "NONE";
}

function denied(method: string): VirError {
  return VirError.report("ACCESS", "ACCESS_DENIED", `'${apiName(method)}' is not permitted`);
}

/**
 * Runs one driver call for a caller: validates the arguments against the contract, applies the
 * caller's role (libvirt's read-only socket) and per-object rules, runs the call under the
 * gateway's concurrency and time limits, and hides from list results what the caller may not
 * see. Every refusal happens before the driver is touched.
 *
 * @example
 * ```ts ignore
 * const result = await dispatch(session.driver, principal, gate, "connectListAllDomains", [0]);
 * ```
 */
export async function dispatch(
  driver: DriverConnection,
  principal: Principal,
  gate: CallGate,
  method: DriverMethod,
  args: unknown,
): Promise<unknown> {
  validateArgs(method, args);
  const access = methodAccess(method, args);
  if (!roleAllows(principal, access)) {
    throw VirError.report(
      errorDomain(method),
      "OPERATION_DENIED",
      `read only access prevents ${apiName(method)}`,
    );
  }
  const fn = driver[method] as ((...a: unknown[]) => Promise<unknown>) | undefined;
  if (typeof fn !== "function") {
    throw VirError.report(errorDomain(method), "NO_SUPPORT", apiName(method));
  }
  if (!principal.rules) return await gate.run(() => fn.apply(driver, args));

  const subject = callSubject(method, args) ??
    (access === "read" ? undefined : { family: "connect" as const, name: method });
  if (subject && !objectAllows(principal, access, subject)) throw denied(method);
  const allow = (s: Parameters<typeof objectAllows>[2]) => objectAllows(principal, "read", s);
  const listMethod = COUNT_FROM_LIST[method];
  if (listMethod && typeof driver[listMethod] === "function") {
    const list = await dispatch(driver, principal, gate, listMethod, args);
    return (list as unknown[]).length;
  }
  const result = await gate.run(() => fn.apply(driver, args));
  const family = resultFamily(method);
  if (family && result && typeof result === "object" && !Array.isArray(result)) {
    if (!allow(refSubject(family, result))) throw denied(method);
  }
  return filterResult(method, result, args, allow, driver);
}

/**
 * A `POST …/call/{method}` request: an unknown `method` is a `404` with libvirt's unknown
 * procedure error and a `body` that is not JSON an INVALID_ARG error; otherwise `run` gets the
 * arguments and the reply is `{result}` (`{}` for a call without one).
 *
 * @example
 * ```ts ignore
 * app.post("/v1/test/call/:method", (c) =>
 *   callRoute(c.req.param("method"), () => c.req.json(), (m, args) => dispatch(...)));
 * ```
 */
export async function callRoute(
  method: string,
  body: () => Promise<unknown>,
  run: (method: DriverMethod, args: unknown) => Promise<unknown>,
): Promise<Response> {
  if (!isCallable(method)) {
    return jsonResponse(VirError.report("RPC", "RPC", `unknown procedure: ${method}`), 404);
  }
  let args: unknown;
  try {
    args = await body();
  } catch {
    throw VirError.report("RPC", "INVALID_ARG", `${method}: the body is not valid JSON`);
  }
  const result = await run(method, args);
  return jsonResponse(result === undefined ? {} : { result });
}
