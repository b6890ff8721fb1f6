/**
 * `deno run -A tests/tools/xmlgen/main.ts COMMAND …` — the generated-XML corpus's command line,
 * driven by `record.sh`:
 *
 * - `write N DIR`: writes N generated documents as `DIR/<kind>/<id>.xml` (the split between
 *   kinds is {@link SPLIT}).
 * - `pack DIR OUT RESULT.jsonl…`: joins each document with libvirt's answer (`canon.sh --json`
 *   lines, or `record_other.py`'s for the kinds canon.sh cannot define) into the gzipped
 *   JSON-lines recording OUT.
 * - `coverage RECORDING`: replays the recording and prints the schema coverage report (markdown)
 *   of the generated documents and of those edgevirt answers identically.
 *
 * `XMLGEN_SEED=S` makes `write` and `pack` use seed S instead of the recorded corpus's.
 *
 * @example
 * ```sh
 * deno run -A tests/tools/xmlgen/main.ts write 50 /tmp/gen
 * ```
 * @module
 */
import { join } from "node:path";
import { generatedDoc, SEED } from "./corpus.ts";
import { replay } from "./compare.ts";
import { coverageReport } from "./coverage.ts";
import { type Kind, KINDS } from "./kinds.ts";
import { readAnswers, readRecording, type Recorded, writeRecording } from "./recording.ts";

/** The corpus's seed: `XMLGEN_SEED` makes a fresh corpus, to check fixes on unseen documents. */
const corpusSeed = () => Deno.env.get("XMLGEN_SEED") ?? SEED;

/** Share of the corpus per kind. */
export const SPLIT: Record<Kind, number> = {
  domain: 0.4,
  network: 0.12,
  pool: 0.1,
  volume: 0.1,
  secret: 0.05,
  interface: 0.08,
  nodedev: 0.05,
  snapshot: 0.05,
  checkpoint: 0.05,
  // CPU documents are only generated for the VALIDATE corpus (compareCPU's cpu.rng check).
  cpu: 0,
};

/** How many documents of each kind a corpus of `n` has. */
export function counts(n: number): [Kind, number][] {
  return KINDS.map((k) => [k, Math.round(n * SPLIT[k])]);
}

async function write(n: number, dir: string): Promise<void> {
  const seed = corpusSeed();
  for (const [kind, count] of counts(n)) {
    await Deno.mkdir(join(dir, kind), { recursive: true });
    for (let i = 0; i < count; i++) {
      const d = generatedDoc(kind, i, seed);
      await Deno.writeTextFile(join(dir, kind, `${d.id}.xml`), d.xml);
    }
  }
}

async function pack(dir: string, out: string, results: string[]): Promise<void> {
  const answers = await readAnswers(results);
  const rows: Recorded[] = [];
  const seed = corpusSeed();
  for (const kind of KINDS) {
    let files: string[];
    try {
      files = [...Deno.readDirSync(join(dir, kind))].map((e) => e.name);
    } catch {
      continue;
    }
    for (const name of files) {
      const id = name.replace(/\.xml$/, "");
      const a = answers.get(id);
      if (!a) throw new Error(`no recorded answer for ${id}`);
      const d = generatedDoc(kind, Number(id.slice(id.lastIndexOf("-") + 1)), seed);
      rows.push({
        id,
        kind,
        mutation: d.mutation ?? null,
        input: d.xml,
        ok: a.ok ?? false,
        xml: a.xml ?? null,
        error: a.error ?? null,
        ...(a.crash ? { crash: a.crash } : {}),
      });
    }
  }
  rows.sort((a, b) =>
    KINDS.indexOf(a.kind) - KINDS.indexOf(b.kind) ||
    Number(a.id.split("-").at(-1)) - Number(b.id.split("-").at(-1))
  );
  await writeRecording(out, rows);
  console.error(`xmlgen: ${rows.length} recorded documents in ${out}`);
}

async function main(args: string[]): Promise<number> {
  const [cmd, ...rest] = args;
  if (cmd === "write" && rest.length === 2) await write(Number(rest[0]), rest[1]);
  else if (cmd === "pack" && rest.length >= 3) await pack(rest[0], rest[1], rest.slice(2));
  else if (cmd === "coverage" && rest.length >= 1) {
    const rows = await readRecording(rest[0]);
    const matched = new Set((await replay(rows)).filter((o) => o.same).map((o) => o.id));
    console.log(coverageReport(rows, matched));
  } else {
    console.error("usage: main.ts write N DIR | pack DIR OUT RESULT… | coverage RECORDING");
    return 2;
  }
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
