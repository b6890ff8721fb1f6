import type { DriverMethod } from "../util/driver.ts";
import { VirError } from "../util/errors.ts";
import { type ArgKind, METHOD_ARGS } from "./method_table.ts";
import { REF_SHAPES, type RefKind } from "./ref_shapes.ts";

type Check = (v: unknown) => boolean;

const isStr: Check = (v) => typeof v === "string";
const isNum: Check = (v) => typeof v === "number" && Number.isFinite(v);
const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);
const fields = (spec: Record<string, Check>): Check => (v) =>
  isObj(v) && Object.entries(spec).every(([k, check]) => check(v[k]));
const arrayOf = (check: Check): Check => (v) => Array.isArray(v) && v.every(check);

const refCheck = (kind: RefKind): Check =>
  fields(
    Object.fromEntries(
      Object.entries(REF_SHAPES[kind].fields).map(([k, t]) => [k, t === "string" ? isStr : isNum]),
    ),
  );

const CHECKS: Record<ArgKind, Check> = {
  dom: refCheck("dom"),
  net: refCheck("net"),
  pool: refCheck("pool"),
  vol: refCheck("vol"),
  dev: refCheck("dev"),
  iface: refCheck("iface"),
  secret: refCheck("secret"),
  num: isNum,
  str: isStr,
  "str?": (v) => v === null || isStr(v),
  bool: (v) => typeof v === "boolean",
  "str[]": arrayOf(isStr),
  "num[]": arrayOf(isNum),
  "bool[]": arrayOf((v) => typeof v === "boolean"),
  params: (v) =>
    isObj(v) && Object.values(v).every((x) => isStr(x) || isNum(x) || typeof x === "boolean"),
};

const SPELLING: Record<ArgKind, string> = {
  dom: "a domain {name, uuid, id}",
  net: "a network {name, uuid}",
  pool: "a storage pool {name, uuid}",
  vol: "a storage volume {pool, name, key}",
  dev: "a node device {name}",
  iface: "an interface {name, mac}",
  secret: "a secret {uuid, usageType, usageID}",
  num: "a number",
  str: "a string",
  "str?": "a string or null",
  bool: "a boolean",
  "str[]": "an array of strings",
  "num[]": "an array of numbers",
  "bool[]": "an array of booleans",
  params: "an object of typed parameters",
};

/**
 * Checks a JSON argument list against the method's signature before the driver sees it, so a
 * malformed request changes nothing. Throws libvirt's `VIR_ERR_INVALID_ARG`.
 *
 * @example
 * ```ts
 * import { validateArgs } from "./validate.ts";
 * validateArgs("domainLookupByName", ["test"]); // ok
 * ```
 */
export function validateArgs(method: DriverMethod, args: unknown): asserts args is unknown[] {
  const kinds = METHOD_ARGS[method];
  const bad = (why: string) => VirError.report("RPC", "INVALID_ARG", `${method}: ${why}`);
  if (!Array.isArray(args)) throw bad("the request body must be a JSON array of arguments");
  if (args.length !== kinds.length) {
    throw bad(`expected ${kinds.length} argument(s), got ${args.length}`);
  }
  kinds.forEach((kind, i) => {
    if (!CHECKS[kind](args[i])) throw bad(`argument ${i + 1} must be ${SPELLING[kind]}`);
  });
}
