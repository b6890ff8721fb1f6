/**
 * How the client is bundled for other runtimes: one minified ES module, platform-neutral, with
 * the Node-only transport's imports left to the runtime that has them.
 *
 * @example
 * ```ts
 * import { esbuildArgs } from "./esbuild_args.ts";
 * esbuildArgs("client/mod.ts"); // ["client/mod.ts", "--bundle", …]
 * ```
 */
export function esbuildArgs(entry: string): string[] {
  return [
    entry,
    "--bundle",
    "--minify",
    "--format=esm",
    "--platform=neutral",
    "--external:undici",
    "--external:node:*",
  ];
}
