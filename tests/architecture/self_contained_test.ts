// A clone of the project has no shared reference folder beside it, so the tests must not read
// it: the data they replay lives in tests/fixtures/, copied by tests/tools/record_fixtures.sh with
// its origin in tests/fixtures/SOURCES.tsv. Only the recording scripts (record_*, *.sh), which
// run the real libvirt of the oracle, and the benchmarks, which time it, may name the folder.
import assert from "node:assert/strict";
import { basename, join, relative } from "node:path";
import { FIXTURES, REPO_ROOT } from "../paths.ts";

const TESTS = join(REPO_ROOT, "tests");

/** The ways a path into the shared folder is spelt: relative, absolute, or joined in parts. */
const SHARED_PATH = [
  /\.\.\/shared\b/,
  /\/work\/shared\b/,
  /["']\.\.["']\s*,\s*["']shared["']/,
  /EDGEVIRT_[S]HARED/,
];

/** Files that may name the shared folder: recording scripts and benchmarks. */
function exempt(rel: string): boolean {
  const name = basename(rel);
  return name.startsWith("record_") || name.endsWith(".sh") || rel.startsWith("bench/");
}

/** Every file under `dir`, as paths relative to `root`. */
function filesUnder(dir: string, root: string = dir): string[] {
  const out: string[] = [];
  for (const e of Deno.readDirSync(dir)) {
    const p = join(dir, e.name);
    if (e.isDirectory) out.push(...filesUnder(p, root));
    else out.push(relative(root, p));
  }
  return out;
}

/** The first line of `text` that names the shared folder, or null. */
function sharedMention(text: string): string | null {
  return text.split("\n").find((l) => SHARED_PATH.some((re) => re.test(l))) ?? null;
}

Deno.test("no file under tests/ except recording scripts and benchmarks names the shared folder", () => {
  const files = filesUnder(TESTS).filter((f) => !exempt(f));
  assert.ok(files.length > 400, `only ${files.length} files scanned under ${TESTS}`);
  const bad = files.flatMap((f) => {
    const line = sharedMention(Deno.readTextFileSync(join(TESTS, f)));
    return line === null ? [] : [`tests/${f}: ${line.trim()}`];
  });
  assert.deepEqual(bad, []);
});

Deno.test("the shared-path check recognises each spelling and lets other text through", () => {
  // Spelt in pieces so that this file does not trip its own check.
  const [dots, work, env] = ["..", "/work", "EDGEVIRT_"];
  for (
    const line of [
      `join(SHARED, "${dots}/shared/oracle")`,
      `O=${work}/shared/oracle`,
      `os.path.join(HERE, '${dots}', 'shared', 'oracle')`,
      `Deno.env.get("${env}SHARED")`,
    ]
  ) assert.equal(sharedMention(`x\n${line}\n`), line);
  for (const line of ['domainXml("shared")', "tids: 'shared'", `${dots}/shared_memory.ts`]) {
    assert.equal(sharedMention(line), null);
  }
});

Deno.test("every fixture has its origin in SOURCES.tsv, with its size", () => {
  const rows = Deno.readTextFileSync(join(FIXTURES, "SOURCES.tsv")).trimEnd().split("\n")
    .slice(1).map((l) => l.split("\t"));
  const listed = new Map(rows.map((r) => [r[0], r]));
  assert.equal(listed.size, rows.length, "one row per file");
  const files = filesUnder(FIXTURES).filter((f) => f !== "SOURCES.tsv" && f !== "SOURCES.md");
  assert.deepEqual(files.filter((f) => !listed.has(f)), [], "files without a row");
  assert.deepEqual([...listed.keys()].filter((f) => !files.includes(f)), [], "rows without a file");
  for (const [local, shared, upstream, commit, size] of rows) {
    assert.ok(shared && upstream && commit, `${local}: origin missing`);
    const chars = [...Deno.readTextFileSync(join(FIXTURES, local))].length;
    assert.equal(String(chars), size, `${local}: size differs from SOURCES.tsv`);
  }
});
