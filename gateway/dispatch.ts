import type { DriverConnection, DriverStream } from "../util/driver.ts";
import {
  apiName,
  type CallInfo,
  callInfo,
  checkCall,
  type DriverMethod,
  validateArgs,
} from "../util/contract/mod.ts";
import { VirError } from "../util/errors.ts";
import { type Access, isCallable, methodAccess } from "./access.ts";
import { objectAllows, type Principal, roleAllows } from "./acl.ts";
import { callSaysMore, jsonResponse, markCallError } from "./http_status.ts";
import type { CallGate } from "./limits.ts";
import type { StreamTable } from "./stream_table.ts";
import {
  actedOnSubject,
  callSubject,
  countFrom,
  filterResult,
  refSubject,
  resultFamily,
} from "./subject.ts";

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

function denied(method: string): VirError {
  return VirError.report("ACCESS", "ACCESS_DENIED", `'${apiName(method)}' is not permitted`);
}

/**
 * Runs one driver call for a caller, as libvirtd does: checks the arguments' wire shapes, runs
 * libvirt's public-API checks (on a read-only caller's behalf, read-only refusals included), then
 * applies the caller's role and per-object rules, runs the call under the gateway's concurrency
 * and time limits, and hides from list results what the caller may not see. Every refusal
 * happens before the driver is touched.
 *
 * @example
 * ```ts ignore
 * const result = await dispatch(session.driver, principal, gate, "connectListAllDomains", [0]);
 * ```
 */
export function dispatch(
  driver: DriverConnection,
  principal: Principal,
  gate: CallGate,
  method: DriverMethod,
  rawArgs: unknown,
  streams?: StreamTable,
): Promise<unknown> {
  // Not an async function: a call without object rules (the common case) goes from here
  // straight to the driver, without a promise of its own around the gate's.
  let info: CallInfo, args: unknown[], access: Access;
  let fn: ((...a: unknown[]) => Promise<unknown>) | undefined;
  try {
    info = callInfo(method);
    args = validateArgs(info, rawArgs);
    checkCall(info, args, { readonly: principal.role === "read-only", wire: true });
    access = methodAccess(method, args);
    if (!roleAllows(principal, access)) {
      throw VirError.report(
        info.family,
        "OPERATION_DENIED",
        `read only access prevents ${info.api}`,
      );
    }
    fn = driver[method] as typeof fn;
    if (typeof fn !== "function") throw VirError.report(info.family, "NO_SUPPORT", info.api);
    if (info.decl.result.shape.kind === "stream") {
      // A stream's data needs a request of its own, which not every route can point to.
      if (!streams) throw VirError.report(info.family, "NO_SUPPORT", `${info.api} on this route`);
      const open = fn;
      fn = async (...a) =>
        streams.add(principal.name, (await open.apply(driver, a)) as DriverStream);
    }
  } catch (e) {
    return Promise.reject(e);
  }
  let run = fn;
  if (callSaysMore(method, info.decl)) {
    // Its arguments are gone where the error is answered: what they say of it goes with it.
    const call = run;
    run = (...a) =>
      call.apply(driver, a).catch((e) => {
        markCallError(method, info.decl, a, e);
        throw e;
      });
  }
  if (!principal.rules) return gate.run(() => run.apply(driver, args));
  return dispatchWithRules(driver, principal, gate, { info, method, args, access, fn: run });
}

/** The rest of {@link dispatch} for a caller with object rules. */
async function dispatchWithRules(
  driver: DriverConnection,
  principal: Principal,
  gate: CallGate,
  call: {
    info: CallInfo;
    method: DriverMethod;
    args: unknown[];
    access: Access;
    fn: (...a: unknown[]) => Promise<unknown>;
  },
): Promise<unknown> {
  const { info, method, args, access, fn } = call;
  const subject = callSubject(info, args) ??
    (access === "read" ? undefined : { family: "connect" as const, name: method });
  if (subject && !objectAllows(principal, access, subject)) throw denied(method);
  // The name sent beside a UUID proves nothing: the object the driver will act on must pass too.
  const actedOn = await actedOnSubject(driver, info, args);
  if (actedOn && !objectAllows(principal, access, actedOn)) throw denied(method);
  const allow = (s: Parameters<typeof objectAllows>[2]) => objectAllows(principal, "read", s);
  const listMethod = countFrom(info);
  if (listMethod && typeof driver[listMethod] === "function") {
    const list = await dispatch(driver, principal, gate, listMethod, args);
    return (list as unknown[]).length;
  }
  const result = await gate.run(() => fn.apply(driver, args));
  const family = resultFamily(info);
  if (family && result && typeof result === "object" && !Array.isArray(result)) {
    if (!allow(refSubject(family, result))) throw denied(method);
  }
  return filterResult(info, result, args, allow, driver);
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
