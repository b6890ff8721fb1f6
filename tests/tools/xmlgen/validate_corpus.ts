/**
 * The node device VALIDATE corpus: generated `<device>` documents, half of them with an
 * invalid mutation, created on `test:///default` with VIR_NODE_DEVICE_CREATE_XML_VALIDATE, so
 * that libxml2's RELAX NG refusals of nodedev.rng are compared line for line (the plain corpus
 * mutates a tenth and validates nothing). `record_validate.sh` drives it:
 *
 * - `write N DIR`: writes N documents as `DIR/nodedev/nodedev-<i>.xml`;
 * - `pack DIR OUT RESULT.jsonl`: joins each with libvirt's answer (`record_other.py
 *   --validate`) into the gzipped recording OUT.
 *
 * @example
 * ```sh
 * deno run -A tests/tools/xmlgen/validate_corpus.ts write 20 /tmp/gen
 * ```
 * @module
 */
import { join } from "node:path";
import { type GeneratedDoc, generatedDoc } from "./corpus.ts";
import { type Recorded, writeRecording } from "./recording.ts";

/** The seed of the recorded VALIDATE corpus. */
export const VALIDATE_SEED = "edgevirt-nodedev-validate-1";

/** Document `i` of the VALIDATE corpus. */
export function validateDoc(i: number): GeneratedDoc {
  return generatedDoc("nodedev", i, VALIDATE_SEED, 0.5);
}

async function write(n: number, dir: string): Promise<void> {
  await Deno.mkdir(join(dir, "nodedev"), { recursive: true });
  for (let i = 0; i < n; i++) {
    const d = validateDoc(i);
    await Deno.writeTextFile(join(dir, "nodedev", `${d.id}.xml`), d.xml);
  }
}

async function pack(dir: string, out: string, result: string): Promise<void> {
  const answers = new Map<string, Partial<Recorded>>();
  for (const line of (await Deno.readTextFile(result)).split("\n")) {
    if (!line.trim()) continue;
    const a = JSON.parse(line);
    answers.set(a.file.replace(/^.*\//, "").replace(/\.xml$/, ""), a);
  }
  const n = [...Deno.readDirSync(join(dir, "nodedev"))].length;
  const rows: Recorded[] = Array.from({ length: n }, (_, i) => {
    const d = validateDoc(i);
    const a = answers.get(d.id);
    if (!a) throw new Error(`no recorded answer for ${d.id}`);
    return {
      id: d.id,
      kind: "nodedev",
      mutation: d.mutation ?? null,
      input: d.xml,
      ok: a.ok ?? false,
      xml: a.xml ?? null,
      error: a.error ?? null,
    };
  });
  await writeRecording(out, rows);
  console.error(`validate_corpus: ${rows.length} recorded documents in ${out}`);
}

if (import.meta.main) {
  const [cmd, ...rest] = Deno.args;
  if (cmd === "write" && rest.length === 2) await write(Number(rest[0]), rest[1]);
  else if (cmd === "pack" && rest.length === 3) await pack(rest[0], rest[1], rest[2]);
  else {
    console.error("usage: validate_corpus.ts write N DIR | pack DIR OUT RESULT");
    Deno.exit(2);
  }
}
