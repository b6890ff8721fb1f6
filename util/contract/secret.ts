/**
 * The contract of the secret family: secrets and their values, as libvirt's `src/driver-secret.h`: one declaration per call (arguments,
 * result, gateway access, libvirt's public-API checks in its order). The error domain of these
 * calls is `VIR_FROM_SECRET` unless one says otherwise.
 *
 * @module
 */
import { a, c, type CallTable, r } from "./declare.ts";

/**
 * Every call of this family by driver method name.
 *
 * @example
 * ```ts
 * import { SECRET } from "./secret.ts";
 * Object.keys(SECRET).length > 0; // true
 * ```
 */
export const SECRET = {
  connectNumOfSecrets: { args: [], result: r.count("connectListSecrets"), access: "read" },
  connectListSecrets: { args: [], result: r.uuids("secret"), access: "read" },
  connectListAllSecrets: { args: [a.flags()], result: r.refs("secret"), access: "read" },
  secretLookupByUUID: {
    args: [a.uuid("uuid")],
    result: r.ref("secret"),
    access: "read",
    checks: [c.nonNull(0)],
  },
  secretLookupByUsage: {
    args: [a.int("usageType"), a.str("usageID")],
    result: r.ref("secret"),
    access: "read",
    checks: [c.nonNull(1)],
  },
  secretDefineXML: {
    args: [a.str("xml"), a.flags()],
    result: r.ref("secret"),
    access: "write",
    checks: [c.readonly, c.nonNull(0)],
    creates: "secret",
  },
  secretGetXMLDesc: {
    args: [a.secret("secret"), a.flags()],
    result: r.data<string>(),
    access: "read",
  },
  secretSetValue: {
    args: [a.secret("secret"), a.nums("value", 65536), a.flags()],
    result: r.none,
    access: "write",
    checks: [c.readonly, c.nonNull(1)],
  },
  secretGetValue: {
    args: [a.secret("secret"), a.flags()],
    result: r.data<number[]>(),
    access: "secret",
    checks: [c.readonly],
  },
  secretUndefine: {
    args: [a.secret("secret")],
    result: r.none,
    access: "write",
    checks: [c.readonly],
  },
} as const satisfies CallTable;
