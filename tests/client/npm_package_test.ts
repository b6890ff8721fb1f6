// The npm package as a user gets it: `npm pack` in the checkout (its `prepack` builds dist/),
// `npm install --offline` of the tarball into an empty folder, then the README's Install example
// run by Node and Bun against a real gateway process, and type-checked by tsc against the
// installed declarations. The tools come from npm (`.ci/run` installs them into EDGEVIRT_TOOLS).
// Without them the test is ignored on a developer machine and fails under CI.
import assert from "node:assert/strict";
import { join } from "node:path";
import { spawnGateway } from "../gateway/process.ts";
import { REPO_ROOT } from "../paths.ts";
import { ignoreWithout, missingPaths, TOOLS } from "../ci_tools.ts";

const missing = await missingPaths(["esbuild", "tsc", "bun"].map((bin) => join(TOOLS, bin)));
const present = missing.length === 0;
const ignore = ignoreWithout(missing);

async function run(cmd: string, args: string[], cwd: string, env: Record<string, string> = {}) {
  const out = await new Deno.Command(cmd, { args, cwd, env, stdout: "piped", stderr: "piped" })
    .output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  assert.equal(out.code, 0, `${cmd} ${args.join(" ")}:\n${text(out.stdout)}${text(out.stderr)}`);
  return text(out.stdout);
}

/** The README's Install example, the first `js` block of that section. */
async function readmeExample(): Promise<string> {
  const readme = await Deno.readTextFile(join(REPO_ROOT, "README.md"));
  const install = readme.slice(readme.indexOf("\n## Install\n"));
  const block = /\n```js\n([\s\S]*?)\n```\n/.exec(install);
  assert.ok(block, "README: no js example under ## Install");
  return block[1];
}

Deno.test({
  name: "npm pack → npm install in an empty folder → the README example runs on Node and Bun",
  ignore,
  async fn(t) {
    assert.ok(present, `npm package tools missing: ${missing.join(", ")}`);
    const dir = await Deno.makeTempDir({ prefix: "edgevirt-npm-" });
    const gw = await spawnGateway();
    try {
      const example = await readmeExample();
      assert.match(example, /127\.0\.0\.1:16510/);
      // npm keeps the user's cache; the example gets an empty HOME (no token file there).
      const env = { EDGEVIRT_TOOLS: TOOLS };
      await run("npm", ["pack", "--pack-destination", dir], REPO_ROOT, env);
      const tarball = [...Deno.readDirSync(dir)].find((e) => /^edgevirt-.*\.tgz$/.test(e.name));
      assert.ok(tarball, "npm pack made no tarball");
      const app = join(dir, "app");
      await Deno.mkdir(app);
      // undici is optional (unix sockets on Node): left out, the install needs no network.
      await run(
        "npm",
        [
          "install",
          "--offline",
          "--omit=optional",
          "--no-audit",
          "--no-fund",
          join(dir, tarball.name),
        ],
        app,
        env,
      );
      const source = example.replace("127.0.0.1:16510", `127.0.0.1:${gw.port}`);
      await Deno.writeTextFile(join(app, "example.mjs"), source);
      await Deno.writeTextFile(join(app, "example.mts"), source);
      const runEnv = { PATH: Deno.env.get("PATH")!, HOME: dir, EDGEVIRT_TOKEN: gw.token };
      const node = (await run("node", ["--version"], app)).trim();
      for (const [name, bin] of [[`node ${node}`, "node"], ["bun", join(TOOLS, "bun")]]) {
        await t.step(name, async () => {
          const out = await run(bin, ["example.mjs"], app, runEnv);
          assert.match(out, /nrVirtCpu: 1,/, out);
          assert.match(out, /^VIR_ERR_NO_DOMAIN Domain not found$/m, out);
        });
      }
      await t.step("tsc: the example type-checks against the installed .d.ts", async () => {
        await run(join(TOOLS, "tsc"), [
          "--noEmit",
          "--strict",
          ...["--target", "ES2022", "--module", "NodeNext", "--moduleResolution", "NodeNext"],
          ...["--lib", "ES2022,DOM,DOM.Iterable", "example.mts"],
        ], app);
      });
    } finally {
      await gw.stop();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
