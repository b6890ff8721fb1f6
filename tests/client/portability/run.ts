/**
 * Runs the portability scenario against one real gateway process from Deno, Node (the client
 * bundled by esbuild into one .mjs), Bun and workerd (`no_nodejs_compat`, the gateway reached
 * through a service binding), and checks that every runtime prints Deno's lines.
 *
 * ```sh
 * npm i --prefix /tmp/edgevirt-ci-tools esbuild bun workerd   # tools, outside the repo, as .ci/run
 * deno run -A tests/client/portability/run.ts [--tools /tmp/edgevirt-ci-tools/node_modules/.bin]
 * ```
 * A runtime whose binary is missing is reported as "not installed", never as passed.
 * @module
 */
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { spawnGateway } from "../../gateway/process.ts";
import { esbuildArgs } from "../../../tools/npm/esbuild_args.ts";
import { runPortableScenario } from "./scenario.ts";
import { TOOLS } from "../../ci_tools.ts";

const here = fileURLToPath(new URL(".", import.meta.url));
const { tools } = parseArgs({
  args: Deno.args,
  options: { tools: { type: "string", default: TOOLS } },
}).values;

async function exists(path: string): Promise<boolean> {
  return await Deno.stat(path).then(() => true, () => false);
}

async function run(cmd: string, args: string[], env: Record<string, string> = {}) {
  const out = await new Deno.Command(cmd, { args, env, stdout: "piped", stderr: "piped" })
    .output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  if (out.code !== 0) throw new Error(`${cmd} ${args.join(" ")}: ${text(out.stderr)}`);
  return text(out.stdout);
}

async function bundle(entry: string, outfile: string): Promise<void> {
  await run(`${tools}/esbuild`, [...esbuildArgs(entry), `--outfile=${outfile}`]);
}

async function workerd(dir: string, gwPort: number, token: string): Promise<string> {
  await bundle(`${here}worker_main.ts`, `${dir}/worker.mjs`);
  const port = 20000 + Math.floor(Math.random() * 20000);
  await Deno.writeTextFile(
    `${dir}/config.capnp`,
    `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "main", worker = .client),
    (name = "gateway", external = (address = "127.0.0.1:${gwPort}", http = ())),
  ],
  sockets = [(name = "http", address = "127.0.0.1:${port}", http = (), service = "main")],
);
const client :Workerd.Worker = (
  modules = [(name = "worker.mjs", esModule = embed "worker.mjs")],
  compatibilityDate = "2025-01-01",
  compatibilityFlags = ["no_nodejs_compat"],
  bindings = [
    (name = "GW", service = "gateway"),
    (name = "URI", text = "test+http://127.0.0.1:${gwPort}/default"),
    (name = "TOKEN", text = "${token}"),
  ],
);
`,
  );
  const child = new Deno.Command(`${tools}/workerd`, {
    args: ["serve", `${dir}/config.capnp`],
    stdout: "null",
    stderr: "null",
  }).spawn();
  try {
    for (let i = 0; i < 100; i++) {
      try {
        const res = await fetch(`http://127.0.0.1:${port}/`);
        return await res.text();
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    throw new Error("workerd did not answer");
  } finally {
    child.kill("SIGTERM");
    await child.status;
  }
}

const gw = await spawnGateway();
const dir = await Deno.makeTempDir({ prefix: "edgevirt-port-" });
const uri = `test+http://127.0.0.1:${gw.port}/default`;
const results: [string, string][] = [];
let failed = false;
try {
  const expected = (await runPortableScenario({ uri, token: gw.token })).join("\n") + "\n";
  results.push(["deno", "reference"]);
  console.log(expected);
  await bundle(`${here}node_main.ts`, `${dir}/client.mjs`);
  const env = { EDGEVIRT_URI: uri, EDGEVIRT_TOKEN: gw.token, PATH: Deno.env.get("PATH")! };
  const runtimes: [string, () => Promise<string>][] = [
    [
      "node " + (await run("node", ["--version"])).trim(),
      () => run("node", [`${dir}/client.mjs`], env),
    ],
    ["bun", () => run(`${tools}/bun`, [`${dir}/client.mjs`], env)],
    ["workerd", () => workerd(dir, gw.port, gw.token)],
  ];
  for (const [name, fn] of runtimes) {
    const bin = name.startsWith("node") ? "node" : `${tools}/${name}`;
    if (bin !== "node" && !(await exists(bin))) {
      results.push([name, "not installed"]);
      continue;
    }
    try {
      const got = await fn();
      const same = got === expected;
      failed ||= !same;
      results.push([name, same ? "same output" : `DIFFERENT:\n${got}`]);
    } catch (e) {
      failed = true;
      results.push([name, `FAILED: ${(e as Error).message}`]);
    }
  }
} finally {
  await gw.stop();
  await Deno.remove(dir, { recursive: true });
}
for (const [name, verdict] of results) console.log(`${name}: ${verdict}`);
Deno.exit(failed ? 1 : 0);
