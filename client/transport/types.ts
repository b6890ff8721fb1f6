import type { GatewayFetch } from "../../util/driver.ts";

/** What the portable client needs from a runtime beyond `fetch`. */
export interface RuntimeAdapter {
  /** For diagnostics: `deno`, `node`, `bun`, `fetch`. */
  readonly name: string;
  /**
   * An environment variable, or `undefined` when it is not set or the runtime has none; a
   * lookup the runtime refuses (Deno without `--allow-env`) is thrown, so that it is never taken
   * for an unset variable.
   */
  env(name: string): string | undefined;
  /**
   * A file's text, or `undefined` when it does not exist or the runtime has no files; any other
   * failure (no permission to read it) is thrown, so that it is never taken for a missing file.
   */
  readTextFile(path: string): Promise<string | undefined>;
  /** A `fetch` that sends every request over the unix socket at `path` (keep-alive). */
  unixFetch(path: string): Promise<GatewayFetch>;
}
