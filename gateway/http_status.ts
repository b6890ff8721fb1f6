import { VIR } from "../util/constants.ts";
import { VirError } from "../util/errors.ts";
import { reachedFileErrno } from "../util/reached_file.ts";
import type { CallDecl, FileArg } from "../util/contract/mod.ts";

type ErrName = keyof typeof VIR & `ERR_${string}`;

/**
 * Every libvirt error code by the HTTP status it answers with, from what the code means to the
 * caller: a missing object (404), a bad argument or document (400), a state that forbids the
 * call (409), authentication (401), permission (403), a call the driver lacks (501), a busy
 * host (503), a timeout (504); only failures of the host itself are 500. Each code is listed,
 * so that a new one has to be placed on purpose (`tests/gateway/http_status_test.ts`).
 */
const BY_STATUS: Record<number, readonly ErrName[]> = {
  400: [
    "ERR_UNKNOWN_HOST",
    "ERR_INVALID_DOMAIN",
    "ERR_INVALID_ARG",
    "ERR_OS_TYPE",
    "ERR_NO_KERNEL",
    "ERR_NO_ROOT",
    "ERR_NO_SOURCE",
    "ERR_NO_TARGET",
    "ERR_NO_NAME",
    "ERR_NO_OS",
    "ERR_NO_DEVICE",
    "ERR_XML_ERROR",
    "ERR_PARSE_FAILED",
    "ERR_CONF_SYNTAX",
    "ERR_XML_DETAIL",
    "ERR_INVALID_NETWORK",
    "ERR_INVALID_MAC",
    "ERR_INVALID_STORAGE_POOL",
    "ERR_INVALID_STORAGE_VOL",
    "ERR_INVALID_NODE_DEVICE",
    "ERR_INVALID_INTERFACE",
    "ERR_INVALID_NWFILTER",
    "ERR_INVALID_SECRET",
    "ERR_CONFIG_UNSUPPORTED",
    "ERR_INVALID_DOMAIN_SNAPSHOT",
    "ERR_INVALID_STREAM",
    "ERR_ARGUMENT_UNSUPPORTED",
    "ERR_OVERFLOW",
    "ERR_XML_INVALID_SCHEMA",
    "ERR_INVALID_NWFILTER_BINDING",
    "ERR_INVALID_DOMAIN_CHECKPOINT",
    "ERR_INVALID_NETWORK_PORT",
  ],
  401: ["ERR_AUTH_FAILED", "ERR_AUTH_CANCELLED", "ERR_AUTH_UNAVAILABLE"],
  403: ["ERR_OPERATION_DENIED", "ERR_ACCESS_DENIED"],
  404: [
    "ERR_NO_CONNECT",
    // An HTTP session that is closed, expired or not the caller's.
    "ERR_INVALID_CONN",
    "ERR_NO_DOMAIN",
    "ERR_NO_NETWORK",
    "ERR_NO_STORAGE_POOL",
    "ERR_NO_STORAGE_VOL",
    "ERR_NO_NODE_DEVICE",
    "ERR_NO_SECURITY_MODEL",
    "ERR_NO_INTERFACE",
    "ERR_NO_NWFILTER",
    "ERR_NO_SECRET",
    "ERR_NO_DOMAIN_SNAPSHOT",
    "ERR_NO_DOMAIN_METADATA",
    "ERR_NO_SERVER",
    "ERR_NO_CLIENT",
    "ERR_DEVICE_MISSING",
    "ERR_NO_NWFILTER_BINDING",
    "ERR_NO_DOMAIN_CHECKPOINT",
    "ERR_NO_DOMAIN_BACKUP",
    "ERR_NO_NETWORK_PORT",
    "ERR_NO_HOSTNAME",
  ],
  409: [
    "ERR_OPERATION_FAILED",
    "ERR_DOM_EXIST",
    "ERR_NETWORK_EXIST",
    "ERR_OPERATION_INVALID",
    "ERR_MULTIPLE_INTERFACES",
    "ERR_STORAGE_POOL_BUILT",
    "ERR_SNAPSHOT_REVERT_RISKY",
    "ERR_OPERATION_ABORTED",
    "ERR_MIGRATE_UNSAFE",
    "ERR_BLOCK_COPY_ACTIVE",
    "ERR_STORAGE_VOL_EXIST",
    "ERR_CPU_INCOMPATIBLE",
    "ERR_NETWORK_PORT_EXIST",
    "ERR_CHECKPOINT_INCONSISTENT",
    "ERR_MULTIPLE_DOMAINS",
  ],
  500: [
    "ERR_INTERNAL_ERROR",
    "ERR_NO_MEMORY",
    "ERR_GET_FAILED",
    "ERR_POST_FAILED",
    "ERR_HTTP_ERROR",
    "ERR_SEXPR_SERIAL",
    "ERR_NO_XEN",
    "ERR_XEN_CALL",
    "ERR_NO_XENSTORE",
    "ERR_CALL_FAILED",
    "ERR_OPEN_FAILED",
    "ERR_READ_FAILED",
    "ERR_WRITE_FAILED",
    "ERR_SYSTEM_ERROR",
    "ERR_RPC",
    "ERR_GNUTLS_ERROR",
    "ERR_BUILD_FIREWALL",
    "ERR_MIGRATE_PERSIST_FAILED",
    "ERR_HOOK_SCRIPT_FAILED",
    "ERR_STORAGE_PROBE_FAILED",
    "ERR_SSH",
    "ERR_DBUS_SERVICE",
    "ERR_MIGRATE_FINISH_OK",
    "ERR_LIBSSH",
  ],
  501: ["ERR_NO_SUPPORT", "ERR_OPERATION_UNSUPPORTED"],
  503: ["ERR_DRIVER_FULL", "ERR_AGENT_UNRESPONSIVE", "ERR_RESOURCE_BUSY", "ERR_AGENT_UNSYNCED"],
  504: ["ERR_OPERATION_TIMEOUT"],
};

/** libvirt error number → HTTP status. */
export const HTTP_STATUS: ReadonlyMap<number, number> = new Map(
  Object.entries(BY_STATUS).flatMap(([status, names]) =>
    names.map((name) => [VIR[name], Number(status)] as const)
  ),
);

/**
 * State conflicts that libvirt's test driver reports as internal errors (`testDomainCreate…`:
 * "Domain 'x' is already running", "domain 'x' not running", "… not paused"): the caller asked
 * for something the object's state forbids, which is a 409 whatever the code says.
 */
const STATE_CONFLICT =
  /^internal error: [Dd]omain '.*' (is already running|not running|not paused)$/;

/**
 * A caller's bad argument that libvirt reports as an internal error (`testDomainSendKey`:
 * "invalid keycode 389 of atset2 codeset"; `virHostMemGetCellsFree`: "start cell 7 out of range
 * (0-0)"): a 400 whatever the code says.
 */
const BAD_ARGUMENT =
  /^internal error: (invalid keycode \d+ of \S+ codeset|start cell -?\d+ out of range \(0--?\d+\))$/;

/**
 * A file name the caller gave that no file system takes (ENAMETOOLONG: a save image, a dump
 * path): libvirt reports the failed open as a system error, but nothing of the host is broken.
 */
const NAME_TOO_LONG = /: File name too long\b/;

/** Errors whose code says less than their message: code, message, status. */
const BY_MESSAGE: readonly [number, RegExp, number][] = [
  [VIR.ERR_INTERNAL_ERROR, STATE_CONFLICT, 409],
  [VIR.ERR_INTERNAL_ERROR, BAD_ARGUMENT, 400],
  [VIR.ERR_SYSTEM_ERROR, NAME_TOO_LONG, 400],
];

/**
 * The strerror(3) texts that end libvirt's system error about a file the caller named, by the
 * status they answer with: what the caller named is not there (404), is not the kind of file
 * the call needs (400), is not the caller's to open (403) or is there already (409). Any other
 * errno (an I/O error, a full disk) stays the host's failure, a 500.
 */
const CALLER_FILE_ERRNO: Record<number, readonly string[]> = {
  400: ["Is a directory", "Not a directory", "Too many levels of symbolic links"],
  403: ["Permission denied", "Operation not permitted", "Read-only file system"],
  404: ["No such file or directory"],
  409: ["File exists", "Text file busy"],
};
const ERRNO_STATUS = new Map(
  Object.entries(CALLER_FILE_ERRNO).flatMap(([status, texts]) =>
    texts.map((t) => [t, Number(status)] as const)
  ),
);

/** The status of the strerror(3) text that ends `message`, if it is a file's. */
const errnoStatus = (message: string) =>
  ERRNO_STATUS.get(message.slice(message.lastIndexOf(": ") + 2));

/** The paths a message quotes (`'…'`). */
const quoted = (message: string) => [...message.matchAll(/'([^']+)'/g)].map((m) => m[1]);

/** Whether `message` is about a file that argument `value` names, as its mark says. */
function namesCallerFile(how: FileArg, value: unknown, message: string): boolean {
  // Quoted, or bare before the errno as the test driver's dump spells it.
  if (how === "path") {
    return typeof value === "string" && value !== "" &&
      (message.includes(`'${value}'`) || message.includes(` ${value}: `));
  }
  if (how === "xml") {
    return typeof value === "string" && quoted(message).some((q) => value.includes(q));
  }
  // The object's definition is the driver's: any absolute path the message quotes came from it.
  return quoted(message).some((q) => q.startsWith("/"));
}

/**
 * The status of a system error that call `decl`, run with `args`, gave about a file its caller
 * named (the arguments the contract marks with `files`: a save image, a dump's destination, a
 * pool's target): libvirt reports the failed open as `VIR_ERR_SYSTEM_ERROR` with the errno's
 * text, which says the host is broken, but a missing file, a directory or an unreadable file the
 * caller pointed at is the caller's mistake. Undefined for any other error.
 *
 * @example
 * ```ts
 * import { callerFileStatus } from "./http_status.ts";
 * import { CONTRACT } from "../util/contract/mod.ts";
 * import { VirError } from "../util/errors.ts";
 * const e = VirError.report("QEMU", "SYSTEM_ERROR", "Failed to open file '/x': No such file or directory");
 * callerFileStatus(CONTRACT.domainRestoreFlags, ["/x", null, 0], e); // 404
 * ```
 */
export function callerFileStatus(
  decl: CallDecl,
  args: readonly unknown[],
  e: unknown,
): number | undefined {
  if (!(e instanceof VirError) || e.code !== VIR.ERR_SYSTEM_ERROR) return undefined;
  const status = errnoStatus(e.message);
  if (!status) return undefined;
  const named = decl.args.some((a, i) => a.files && namesCallerFile(a.files, args[i], e.message));
  return named ? status : undefined;
}

/** libvirt's public-API error for a driver that failed without saying why (`virDispatchError`). */
const UNKNOWN_CAUSE = "An error occurred, but the cause is unknown";

/** Whether a call is a lookup: its one object found, or none (`virNodeDeviceLookupSCSIHostByWWN`). */
const isLookup = (method: string, decl: CallDecl) =>
  method.includes("Lookup") && decl.result.shape.kind === "ref";

/**
 * Whether call `method`'s arguments or kind can say more of its errors than their codes do
 * (see {@link callStatus}).
 */
export function callSaysMore(method: string, decl: CallDecl): boolean {
  return isLookup(method, decl) || decl.args.some((a) => a.files);
}

/**
 * The status of error `e` of call `method` run with `args`, where the call says more than the
 * error's code: a file the caller named ({@link callerFileStatus}), or a lookup that failed
 * without saying why, as libvirt's do when nothing matches (the node device driver's WWN
 * lookup): nothing was found, a 404. Undefined where the code says it all.
 *
 * @example
 * ```ts
 * import { callStatus } from "./http_status.ts";
 * import { CONTRACT } from "../util/contract/mod.ts";
 * import { VirError } from "../util/errors.ts";
 * const e = VirError.bare("NONE", "INTERNAL_ERROR", "An error occurred, but the cause is unknown");
 * callStatus("nodeDeviceLookupSCSIHostByWWN", CONTRACT.nodeDeviceLookupSCSIHostByWWN, ["a", "b", 0], e); // 404
 * ```
 */
export function callStatus(
  method: string,
  decl: CallDecl,
  args: readonly unknown[],
  e: unknown,
): number | undefined {
  const lookupMiss = e instanceof VirError && e.code === VIR.ERR_INTERNAL_ERROR &&
    e.message === UNKNOWN_CAUSE && isLookup(method, decl);
  return lookupMiss ? 404 : callerFileStatus(decl, args, e);
}

/** The statuses {@link markCallError} gave errors. */
const CALL_STATUS = new WeakMap<VirError, number>();

/**
 * Remembers the status of `e` that its call says (see {@link callStatus}), for
 * {@link httpStatus}: the gateway calls it where the call's arguments are still at hand, and
 * answers the error where they are not.
 *
 * @example
 * ```ts ignore
 * driver.domainRestoreFlags(...args).catch((e) => {
 *   markCallError("domainRestoreFlags", CONTRACT.domainRestoreFlags, args, e);
 *   throw e;
 * });
 * ```
 */
export function markCallError(
  method: string,
  decl: CallDecl,
  args: readonly unknown[],
  e: unknown,
): void {
  const status = callStatus(method, decl, args, e);
  if (status) CALL_STATUS.set(e as VirError, status);
}

/**
 * The HTTP status for a libvirt error (see {@link HTTP_STATUS}): the one
 * {@link markCallError} gave it, or its errno's where a driver marked it as about a file a
 * definition named (`util/reached_file.ts`: a missing disk image at a start is a 404, as a
 * missing save image the caller named is), else by its code; 500 for a number libvirt 9.0
 * does not have. The body always carries the exact libvirt error. `VIR_ERR_RPC` from
 * `VIR_FROM_REMOTE` is the remote protocol refusing to carry a call ("cpumap length greater
 * than maximum", "too many NUMA cells"; libvirt's client refuses it before sending): the
 * caller asked for more than the wire takes, a 400, where other RPC errors are the host's.
 *
 * @example
 * ```ts
 * import { httpStatus } from "./http_status.ts";
 * import { VirError } from "../util/errors.ts";
 * httpStatus(VirError.report("DOMAIN", "NO_DOMAIN")); // 404
 * ```
 */
export function httpStatus(e: VirError): number {
  const errno = reachedFileErrno(e);
  const byCall = CALL_STATUS.get(e) ?? (errno === undefined ? undefined : ERRNO_STATUS.get(errno));
  if (byCall) return byCall;
  for (const [code, match, status] of BY_MESSAGE) {
    if (e.code === code && match.test(e.message)) return status;
  }
  if (e.code === VIR.ERR_RPC && e.domain === VIR.FROM_REMOTE) return 400;
  return HTTP_STATUS.get(e.code) ?? 500;
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
