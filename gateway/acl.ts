import type { Access } from "./access.ts";
import type { AclFamily as ObjectFamily } from "../util/contract/mod.ts";

/** Object families an ACL rule can name; `connect` covers calls about no single object. */
export type AclFamily = "connect" | ObjectFamily;

/** The object a call is about. Volumes are named `pool/volume`. */
export interface AclSubject {
  family: AclFamily;
  name?: string;
  uuid?: string;
}

/**
 * One per-object rule, in the spirit of libvirt's polkit ACLs: an action on the objects of a
 * family whose name or UUID matches a glob (`*`, `?`). The first matching rule decides.
 */
export interface AclRule {
  action: "read" | "write" | "*";
  family?: AclFamily | "*";
  match: string;
  allow?: boolean;
}

/** Who is calling: a token's name, role and optional rules. */
export interface Principal {
  name: string;
  role: "full" | "read-only";
  /** Without rules, the role alone decides; with rules, what no rule allows is denied. */
  rules?: AclRule[];
}

/** The caller of a gateway started with `--auth none`. */
export const ANONYMOUS_FULL: Principal = { name: "anonymous", role: "full" };

/** Whether the role permits this kind of call at all (libvirt's read-only socket check). */
export function roleAllows(p: Principal, access: Access): boolean {
  return access === "read" || p.role === "full";
}

/**
 * Whether the rules let `p` act on `subject`. Secret reads count as writes: seeing a secret
 * value is as strong as changing the object.
 *
 * @example
 * ```ts
 * import { objectAllows } from "./acl.ts";
 * const p = { name: "t", role: "full" as const, rules: [{ action: "*" as const, match: "web-*" }] };
 * objectAllows(p, "write", { family: "domain", name: "web-1" }); // true
 * ```
 */
export function objectAllows(p: Principal, access: Access, subject: AclSubject): boolean {
  if (!p.rules) return true;
  const action = access === "read" ? "read" : "write";
  for (const r of p.rules) {
    if (r.action !== "*" && r.action !== action) continue;
    if (r.family !== undefined && r.family !== "*" && r.family !== subject.family) continue;
    const re = globToRegExp(r.match);
    if (
      (subject.name !== undefined && re.test(subject.name)) ||
      (subject.uuid !== undefined && re.test(subject.uuid))
    ) return r.allow !== false;
  }
  return false;
}

const globCache = new Map<string, RegExp>();

function globToRegExp(glob: string): RegExp {
  let re = globCache.get(glob);
  if (!re) {
    const body = glob.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(
      /\?/g,
      ".",
    );
    re = new RegExp(`^${body}$`);
    globCache.set(glob, re);
  }
  return re;
}
