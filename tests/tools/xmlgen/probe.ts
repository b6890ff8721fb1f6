/**
 * Probe documents: for every name a kind's schema allows (`element`, `element@attribute`), a few
 * small documents that have that name and otherwise only what the schema requires and what
 * documents usually carry (the generator's focused mode). A third of them are accepted by
 * libvirt, so the parser and formatter behind each name are compared at least once, where the
 * corpus reaches a name mostly inside documents libvirt refuses for something else. A discovery
 * tool: `probe.sh` records libvirt's answers in a scratch folder and prints the differences,
 * each example labelled with the name its document probes; fixes get regression documents.
 *
 * - `write DIR PER KIND...`: writes PER documents per schema name as `DIR/KIND/KIND-<i>.xml`.
 * - `compare DIR RESULT.jsonl...`: replays libvirt's answers to them and prints the differences.
 *
 * @example
 * ```sh
 * deno run -A tests/tools/xmlgen/probe.ts write /tmp/probe 3 domain
 * ```
 * @module
 */
import { join } from "node:path";
import { stringify } from "../../../util/xml/mod.ts";
import { printReport, replay } from "./compare.ts";
import { schemaNames } from "./coverage.ts";
import { generateDocument } from "./generate.ts";
import { type Kind, KINDS, schemaFile } from "./kinds.ts";
import { Random } from "./random.ts";
import { Reach } from "./reach.ts";
import { readAnswers, type Recorded } from "./recording.ts";
import { loadGrammar } from "./rng_grammar.ts";

/** The probe documents of `kind`, `per` for each schema name, with the name each probes. */
export function* probeDocs(
  kind: Kind,
  per: number,
): Generator<{ id: string; name: string; xml: string }> {
  const g = loadGrammar(schemaFile(kind));
  const reach = new Reach(g);
  let i = 0;
  for (const name of [...schemaNames(kind)].sort()) {
    for (let k = 0; k < per; k++) {
      const r = new Random(`probe:${kind}:${name}:${k}`);
      const root = generateDocument(g, r, { names: [name], reach, focused: true });
      yield { id: `${kind}-${i++}`, name, xml: stringify(root) };
    }
  }
}

async function write(dir: string, per: number, kinds: Kind[]): Promise<void> {
  const names: Record<string, string> = {};
  for (const kind of kinds) {
    await Deno.mkdir(join(dir, kind), { recursive: true });
    for (const d of probeDocs(kind, per)) {
      names[d.id] = d.name;
      await Deno.writeTextFile(join(dir, kind, `${d.id}.xml`), d.xml);
    }
  }
  await Deno.writeTextFile(join(dir, "names.json"), JSON.stringify(names));
}

async function compare(dir: string, results: string[]): Promise<void> {
  const answers = await readAnswers(results);
  const names: Record<string, string> = JSON.parse(
    await Deno.readTextFile(join(dir, "names.json")),
  );
  const rows: Recorded[] = [];
  for (const [id, a] of answers) {
    const kind = id.slice(0, id.lastIndexOf("-")) as Kind;
    if (!KINDS.includes(kind)) continue;
    const input = await Deno.readTextFile(join(dir, kind, `${id}.xml`));
    rows.push({
      id,
      kind,
      mutation: null,
      input,
      ok: a.ok ?? false,
      xml: a.xml ?? null,
      error: a.error ?? null,
      ...(a.crash ? { crash: a.crash } : {}),
    });
  }
  printReport(await replay(rows), 2, (o) => `${o.id} [${names[o.id]}]`);
}

if (import.meta.main) {
  const [cmd, dir, ...rest] = Deno.args;
  if (cmd === "write" && rest.length >= 2) {
    await write(dir, Number(rest[0]), rest.slice(1) as Kind[]);
  } else if (cmd === "compare" && rest.length >= 1) {
    await compare(dir, rest);
  } else {
    console.error("usage: probe.ts write DIR PER KIND... | compare DIR RESULT.jsonl...");
    Deno.exit(2);
  }
}
