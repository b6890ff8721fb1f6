/**
 * What each argument kind looks like on the wire: its JSON check, how an error names it, its
 * JSON Schema, and for wire references their fields. The gateway's argument validation and its
 * OpenAPI schemas both come from this one table, so they cannot disagree.
 *
 * @module
 */
import { parseUUID } from "../uuid.ts";
import type { AclFamily, ArgKind, RefKind } from "./declare.ts";

/** The fields of each wire reference, as JSON types, its schema name and its ACL family. */
export const REF_SHAPES = {
  dom: {
    schema: "DomainRef",
    acl: "domain",
    fields: { name: "string", uuid: "string", id: "number" },
  },
  net: { schema: "NetworkRef", acl: "network", fields: { name: "string", uuid: "string" } },
  netport: {
    schema: "NetworkPortRef",
    acl: "network_port",
    fields: { network: "string", uuid: "string" },
  },
  pool: {
    schema: "StoragePoolRef",
    acl: "storage_pool",
    fields: { name: "string", uuid: "string" },
  },
  vol: {
    schema: "StorageVolRef",
    acl: "storage_vol",
    fields: { pool: "string", name: "string", key: "string" },
  },
  dev: { schema: "NodeDeviceRef", acl: "node_device", fields: { name: "string" } },
  iface: { schema: "InterfaceRef", acl: "interface", fields: { name: "string", mac: "string" } },
  secret: {
    schema: "SecretRef",
    acl: "secret",
    fields: { uuid: "string", usageType: "number", usageID: "string" },
  },
  nwfilter: { schema: "NWFilterRef", acl: "nwfilter", fields: { name: "string", uuid: "string" } },
  nwbinding: {
    schema: "NWFilterBindingRef",
    acl: "nwfilter_binding",
    fields: { portdev: "string", filtername: "string" },
  },
} as const satisfies Record<
  RefKind,
  { schema: string; acl: AclFamily; fields: Record<string, "string" | "number"> }
>;

type Check = (v: unknown) => boolean;

const isStr: Check = (v) => typeof v === "string";
const isNum: Check = (v) => typeof v === "number" && Number.isFinite(v);
const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);
const arrayOf = (check: Check): Check => (v) => Array.isArray(v) && v.every(check);
const refCheck = (kind: RefKind): Check => {
  const fields = Object.entries(REF_SHAPES[kind].fields);
  return (v) => isObj(v) && fields.every(([k, t]) => (t === "string" ? isStr : isNum)(v[k]));
};

/** One kind's wire facts. */
export interface KindSpec {
  /** Whether a JSON value is of this kind. */
  readonly is: (v: unknown) => boolean;
  /** How an argument error names the kind ("a number", "a domain {name, uuid, id}"). */
  readonly spelled: string;
  /** The kind's JSON Schema (OpenAPI). */
  readonly schema: Record<string, unknown>;
}

const ref = (kind: RefKind, spelled: string): KindSpec => ({
  is: refCheck(kind),
  spelled,
  schema: { $ref: `#/components/schemas/${REF_SHAPES[kind].schema}` },
});

/**
 * Every argument kind's check, spelling and schema.
 *
 * @example
 * ```ts
 * import { KINDS } from "./kinds.ts";
 * KINDS.uint.is(-1); // false: XDR's unsigned int cannot carry it
 * ```
 */
export const KINDS: { readonly [K in ArgKind]: KindSpec } = {
  dom: ref("dom", "a domain {name, uuid, id}"),
  net: ref("net", "a network {name, uuid}"),
  netport: ref("netport", "a network port {network, uuid}"),
  pool: ref("pool", "a storage pool {name, uuid}"),
  vol: ref("vol", "a storage volume {pool, name, key}"),
  dev: ref("dev", "a node device {name}"),
  iface: ref("iface", "an interface {name, mac}"),
  secret: ref("secret", "a secret {uuid, usageType, usageID}"),
  nwfilter: ref("nwfilter", "a network filter {name, uuid}"),
  nwbinding: ref("nwbinding", "a network filter binding {portdev, filtername}"),
  int: {
    is: (v) => Number.isInteger(v) && (v as number) >= -(2 ** 31) && (v as number) < 2 ** 31,
    spelled: "a 32-bit integer",
    schema: { type: "integer", minimum: -(2 ** 31), maximum: 2 ** 31 - 1 },
  },
  uint: {
    is: (v) => Number.isInteger(v) && (v as number) >= 0 && (v as number) < 2 ** 32,
    spelled: "an unsigned 32-bit integer",
    schema: { type: "integer", minimum: 0, maximum: 2 ** 32 - 1 },
  },
  long: {
    is: Number.isSafeInteger,
    spelled: "an integer",
    schema: { type: "integer", minimum: -(2 ** 53 - 1), maximum: 2 ** 53 - 1 },
  },
  ulong: {
    is: (v) => Number.isSafeInteger(v) && (v as number) >= 0,
    spelled: "an unsigned integer",
    schema: { type: "integer", minimum: 0, maximum: 2 ** 53 - 1 },
  },
  str: { is: isStr, spelled: "a string", schema: { type: "string" } },
  "str?": {
    is: (v) => v === null || isStr(v),
    spelled: "a string or null",
    schema: { type: ["string", "null"] },
  },
  bool: { is: (v) => typeof v === "boolean", spelled: "a boolean", schema: { type: "boolean" } },
  uuid: {
    is: (v) => typeof v === "string" && parseUUID(v) !== undefined,
    spelled: "a UUID",
    schema: { type: "string", format: "uuid" },
  },
  "str[]": {
    is: arrayOf(isStr),
    spelled: "an array of strings",
    schema: { type: "array", items: { type: "string" } },
  },
  "num[]": {
    is: arrayOf(isNum),
    spelled: "an array of numbers",
    schema: { type: "array", items: { type: "number" } },
  },
  "bool[]": {
    is: arrayOf((v) => typeof v === "boolean"),
    spelled: "an array of booleans",
    schema: { type: "array", items: { type: "boolean" } },
  },
  params: {
    is: (v) =>
      isObj(v) && Object.values(v).every((x) => isStr(x) || isNum(x) || typeof x === "boolean"),
    spelled: "an object of typed parameters",
    schema: {
      type: "object",
      additionalProperties: { type: ["string", "number", "boolean"] },
    },
  },
};
