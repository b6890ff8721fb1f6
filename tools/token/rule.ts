import type { AclFamily, AclRule } from "../../gateway/acl.ts";
import { ACL_FAMILIES } from "../../util/contract/declare.ts";

const FAMILIES: readonly (AclFamily | "*")[] = ["*", "connect", ...ACL_FAMILIES];

/**
 * Parses a `--rule` of `deno task token create`: `[!]ACTION:FAMILY:GLOB`, ACTION being `read`,
 * `write` or `*`, a leading `!` making it a deny rule. Throws on anything else.
 *
 * @example
 * ```ts
 * import { parseRule } from "./rule.ts";
 * parseRule("read:domain:web-*"); // { action: "read", family: "domain", match: "web-*" }
 * ```
 */
export function parseRule(spec: string): AclRule {
  const deny = spec.startsWith("!");
  const m = /^(read|write|\*):([a-z_*]+):(.+)$/.exec(deny ? spec.slice(1) : spec);
  if (!m || !FAMILIES.includes(m[2] as AclFamily)) {
    throw new Error(
      `--rule wants [!]ACTION:FAMILY:GLOB (ACTION read, write or *; FAMILY one of ` +
        `${FAMILIES.join(", ")}), got '${spec}'`,
    );
  }
  const rule: AclRule = {
    action: m[1] as AclRule["action"],
    family: m[2] as AclFamily,
    match: m[3],
  };
  if (deny) rule.allow = false;
  return rule;
}

/** A rule as `--rule` spells it, for `list`. */
export function formatRule(rule: AclRule): string {
  return `${rule.allow === false ? "!" : ""}${rule.action}:${rule.family ?? "*"}:${rule.match}`;
}
