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
    return { store: new TokenStore((await readTokenFile(path)).tokens) };
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  const token = newToken();
  const file: TokenFile = {
    version: 1,
    tokens: [{ name: "admin", sha256: await hashToken(token), role: "full" }],
  };
  await Deno.mkdir(dirname(path), { recursive: true, mode: 0o700 });
  await writeTokenFile(path, file);
  const clientToken = `${dirname(path)}/token`;
  await Deno.writeTextFile(clientToken, token + "\n", { mode: 0o600 });
  return { store: new TokenStore(file.tokens), createdClientToken: clientToken };
}

/**
 * Reads and checks a token file (shape and every record); a missing file throws `Deno.errors.NotFound`,
 * anything else an `Error` whose message starts with the path.
 *
 * @example
 * ```ts ignore
 * const { tokens } = await readTokenFile(`${configDir()}/tokens.json`);
 * ```
 */
export async function readTokenFile(path: string): Promise<TokenFile> {
  const text = await Deno.readTextFile(path);
  let file: TokenFile;
  try {
    file = JSON.parse(text);
  } catch (e) {
    throw new Error(`${path}: not JSON: ${(e as Error).message}`);
  }
  if (file?.version !== 1 || !Array.isArray(file.tokens)) {
    throw new Error(`${path}: expected {"version": 1, "tokens": [...]}`);
  }
  try {
    new TokenStore(file.tokens);
  } catch (e) {
    throw new Error(`${path}: ${(e as Error).message}`);
  }
  return file;
}

/**
 * Writes a token file (mode 0600) through a temporary file and a rename, so that a gateway
 * reloading it never reads half a file.
 *
 * @example
 * ```ts ignore
 * await writeTokenFile("/tmp/tokens.json", { version: 1, tokens: [] });
 * ```
 */
export async function writeTokenFile(path: string, file: TokenFile): Promise<void> {
  await writeJson(path, file);
}

async function writeJson(path: string, value: unknown): Promise<void> {
  const temp = `${path}.${Deno.pid}.tmp`;
  await Deno.writeTextFile(temp, JSON.stringify(value, null, 2) + "\n", { mode: 0o600 });
  await Deno.rename(temp, path);
}

/** Beside the token file: when the gateway last accepted each token, by name. */
export function lastUsedPath(tokenFile: string): string {
  return `${tokenFile}.last-used`;
}

/**
 * The last-use times the gateway wrote beside `tokenFile` (name → ISO 8601), `{}` before any.
 *
 * @example
 * ```ts ignore
 * const used = await readLastUsed(`${configDir()}/tokens.json`);
 * ```
 */
export async function readLastUsed(tokenFile: string): Promise<Record<string, string>> {
  try {
    return JSON.parse(await Deno.readTextFile(lastUsedPath(tokenFile)));
  } catch (e) {
    if (e instanceof Deno.errors.NotFound || e instanceof SyntaxError) return {};
    throw e;
  }
}

/** How often the gateway writes the last-use times (also on SIGHUP and when it stops). */
const LAST_USED_EVERY_MS = 60_000;

/**
 * Reloads `store` from `path` on SIGHUP and whenever the file changes (the directory is watched,
 * as {@link writeTokenFile} replaces the file); a file that does not load leaves the tokens as
 * they were and is reported through `log`. Writes the tokens' last-use times beside the file
 * (for `deno task token list`) every minute, on SIGHUP and at the end. Returns the function
 * that stops watching.
 *
 * @example
 * ```ts ignore
 * const stop = watchTokenFile(path, store, (m) => console.error(m));
 * await stop();
 * ```
 */
export function watchTokenFile(
  path: string,
  store: TokenStore,
  log: (message: string) => void,
): () => Promise<void> {
  let queued: Promise<void> = Promise.resolve();
  let written = "{}";
  const saveLastUsed = async () => {
    const used = store.lastUsed();
    const text = JSON.stringify(used);
    if (text === written) return;
    await writeJson(lastUsedPath(path), used).then(
      () => written = text,
      (e) => log(`cannot write ${lastUsedPath(path)}: ${(e as Error).message}`),
    );
  };
  const timer = setInterval(() => queued = queued.then(saveLastUsed), LAST_USED_EVERY_MS);
  Deno.unrefTimer(timer);
  const reload = (why: string) => {
    queued = queued.then(async () => {
      if (why === "SIGHUP") await saveLastUsed();
      try {
        store.replace((await readTokenFile(path)).tokens);
        log(`reloaded the tokens (${why})`);
      } catch (e) {
        log(`keeping the tokens loaded before: ${(e as Error).message}`);
      }
    });
  };
  const onHup = () => reload("SIGHUP");
  Deno.addSignalListener("SIGHUP", onHup);
  const watcher = Deno.watchFs(dirname(path), { recursive: false });
  const name = path.slice(dirname(path).length + 1);
  (async () => {
    for await (const event of watcher) {
      if (event.kind === "access") continue;
      if (event.paths.some((p) => p.endsWith(`/${name}`))) reload("file changed");
    }
  })().catch(() => {});
  return async () => {
    Deno.removeSignalListener("SIGHUP", onHup);
    clearInterval(timer);
    watcher.close();
    await queued.then(saveLastUsed);
  };
}
