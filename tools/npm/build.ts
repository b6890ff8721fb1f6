/**
 * Builds the npm package's contents (`npm pack` runs it through `prepack`): the portable client
 * (`mod.ts`) bundled by esbuild into `dist/mod.js` with the portability tests' recipe, and its
 * declarations emitted by `tsc` into `dist/types/`. esbuild and tsc come from `$EDGEVIRT_TOOLS`
 * (what `.ci/run` installs) when they are there, else from npm through `npx`.
 *
 * ```sh
 * deno task build:npm   # then: npm pack --ignore-scripts, or plain npm pack (runs this again)
 * ```
 * @module
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { esbuildArgs } from "./esbuild_args.ts";
import { rewriteDeclarationImports } from "./declarations.ts";

const REPO_ROOT = dirname(dirname(dirname(fileURLToPath(import.meta.url))));
const DIST = join(REPO_ROOT, "dist");

async function tool(bin: string, npmPackage: string): Promise<string[]> {
  const dir = Deno.env.get("EDGEVIRT_TOOLS");
  if (dir && await Deno.stat(join(dir, bin)).then(() => true, () => false)) {
    return [join(dir, bin)];
  }
  return ["npx", "-y", "-p", npmPackage, bin];
}

async function run([cmd, ...pre]: string[], args: string[]): Promise<void> {
  const out = await new Deno.Command(cmd, { args: [...pre, ...args], cwd: REPO_ROOT }).output();
  if (out.code !== 0) {
    const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
    throw new Error(`${cmd} ${[...pre, ...args].join(" ")} failed:\n${text}`);
  }
}

async function emitDeclarations(outDir: string): Promise<void> {
  // `noCheck`: the graph holds each runtime's adapter (`Deno.*`, `process`), which tsc has no
  // types for; declarations need none of them, and `deno check` already type-checks the code.
  await run(await tool("tsc", "typescript@5"), [
    "mod.ts",
    "--declaration",
    "--emitDeclarationOnly",
    "--noCheck",
    "--allowImportingTsExtensions",
    ...["--target", "ES2022", "--module", "ESNext", "--moduleResolution", "bundler"],
    ...["--lib", "ES2022,DOM,DOM.Iterable", "--strict", "--outDir", outDir],
  ]);
  for await (const path of walkDeclarations(outDir)) {
    await Deno.writeTextFile(path, rewriteDeclarationImports(await Deno.readTextFile(path)));
  }
}

async function* walkDeclarations(dir: string): AsyncGenerator<string> {
  for await (const entry of Deno.readDir(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) yield* walkDeclarations(path);
    else if (entry.name.endsWith(".d.ts")) yield path;
  }
}

await Deno.remove(DIST, { recursive: true }).catch(() => {});
await run(await tool("esbuild", "esbuild@0"), [
  ...esbuildArgs("mod.ts"),
  `--outfile=${join(DIST, "mod.js")}`,
  "--log-level=warning",
]);
await emitDeclarations(join(DIST, "types"));
console.error(`edgevirt: npm package contents built in ${DIST}`);
