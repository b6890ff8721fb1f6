/**
 * The token tool (`deno task token`): its commands as functions, for tests and scripts.
 *
 * @example
 * ```ts ignore
 * import { createToken } from "./mod.ts";
 * const { token } = await createToken("/tmp/tokens.json", { role: "full" }, new Date());
 * ```
 * @module
 */
export { type CreateRequest, createToken, listTokens, revokeToken } from "./commands.ts";
export { parseExpires } from "./expires.ts";
export { formatRule, parseRule } from "./rule.ts";
