import { dirname } from "node:path";
import { hashToken, newToken, type TokenFile, TokenStore } from "./tokens.ts";

/** `$XDG_CONFIG_HOME/edgevirt` (or `~/.config/edgevirt`): where tokens live by default. */
export function configDir(): string {
  const xdg = Deno.env.get("XDG_CONFIG_HOME");
  const home = Deno.env.get("HOME");
  if (xdg) return `${xdg}/edgevirt`;
  if (home) return `${home}/.config/edgevirt`;
  throw new Error("neither XDG_CONFIG_HOME nor HOME is set: pass --token-file");
}

/** What {@link loadOrCreateTokens} did. */
export interface LoadedTokens {
  store: TokenStore;
  /** Set on first run: the file holding the new admin token in clear, for the client. */
  createdClientToken?: string;
}

/**
 * Loads the token file, or on first run creates it with one `full` admin token. The token file
 * holds only SHA-256 hashes; the admin token itself goes to `token` next to it (mode 0600),
 * which is where the client looks by default.
 *
 * @example
 * ```ts ignore
 * const { store } = await loadOrCreateTokens(`${configDir()}/tokens.json`);
 * ```
 */
export async function loadOrCreateTokens(path: string): Promise<LoadedTokens> {
  try {
    const file = JSON.parse(await Deno.readTextFile(path)) as TokenFile;
    if (file.version !== 1 || !Array.isArray(file.tokens)) {
      throw new Error(`${path}: expected {"version": 1, "tokens": [...]}`);
    }
    return { store: new TokenStore(file.tokens) };
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  const token = newToken();
  const file: TokenFile = {
    version: 1,
    tokens: [{ name: "admin", sha256: await hashToken(token), role: "full" }],
  };
  await Deno.mkdir(dirname(path), { recursive: true, mode: 0o700 });
  await Deno.writeTextFile(path, JSON.stringify(file, null, 2) + "\n", { mode: 0o600 });
  const clientToken = `${dirname(path)}/token`;
  await Deno.writeTextFile(clientToken, token + "\n", { mode: 0o600 });
  return { store: new TokenStore(file.tokens), createdClientToken: clientToken };
}
