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
 * The files the generated save/restore ops use (catalog.ts): absent when each scenario
 * starts, as record.sh has them.
 */
const SAVE_FILES = ["/tmp/apigen.save", "/tmp/apigen2.save"];

/** Runs every recorded scenario and compares line by line (the header excluded). */
export async function replay(rows: RecordedScenario[]): Promise<OpResult[]> {
  const out: OpResult[] = [];
  for (const row of rows) {
    for (const f of SAVE_FILES) await Deno.remove(f).catch(() => {});
    const got = await scenarioLines(row.scenario, { uri: "test:///default" });
    for (const f of SAVE_FILES) await Deno.remove(f).catch(() => {});
    for (let i = 1; i < row.lines.length; i++) {
      const expected = row.lines[i];
      const actual = got[i] ?? "(missing)";
      const [ec, ed] = errorOf(expected);
      const [ac, ad] = errorOf(actual);
      out.push({
        id: `${row.name}:${i - 1}`,
        op: (JSON.parse(expected) as Line).op ?? "?",
        same: expected === actual || unordered(expected) === unordered(actual),
        unstable: row.unstable.includes(i),
        sameError: ec === ac && ed === ad,
        expectedCode: ec,
        expected,
        actual,
      });
    }
  }
  return out;
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
