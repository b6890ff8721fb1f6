import { VirError } from "../../util/errors.ts";
import type { RuntimeAdapter } from "../transport/types.ts";

/** What {@link resolveToken} found. */
export interface FoundToken {
  /** The bearer token, if one was found. */
  readonly token?: string;
  /**
   * Why the default token file could not be read (no read permission: Deno's `NotCapable`
   * without `--allow-read`, the system's `PermissionDenied`): not an error by itself, since a
   * connection may need no token, but the reason to give when the gateway asks for one.
   */
  readonly unreadable?: string;
}

/**
 * The bearer token for a remote connection, first found of: the `token` option, the
 * `EDGEVIRT_TOKEN` environment variable, the file named by the `tokenFile` option or by
 * `EDGEVIRT_TOKEN_FILE`, and `$XDG_CONFIG_HOME/edgevirt/token` (`~/.config/edgevirt/token`),
 * which `deno task start` writes on first run. Never taken from the URI. A missing file is
 * skipped; a named file that cannot be read is libvirt's `VIR_ERR_SYSTEM_ERROR` ("Failed to
 * open file …"), and an unreadable default file is reported as {@link FoundToken.unreadable}.
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
  const fromEnv = adapter.env("EDGEVIRT_TOKEN");
  if (fromEnv) return { token: fromEnv };
  const named = [
    typeof options.tokenFile === "string" ? options.tokenFile : undefined,
    adapter.env("EDGEVIRT_TOKEN_FILE"),
  ];
  for (const file of named) {
    if (!file) continue;
    const token = await readToken(file, adapter).catch((e) => {
      throw VirError.report("NONE", "SYSTEM_ERROR", openFailure(file, e));
    });
    if (token) return { token };
  }
  const file = defaultTokenFile(adapter);
  if (!file) return {};
  return await readToken(file, adapter).then(
    (token) => (token ? { token } : {}),
    (e) => ({ unreadable: openFailure(file, e) }),
  );
}

async function readToken(file: string, adapter: RuntimeAdapter): Promise<string | undefined> {
  return (await adapter.readTextFile(file))?.trim() || undefined;
}

/** libvirt's `virFileReadAll` wording, with the runtime's reason (its error name first). */
function openFailure(file: string, e: unknown): string {
  const why = !(e instanceof Error)
    ? String(e)
    : e.name === "Error" || e.message.startsWith(e.name)
    ? e.message
    : `${e.name}: ${e.message}`;
  return `Failed to open file '${file}': ${why}`;
}

/** `$XDG_CONFIG_HOME/edgevirt/token`, or under `~/.config`; undefined without a home. */
export function defaultTokenFile(adapter: RuntimeAdapter): string | undefined {
  const config = adapter.env("XDG_CONFIG_HOME") ||
    (adapter.env("HOME") ? `${adapter.env("HOME")}/.config` : undefined);
  return config ? `${config}/edgevirt/token` : undefined;
}
