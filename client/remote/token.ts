import type { RuntimeAdapter } from "../transport/types.ts";

/**
 * The bearer token for a remote connection, first found of: the `token` option, the
 * `EDGEVIRT_TOKEN` environment variable, the file named by the `tokenFile` option or by
 * `EDGEVIRT_TOKEN_FILE`, and `$XDG_CONFIG_HOME/edgevirt/token` (`~/.config/edgevirt/token`),
 * which `deno task start` writes on first run. Never taken from the URI.
 *
 * @example
 * ```ts
 * import { resolveToken } from "./token.ts";
 * import { fetchAdapter } from "../transport/fetch.ts";
 * await resolveToken({ token: "s3cret" }, fetchAdapter); // "s3cret"
 * ```
 */
export async function resolveToken(
  options: { token?: unknown; tokenFile?: unknown },
  adapter: RuntimeAdapter,
): Promise<string | undefined> {
  if (typeof options.token === "string" && options.token) return options.token;
  const fromEnv = adapter.env("EDGEVIRT_TOKEN");
  if (fromEnv) return fromEnv;
  const files = [
    typeof options.tokenFile === "string" ? options.tokenFile : undefined,
    adapter.env("EDGEVIRT_TOKEN_FILE"),
    defaultTokenFile(adapter),
  ];
  for (const file of files) {
    if (!file) continue;
    const text = (await adapter.readTextFile(file))?.trim();
    if (text) return text;
  }
  return undefined;
}

/** `$XDG_CONFIG_HOME/edgevirt/token`, or under `~/.config`; undefined without a home. */
export function defaultTokenFile(adapter: RuntimeAdapter): string | undefined {
  const config = adapter.env("XDG_CONFIG_HOME") ||
    (adapter.env("HOME") ? `${adapter.env("HOME")}/.config` : undefined);
  return config ? `${config}/edgevirt/token` : undefined;
}
