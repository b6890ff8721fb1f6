import { hashToken, newToken, type TokenFile, type TokenRecord } from "../../gateway/tokens.ts";
import { readLastUsed, readTokenFile, writeTokenFile } from "../../gateway/token_file.ts";
import type { AclRule } from "../../gateway/acl.ts";
import { formatTable } from "../evsh/table.ts";
import { formatRule } from "./rule.ts";

/** What `create` is asked for. */
export interface CreateRequest {
  role: "full" | "read-only";
  rules?: AclRule[];
  /** ISO 8601. */
  expires?: string;
  /** The id; a fresh `tok-…` one by default. */
  name?: string;
}

async function readOrEmpty(path: string): Promise<TokenFile> {
  try {
    return await readTokenFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return { version: 1, tokens: [] };
    throw e;
  }
}

/**
 * Adds a token to the file (created if missing) and returns it in clear: the file keeps only
 * its SHA-256, so this is the one time it is seen.
 *
 * @example
 * ```ts ignore
 * const { id, token } = await createToken("/tmp/tokens.json", { role: "read-only" }, new Date());
 * ```
 */
export async function createToken(
  path: string,
  req: CreateRequest,
  now: Date,
): Promise<{ id: string; token: string }> {
  const file = await readOrEmpty(path);
  const id = req.name ?? `tok-${crypto.randomUUID().slice(0, 8)}`;
  if (file.tokens.some((t) => t.name === id)) throw new Error(`a token '${id}' exists already`);
  const token = newToken();
  const record: TokenRecord = {
    name: id,
    sha256: await hashToken(token),
    role: req.role,
    created: now.toISOString(),
  };
  if (req.rules?.length) record.rules = req.rules;
  if (req.expires) record.expires = req.expires;
  await writeTokenFile(path, { ...file, tokens: [...file.tokens, record] });
  return { id, token };
}

/**
 * Removes the token `id` from the file; throws when there is none.
 *
 * @example
 * ```ts ignore
 * await revokeToken("/tmp/tokens.json", "tok-1a2b3c4d");
 * ```
 */
export async function revokeToken(path: string, id: string): Promise<void> {
  const file = await readTokenFile(path);
  const tokens = file.tokens.filter((t) => t.name !== id);
  if (tokens.length === file.tokens.length) throw new Error(`no token '${id}' in ${path}`);
  await writeTokenFile(path, { ...file, tokens });
}

/**
 * The tokens of the file as a virsh-style table (id, role, rules, created, last used as the
 * gateway last wrote it, expires), never
 * their hashes.
 *
 * @example
 * ```ts ignore
 * console.log(await listTokens("/tmp/tokens.json"));
 * ```
 */
export async function listTokens(path: string): Promise<string> {
  const used = await readLastUsed(path);
  const rows = (await readTokenFile(path)).tokens.map((t) => [
    t.name,
    t.role,
    t.rules?.map(formatRule).join(",") || "-",
    t.created ?? "-",
    used[t.name] ?? "-",
    t.expires ?? "-",
  ]);
  return formatTable(["Id", "Role", "Rules", "Created", "Last used", "Expires"], rows);
}
