// The JSR package as `deno publish` sees it: the dry run passes without `--allow-slow-types`
// (every exported symbol of mod.ts, host.ts and driver_kit.ts has an explicit type, the contract
// tables included), ships the entry points and the licence, and no test file. Run by the Deno
// running the tests, with a proxy that refuses every connection: the dry run must need nothing
// beyond the cache the tests themselves use.
import assert from "node:assert/strict";
import { join } from "node:path";
import { REPO_ROOT } from "../paths.ts";

const DEAD_PROXY = "http://127.0.0.1:9";

Deno.test("deno publish --dry-run passes without --allow-slow-types and ships no test", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    // A working tree under development has uncommitted changes; the package is the same.
    args: ["publish", "--dry-run", "--allow-dirty"],
    cwd: REPO_ROOT,
    env: {
      NO_COLOR: "1",
      DENO_NO_UPDATE_CHECK: "1",
      HTTPS_PROXY: DEAD_PROXY,
      HTTP_PROXY: DEAD_PROXY,
      NO_PROXY: "",
    },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 0, text);
  assert.match(text, /^Success Dry run complete$/m, text);
  assert.doesNotMatch(text, /errors for slow types|^error/im, text);

  const files = [...text.matchAll(/^\s+file:\/\/(\/\S+) \(/gm)].map((m) =>
    decodeURIComponent(m[1])
  );
  const root = join(REPO_ROOT, "/");
  const shipped = files.map((f) => f.slice(root.length));
  for (const f of ["mod.ts", "host.ts", "driver_kit.ts", "LICENSE", "deno.json"]) {
    assert.ok(shipped.includes(f), `${f} not in the package:\n${shipped.join("\n")}`);
  }
  const tests = shipped.filter((f) => /(^|\/)tests\/|_test\.ts$/.test(f));
  assert.deepEqual(tests, [], "test files in the package");
});

Deno.test("deno lint enforces explicit public types (no-slow-types is not excluded)", async () => {
  const config = JSON.parse(await Deno.readTextFile(join(REPO_ROOT, "deno.json")));
  assert.ok(!config.lint?.rules?.exclude?.includes("no-slow-types"), "no-slow-types is excluded");
});
