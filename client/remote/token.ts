import { VirError } from "../../util/errors.ts";
import type { RuntimeAdapter } from "../transport/types.ts";

/** What {@link resolveToken} found. */
export interface FoundToken {
  /** The bearer token, if one was found. */
  readonly token?: string;
  /**
   * Where the token could not be looked for, and why: environment variables the runtime would
   * not read (Deno's `NotCapable` without `--allow-env`) and a default token file it could not
   * read (`NotCapable` without `--allow-read`, the system's `PermissionDenied`). Not an error by
   * itself, since a connection may need no token, but the reason to give when the gateway asks
   * for one.
   */
  readonly notRead?: string;
}

/**
 * The bearer token for a remote connection, first found of: the `token` option, the
 * `EDGEVIRT_TOKEN` environment variable, the file named by the `tokenFile` option or by
 * `EDGEVIRT_TOKEN_FILE`, and `$XDG_CONFIG_HOME/edgevirt/token` (`~/.config/edgevirt/token`),
 * which `deno task start` writes on first run. Never taken from the URI. A missing file is
 * skipped; a named file that cannot be read is libvirt's `VIR_ERR_SYSTEM_ERROR` ("Failed to
 * open file …"); an unreadable default file and unreadable variables are reported as
 * {@link FoundToken.notRead}.
 *
 * @example
 * ```ts
 * import { resolveToken } from "./token.ts";
 * import { fetchAdapter } from "../transport/fetch.ts";
 * await resolveToken({ token: "s3cret" }, fetchAdapter); // { token: "s3cret" }
 * ```
 */
export async function resolveToken(
  options: { token?: unknown; tokenFile?: unknown },
  adapter: RuntimeAdapter,
): Promise<FoundToken> {
  if (typeof options.token === "string" && options.token) return { token: options.token };
  const env = notingEnv(adapter);
  const fromEnv = env.env("EDGEVIRT_TOKEN");
  if (fromEnv) return { token: fromEnv };
  const named = [
    typeof options.tokenFile === "string" ? options.tokenFile : undefined,
    env.env("EDGEVIRT_TOKEN_FILE"),
  ];
  for (const file of named) {
    if (!file) continue;
    const token = await readToken(file, adapter).catch((e) => {
      throw VirError.report("NONE", "SYSTEM_ERROR", openFailure(file, e));
    });
    if (token) return { token };
  }
  const file = defaultTokenFile(env);
  const fileNote = file === undefined ? undefined : await readToken(file, adapter).then(
    (token) => (token ? { token } : undefined),
    (e) => `the token file was not read: ${openFailure(file, e)}`,
  );
  if (typeof fileNote === "object") return fileNote;
  const notRead = [env.note(), fileNote].filter((n) => n !== undefined).join("; ");
  return notRead ? { notRead } : {};
}

async function readToken(file: string, adapter: RuntimeAdapter): Promise<string | undefined> {
  return (await adapter.readTextFile(file))?.trim() || undefined;
}

/**
 * The adapter's environment with every lookup the runtime refuses taken as unset and noted:
 * one refused variable must not hide a token the others lead to.
 */
function notingEnv(adapter: RuntimeAdapter): Pick<RuntimeAdapter, "env"> & {
  /** The refused variables and the first refusal, or undefined when none was refused. */
  note(): string | undefined;
} {
  const refused: string[] = [];
  let first: unknown;
  return {
    env(name) {
      try {
        return adapter.env(name);
      } catch (e) {
        if (!refused.length) first = e;
        refused.push(name);
        return undefined;
      }
    },
    note: () =>
      refused.length
        ? `the environment was not read (${refused.join(", ")}): ${reasonOf(first)}`
        : undefined,
  };
}

/** The runtime's reason, its error name first (`NotCapable: Requires …`). */
function reasonOf(e: unknown): string {
  return !(e instanceof Error)
    ? String(e)
    : e.name === "Error" || e.message.startsWith(e.name)
    ? e.message
    : `${e.name}: ${e.message}`;
}

/** libvirt's `virFileReadAll` wording, with the runtime's reason. */
function openFailure(file: string, e: unknown): string {
  return `Failed to open file '${file}': ${reasonOf(e)}`;
}

/**
 * `$XDG_CONFIG_HOME/edgevirt/token`, or under `~/.config`; undefined without a home. A
 * variable the runtime refuses to read is thrown.
 */
export function defaultTokenFile(adapter: Pick<RuntimeAdapter, "env">): string | undefined {
  let config = adapter.env("XDG_CONFIG_HOME");
  if (!config) {
    const home = adapter.env("HOME");
    config = home ? `${home}/.config` : undefined;
  }
  return config ? `${config}/edgevirt/token` : undefined;
}
