/**
 * Replays the recorded generated scenarios through the TypeScript scenario runner (in-process,
 * test:///default) and compares each op's line with libvirt's. As a command,
 * `deno run -A tests/tools/apigen/compare.ts [RECORDING] [--all]` prints the figures and the
 * differing ops grouped by method (`--all` prints every differing line pair).
 *
 * @example
 * ```ts
 * import { readGenerated } from "./recording.ts";
 * import { replay, summarize } from "./compare.ts";
 * const rows = await readGenerated("tests/conformance/generated/recorded.jsonl.gz");
 * console.log(summarize(await replay(rows.slice(0, 1))));
 * ```
 * @module
 */
import { scenarioLines } from "../scenario/runner.ts";
import { readGenerated, type RecordedScenario } from "./recording.ts";

/** One op's comparison. */
export interface OpResult {
  /** `file:i`, the op's identity in known_differences.json. */
  id: string;
  op: string;
  /** Byte for byte, or the same list where libvirt's order is its hash tables' (random). */
  same: boolean;
  /** libvirt's own runs of this op differed (clock values, hash order): not comparable. */
  unstable: boolean;
  /** Both failed with the same code and domain, or neither failed with a libvirt error. */
  sameError: boolean;
  /** libvirt's error code (null when the op did not fail in libvirt). */
  expectedCode: number | null;
  expected: string;
  actual: string;
}

interface Line {
  op?: string;
  result?: unknown;
  error?: { code: number | null; domain?: number };
}

/**
 * Methods whose lists come in the order of libvirt's hash tables, which are seeded at random
 * per process (virhash.c): the same list in another order is the same answer.
 */
const HASH_ORDERED = /^(listAll|list[A-Z]|getAllDomainStats$)/;

/** The line with its result list sorted, for a method of {@link HASH_ORDERED}. */
function unordered(line: string): string {
  // A snapshot's or checkpoint's creation time is the clock's when it was taken.
  line = line.replace(/<creationTime>\d+<\/creationTime>/g, "<creationTime/>");
  try {
    const l = JSON.parse(line) as Line;
    if (!HASH_ORDERED.test(l.op ?? "") || !Array.isArray(l.result)) return line;
    l.result = l.result.map((x) => JSON.stringify(x)).sort();
    return JSON.stringify(l);
  } catch {
    return line;
  }
}

function errorOf(line: string): [number | null, number | null] {
  try {
    const e = (JSON.parse(line) as Line).error;
    return e ? [e.code, e.domain ?? null] : [null, null];
  } catch {
    return [null, null];
  }
}

/**
 * The prefix of the files the generated save/restore ops use (catalog.ts). A replay moves them
 * into a directory of its own, absent when each scenario starts as record.sh has them, so that
 * runs at the same time never share them; answers naming them are moved back.
 */
const SAVE_PREFIX = "/tmp/apigen";

/** Runs every recorded scenario and compares line by line (the header excluded). */
export async function replay(rows: RecordedScenario[]): Promise<OpResult[]> {
  const dir = await Deno.makeTempDir({ prefix: "apigen-" });
  try {
    const out: OpResult[] = [];
    for (const row of rows) out.push(...await replayOne(row, dir));
    return out;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function replayOne(row: RecordedScenario, dir: string): Promise<OpResult[]> {
  for await (const f of Deno.readDir(dir)) await Deno.remove(`${dir}/${f.name}`);
  const mine = `${dir}/apigen`;
  const got = (await scenarioLines(row.scenario.replaceAll(SAVE_PREFIX, mine), {
    uri: "test:///default",
  })).map((l) => l.replaceAll(mine, SAVE_PREFIX));
  return row.lines.slice(1).map((expected, k) => {
    const actual = got[k + 1] ?? "(missing)";
    const [ec, ed] = errorOf(expected);
    const [ac, ad] = errorOf(actual);
    return {
      id: `${row.name}:${k}`,
      op: (JSON.parse(expected) as Line).op ?? "?",
      same: expected === actual || unordered(expected) === unordered(actual),
      unstable: row.unstable.includes(k + 1),
      sameError: ec === ac && ed === ad,
      expectedCode: ec,
      expected,
      actual,
    };
  });
}

/** The figures: identical ops, ops with libvirt's error code and domain. */
export function summarize(results: OpResult[]): string {
  const same = results.filter((r) => r.same).length;
  const errs = results.filter((r) => r.sameError).length;
  const unstable = results.filter((r) => r.unstable && !r.same).length;
  const pct = (n: number, of = results.length) => (100 * n / of).toFixed(1);
  return `${same}/${results.length} ops identical (${pct(same)} %; ` +
    `${pct(same, results.length - unstable)} % of the ${results.length - unstable} ops ` +
    `libvirt answers the same way every run), ` +
    `${errs}/${results.length} with libvirt's error code and domain (${pct(errs)} %)`;
}

if (import.meta.main) {
  const file = Deno.args.find((a) => !a.startsWith("--")) ??
    new URL("../../conformance/generated/recorded.jsonl.gz", import.meta.url).pathname;
  const results = await replay(await readGenerated(file));
  console.log(summarize(results));
  const byOp = new Map<string, OpResult[]>();
  for (const r of results.filter((r) => !r.same && !r.unstable)) {
    byOp.set(r.op, [...(byOp.get(r.op) ?? []), r]);
  }
  const unstable = results.filter((r) => !r.same && r.unstable);
  console.log(`unstable in libvirt and different: ${unstable.map((r) => r.id).join(" ")}`);
  for (const [op, rs] of [...byOp].sort((a, b) => b[1].length - a[1].length)) {
    const bad = rs.filter((r) => !r.sameError).length;
    console.log(`\n## ${op}: ${rs.length} differ (${bad} in error code/domain)`);
    for (const r of Deno.args.includes("--all") ? rs : rs.slice(0, 1)) {
      console.log(`${r.id}\n  libvirt:  ${r.expected}\n  edgevirt: ${r.actual}`);
    }
  }
}
