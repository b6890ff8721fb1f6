import { callInfo, type DriverMethod, isContractMethod } from "../util/contract/mod.ts";

/**
 * What a call needs: `read` (any authenticated caller), `write` (a `full` token: libvirt's
 * read-write socket), or `secret` (also `full` only: reads that libvirt refuses on its read-only
 * socket — secret values, memory and disk peeks, secure XML — and host-path probing). Each
 * call's rule is declared once, in `util/contract/`.
 */
export type Access = "read" | "write" | "secret";

/** libvirt's `VIR_*_XML_SECURE` bit: the XML would carry passwords. */
const XML_SECURE = 1;

/**
 * Methods a client may call through the gateway: the contract minus `connectClose`, since a
 * session's connection is closed with the session (the socket's `close`, `DELETE
 * /v1/sessions/{id}`), never by a call that would leave the session without one.
 *
 * @example
 * ```ts
 * import { isCallable } from "./access.ts";
 * isCallable("domainSuspend"); // true
 * isCallable("connectClose"); // false
 * ```
 */
export function isCallable(name: string): name is DriverMethod {
  return isContractMethod(name) && name !== "connectClose";
}

/**
 * The access a call needs, from its declaration and (for XML with passwords) its flags.
 *
 * @example
 * ```ts
 * import { methodAccess } from "./access.ts";
 * methodAccess("domainGetXMLDesc", [{ name: "a", uuid: "", id: -1 }, 1]); // "secret"
 * ```
 */
export function methodAccess(method: DriverMethod, args: readonly unknown[]): Access {
  const rule = callInfo(method).decl.access;
  if (typeof rule === "string") return rule;
  return (args[rule.secureFlagsAt] as number) & XML_SECURE ? "secret" : "read";
}
