// What an evsh process loads before it runs a command. A one-command run is mostly start-up
// (tests/bench/evsh_vs_virsh.ts), so the command table is plain data and each handler module
// loads on first use: checked here on the table itself (it names exactly what each module
// defines) and on the module graph `deno info` reports, which is what Deno reads at start-up.
import assert from "node:assert/strict";
import { REPO_ROOT } from "../paths.ts";
import { COMMAND_MODULES, findCommand } from "../../tools/evsh/mod.ts";
import { cmdSpec } from "../../tools/evsh/virsh_defs.ts";

Deno.test("the command table names exactly what each handler module defines", async () => {
  const seen = new Set<string>();
  for (const m of COMMAND_MODULES) {
    const names = m.names.split(" ");
    assert.deepEqual((await m.load()).map((d) => d.name), names);
    for (const n of names) {
      assert.ok(!seen.has(n), `${n} is in two modules`);
      seen.add(n);
      assert.ok(cmdSpec(n), `${n} is no virsh command`);
      assert.equal((await findCommand(n))?.name, n);
    }
  }
  assert.equal(await findCommand("no-such-command"), undefined);
});

interface GraphModule {
  specifier: string;
  dependencies?: { code?: { specifier: string }; isDynamic?: boolean }[];
}

/** The modules `root` loads before it runs: its static imports, transitively (`deno info`). */
async function staticGraph(root: string): Promise<string[]> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", root],
    cwd: REPO_ROOT,
    stdout: "piped",
    stderr: "inherit",
  }).output();
  assert.ok(out.success, `deno info ${root} failed`);
  const info = JSON.parse(new TextDecoder().decode(out.stdout));
  const modules = new Map<string, GraphModule>(
    info.modules.map((m: GraphModule) => [m.specifier, m]),
  );
  const seen = new Set<string>();
  const stack: string[] = [info.roots[0]];
  while (stack.length) {
    const s = stack.pop()!;
    if (seen.has(s)) continue;
    seen.add(s);
    for (const d of modules.get(s)?.dependencies ?? []) {
      if (d.code && !d.isDynamic) stack.push(d.code.specifier);
    }
  }
  const repo = new URL(`file://${REPO_ROOT}/`).href;
  return [...seen].map((s) => s.startsWith(repo) ? s.slice(repo.length) : s);
}

Deno.test("evsh's entry loads neither the client, the shell nor a package before it runs", async () => {
  const graph = await staticGraph("tools/evsh/main.ts");
  const early = graph.filter((s) =>
    !s.startsWith("tools/evsh/") && !/^util\/(errors|error_messages|constants)\.ts$/.test(s)
  );
  assert.deepEqual(early, [], "loaded by every evsh run, --version included");
  for (const later of ["tools/evsh/shell.ts", "tools/evsh/commands/mod.ts"]) {
    assert.ok(!graph.includes(later), `${later} loads before the arguments are read`);
  }
});

Deno.test("the shell and the commands measured against virsh load no XML parser", async () => {
  const shell = await staticGraph("tools/evsh/shell.ts");
  const handlers = ["domain_list", "domain_info", "domain_vcpu"].map((m) =>
    `tools/evsh/commands/${m}.ts`
  );
  for (const root of ["tools/evsh/shell.ts", ...handlers]) {
    const graph = root === "tools/evsh/shell.ts" ? shell : await staticGraph(root);
    const heavy = graph.filter((s) => /^(npm:|jsr:|node:)|^util\/xml\/|^drivers\//.test(s));
    assert.deepEqual(heavy, [], `${root} loads them at once`);
    if (root !== "tools/evsh/shell.ts") {
      const others = graph.filter((s) => /^tools\/evsh\/commands\//.test(s) && s !== root);
      assert.deepEqual(others.filter((s) => !s.endsWith("/common.ts")), [], root);
    }
  }
});
