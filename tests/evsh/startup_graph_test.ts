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

/** Every module evsh can reach, dynamic imports included, as `deno info` reports them. */
async function evshGraph(): Promise<Map<string, GraphModule>> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", "tools/evsh/main.ts"],
    cwd: REPO_ROOT,
    stdout: "piped",
    stderr: "inherit",
  }).output();
  assert.ok(out.success, "deno info failed");
  const repo = new URL(`file://${REPO_ROOT}/`).href;
  const short = (s: string) => s.startsWith(repo) ? s.slice(repo.length) : s;
  const modules: GraphModule[] = JSON.parse(new TextDecoder().decode(out.stdout)).modules;
  return new Map(modules.map((m) => [short(m.specifier), {
    specifier: short(m.specifier),
    dependencies: m.dependencies?.map((d) => ({
      isDynamic: d.isDynamic,
      code: d.code && { specifier: short(d.code.specifier) },
    })),
  }]));
}

/** What loading `root` loads before it runs: its static imports, transitively. */
function staticClosure(graph: Map<string, GraphModule>, root: string): string[] {
  assert.ok(graph.has(root), `${root} is not in evsh's graph`);
  const seen = new Set<string>();
  const stack = [root];
  while (stack.length) {
    const s = stack.pop()!;
    if (seen.has(s)) continue;
    seen.add(s);
    for (const d of graph.get(s)?.dependencies ?? []) {
      if (d.code && !d.isDynamic) stack.push(d.code.specifier);
    }
  }
  return [...seen];
}

Deno.test("evsh's entry loads neither the client, the shell nor a package before it runs", async () => {
  const main = staticClosure(await evshGraph(), "tools/evsh/main.ts");
  // the constants come front-coded: their decoder is part of them
  const early = main.filter((s) =>
    !s.startsWith("tools/evsh/") &&
    !/^util\/(errors|error_messages|constants|front_coding)\.ts$/.test(s)
  );
  assert.deepEqual(early, [], "loaded by every evsh run, --version included");
  for (const later of ["tools/evsh/shell.ts", "tools/evsh/commands/mod.ts"]) {
    assert.ok(!main.includes(later), `${later} loads before the arguments are read`);
  }
});

Deno.test("neither the shell nor any handler loads the XML parser or a package at once", async () => {
  const graph = await evshGraph();
  const handlers = [...graph.keys()].filter((s) => /^tools\/evsh\/commands\/\w+\.ts$/.test(s));
  assert.ok(handlers.length > 40, `only ${handlers.length} handler modules found`);
  for (const root of ["tools/evsh/shell.ts", ...handlers]) {
    const closure = staticClosure(graph, root);
    const heavy = closure.filter((s) => /^(npm:|jsr:|node:)|^util\/xml\/parse|^drivers\//.test(s));
    assert.deepEqual(heavy, [], `${root} loads them at once`);
  }
});
