/**
 * The contract of the secret family: secrets and their values, as libvirt's `src/driver-secret.h`: one declaration per call (arguments,
 * result, gateway access, libvirt's public-API checks in its order). The error domain of these
 * calls is `VIR_FROM_SECRET` unless one says otherwise.
 *
 * @module
 */
import { type CallTable, r, type Result } from "./declare.ts";

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
  connectNumOfSecrets: {
    args: [],
    result: { shape: { kind: "count", from: "connectListSecrets" } } as Result<number>,
    access: "read",
  },
  connectListSecrets: { args: [], result: r.uuids.secret, access: "read" },
  connectListAllSecrets: {
    args: [{ name: "flags", kind: "uint" }],
    result: r.refs.secret,
    access: "read",
  },
  secretLookupByUUID: {
    args: [{ name: "uuid", kind: "uuid" }],
    result: r.ref.secret,
    access: "read",
    checks: [{ check: "nonNull", arg: 0 }],
  },
  secretLookupByUsage: {
    args: [{ name: "usageType", kind: "int" }, { name: "usageID", kind: "str" }],
    result: r.ref.secret,
    access: "read",
    checks: [{ check: "nonNull", arg: 1 }],
  },
  secretDefineXML: {
    args: [{ name: "xml", kind: "str" }, { name: "flags", kind: "uint" }],
    result: r.ref.secret,
    access: "write",
    checks: [{ check: "readonly" }, { check: "nonNull", arg: 0 }],
    creates: "secret",
  },
  secretGetXMLDesc: {
    args: [{ name: "secret", kind: "secret" }, { name: "flags", kind: "uint" }],
    result: r.data as Result<string>,
    access: "read",
  },
  secretSetValue: {
    args: [
      { name: "secret", kind: "secret" },
      { name: "value", kind: "num[]", max: 65536 },
      { name: "flags", kind: "uint" },
    ],
    result: r.none,
    access: "write",
    checks: [{ check: "readonly" }, { check: "nonNull", arg: 1 }],
  },
  secretGetValue: {
    args: [{ name: "secret", kind: "secret" }, { name: "flags", kind: "uint" }],
    result: r.data as Result<number[]>,
    access: "secret",
    checks: [{ check: "readonly" }],
  },
  secretUndefine: {
    args: [{ name: "secret", kind: "secret" }],
    result: r.none,
    access: "write",
    checks: [{ check: "readonly" }],
  },
} as const satisfies CallTable;
