// The tools `.ci/run` installs outside the checkout for the tests that drive other runtimes and
// a browser: npm's binaries (esbuild, tsc, bun, workerd, redocly) and playwright-core under
// EDGEVIRT_TOOLS, and Debian's Chromium. A test that needs them is ignored on a developer machine
// that lacks them and fails under CI, which installs them.
import { createRequire } from "node:module";
import { join } from "node:path";

/** npm's `.bin` folder of the tools; `.ci/run`'s default when EDGEVIRT_TOOLS is not set. */
export const TOOLS: string = Deno.env.get("EDGEVIRT_TOOLS") ??
  join(Deno.env.get("TMPDIR") ?? "/tmp", "edgevirt-ci-tools/node_modules/.bin");

/** Debian's Chromium, which playwright-core drives. */
export const CHROMIUM: string = Deno.env.get("EDGEVIRT_CHROMIUM") ?? "/usr/bin/chromium";

/** The path of playwright-core beside the `.bin` folder. */
export const PLAYWRIGHT: string = join(TOOLS, "..", "playwright-core");

/** The paths of `paths` that do not exist. */
export async function missingPaths(paths: string[]): Promise<string[]> {
  const found = await Promise.all(paths.map((p) => Deno.stat(p).then(() => true, () => false)));
  return paths.filter((_, i) => !found[i]);
}

/** Whether a test needing `missing` is ignored: only outside CI. */
export const ignoreWithout = (missing: string[]): boolean =>
  missing.length > 0 && !Deno.env.get("CI");

/** A launched headless Chromium whose pages have the API `P` the test declares. */
export interface Browser<P> {
  newPage(): Promise<P>;
  close(): Promise<void>;
}

/** Launches headless Chromium through playwright-core (`extraArgs` added to Chromium's). */
export function launchChromium<P>(extraArgs: string[] = []): Promise<Browser<P>> {
  const { chromium } = createRequire(import.meta.url)(PLAYWRIGHT) as {
    chromium: {
      launch(options: { executablePath: string; args: string[]; timeout: number }): Promise<
        Browser<P>
      >;
    };
  };
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", ...extraArgs],
    timeout: 15_000,
  });
}
