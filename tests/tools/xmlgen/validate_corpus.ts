/**
 * The VALIDATE corpora: generated documents of one kind, half of them with an invalid mutation,
 * defined on `test:///default` with the kind's VALIDATE flag, so that libxml2's RELAX NG
 * refusals are compared line for line (the plain corpus mutates a tenth and validates nothing).
 * `record_validate.sh` drives it:
 *
 * - `write N DIR KIND...`: writes N documents of each kind as `DIR/KIND/KIND-<i>.xml`;
 * - `pack DIR KIND OUT RESULT.jsonl...`: joins each document of KIND with libvirt's answer
 *   (`record_other.py --validate` or `canon.sh --validate --json`) into the gzipped recording
 *   OUT.
 *
 * @example
 * ```sh
 * deno run -A tests/tools/xmlgen/validate_corpus.ts write 20 /tmp/gen network domain
 * ```
 * @module
 */
import { join } from "node:path";
import { FIXTURES } from "../../paths.ts";
import { type GeneratedDoc, generatedDoc } from "./corpus.ts";
import type { Kind } from "./kinds.ts";
import { readAnswers, type Recorded, writeRecording } from "./recording.ts";

/** The kinds with a VALIDATE corpus, and the number of documents each recording holds. */
export const VALIDATE_SIZES: Partial<Record<Kind, number>> = {
  nodedev: 600,
  domain: 500,
  network: 400,
  pool: 400,
  volume: 400,
  secret: 300,
  interface: 300,
  snapshot: 300,
  checkpoint: 300,
  cpu: 300,
};

/** The seed of a kind's recorded VALIDATE corpus. */
export function validateSeed(kind: Kind): string {
  return `edgevirt-${kind}-validate-1`;
}

/** The recording of a kind's VALIDATE corpus. */
export function validateRecording(kind: Kind): string {
  return join(FIXTURES, `xmlgen/${kind}_validate.jsonl.gz`);
}

/** Document `i` of a kind's VALIDATE corpus. */
export function validateDoc(kind: Kind, i: number): GeneratedDoc {
  // Recorded before the coverage-directed mode: each document from its seed alone.
  return generatedDoc(kind, i, validateSeed(kind), 0.5, false);
}

async function write(n: number, dir: string, kinds: Kind[]): Promise<void> {
  for (const kind of kinds) {
    await Deno.mkdir(join(dir, kind), { recursive: true });
    for (let i = 0; i < n; i++) {
      const d = validateDoc(kind, i);
      await Deno.writeTextFile(join(dir, kind, `${d.id}.xml`), d.xml);
    }
  }
}

async function pack(dir: string, kind: Kind, out: string, results: string[]): Promise<void> {
  const answers = await readAnswers(results);
  const n = [...Deno.readDirSync(join(dir, kind))].length;
  const rows: Recorded[] = Array.from({ length: n }, (_, i) => {
    const d = validateDoc(kind, i);
    const a = answers.get(d.id);
    if (!a) throw new Error(`no recorded answer for ${d.id}`);
    return {
      id: d.id,
      kind,
      mutation: d.mutation ?? null,
      input: d.xml,
      ok: a.ok ?? false,
      xml: a.xml ?? null,
      error: a.error ?? null,
    };
  });
  await writeRecording(out, rows);
  console.error(`validate_corpus: ${rows.length} recorded ${kind} documents in ${out}`);
}

if (import.meta.main) {
  const [cmd, ...rest] = Deno.args;
  if (cmd === "write" && rest.length >= 3) {
    await write(Number(rest[0]), rest[1], rest.slice(2) as Kind[]);
  } else if (cmd === "pack" && rest.length >= 4) {
    await pack(rest[0], rest[1] as Kind, rest[2], rest.slice(3));
  } else {
    console.error("usage: validate_corpus.ts write N DIR KIND... | pack DIR KIND OUT RESULT...");
    Deno.exit(2);
  }
}
