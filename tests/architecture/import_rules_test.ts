// libvirt's module rule (libvirt 9.0's src/README), checked on every import of every file:
// drivers see only the public types, util/ and conf/; the client never reaches into drivers or
// the gateway, and only its transport adapters may touch runtime APIs; the wire protocol
// (protocol/) is neutral ground that imports neither side.
import assert from "node:assert/strict";
import { dirname, join, relative, resolve } from "node:path";
import { REPO_ROOT as ROOT } from "../paths.ts";

// dist/: the npm build (`deno task build:npm`), rewritten while the npm package test runs.
const SKIP = new Set(["node_modules", ".git", "tests", "dist"]);

function listTs(dir: string): string[] {
  const out: string[] = [];
  for (const e of Deno.readDirSync(dir)) {
    if (SKIP.has(e.name) || e.name.startsWith(".")) continue;
    const p = join(dir, e.name);
    if (e.isDirectory) out.push(...listTs(p));
    else if (e.name.endsWith(".ts")) out.push(p);
  }
  return out;
}

const IMPORT_RE =
  /(?:^|[\s;])(?:import|export)\s+(?:type\s+)?(?:[^'";]*?\sfrom\s+)?["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/gm;

/** Every module specifier a file imports or re-exports (static and dynamic). */
function importsOf(source: string): string[] {
  const out: string[] = [];
  for (const m of stripComments(source).matchAll(IMPORT_RE)) out.push(m[1] ?? m[2]);
  return out;
}

/** Source without block comments (JSDoc examples import freely) and whole-line comments. */
function stripComments(src: string): string {
  return src.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
}

/** The repo-relative path an import resolves to, or the bare specifier for packages. */
function target(file: string, spec: string): string {
  if (!spec.startsWith(".")) return spec;
  return relative(ROOT, resolve(dirname(file), spec));
}

const RUNTIME_ADAPTERS = /^client\/transport\/[^/]+\.ts$/;

function violations(): string[] {
  const bad: string[] = [];
  for (const file of listTs(ROOT)) {
    const rel = relative(ROOT, file);
    const src = Deno.readTextFileSync(file);
    for (const spec of importsOf(src)) {
      const t = target(file, spec);
      const local = spec.startsWith(".");
      if (rel.startsWith("drivers/")) {
        const own = rel.split("/").slice(0, 2).join("/") + "/";
        const ok = !local || t === "mod.ts" || t.startsWith("util/") || t.startsWith("conf/") ||
          t.startsWith(own);
        if (!ok) bad.push(`${rel}: driver imports ${t}`);
        if (t === "mod.ts" && !/^\s*import\s+type\b/m.test(lineOf(src, spec))) {
          bad.push(`${rel}: driver imports mod.ts for values, only types are allowed`);
        }
      }
      if (rel.startsWith("conf/") && local && !(t.startsWith("conf/") || t.startsWith("util/"))) {
        bad.push(`${rel}: conf imports ${t}`);
      }
      if (rel.startsWith("util/") && local && !t.startsWith("util/")) {
        bad.push(`${rel}: util imports ${t}`);
      }
      // The wire protocol is neutral ground: both the client and the gateway import it, so it
      // may itself import neither (nor any driver).
      if (
        rel.startsWith("protocol/") && local &&
        !(t.startsWith("protocol/") || t.startsWith("util/"))
      ) {
        bad.push(`${rel}: protocol imports ${t}`);
      }
      if (rel.startsWith("client/")) {
        if (
          local &&
          (t.startsWith("drivers/") || t.startsWith("gateway/") || t.startsWith("tools/"))
        ) {
          bad.push(`${rel}: client imports ${t}`);
        }
        if (!RUNTIME_ADAPTERS.test(rel) && /^(node:|npm:undici|undici$)/.test(spec)) {
          bad.push(`${rel}: client core imports runtime module ${spec}`);
        }
      }
    }
    if (rel.startsWith("client/") && !RUNTIME_ADAPTERS.test(rel)) {
      if (/\b(Deno|process|Bun)\s*\./.test(stripComments(src))) {
        bad.push(`${rel}: client core uses a runtime API`);
      }
    }
  }
  return bad;
}

function lineOf(src: string, spec: string): string {
  return src.split("\n").find((l) => l.includes(`"${spec}"`) || l.includes(`'${spec}'`)) ?? "";
}

Deno.test("module rule: drivers, conf, util and client import only what libvirt's layering allows", () => {
  assert.deepEqual(violations(), []);
});

Deno.test("import scanner sees static, type-only, re-export and dynamic imports", () => {
  const src = [
    `import { a } from "./a.ts";`,
    `import type { B } from "../b.ts";`,
    `export * from "./c.ts";`,
    `const d = await import("./d.ts");`,
    `import "./e.ts";`,
    `/** @example import { x } from "./hidden.ts"; */`,
  ].join("\n");
  assert.deepEqual(importsOf(src), ["./a.ts", "../b.ts", "./c.ts", "./d.ts", "./e.ts"]);
});

Deno.test("the rule catches a driver importing another driver or the client", () => {
  const file = join(ROOT, "drivers/simulator/x.ts");
  assert.equal(target(file, "../qemu/mod.ts"), "drivers/qemu/mod.ts");
  assert.equal(target(file, "../../client/connection.ts"), "client/connection.ts");
});
