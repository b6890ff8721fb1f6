/**
 * The generated corpus: document `i` of a kind comes from the seed string `SEED:kind:i`. A tenth
 * of them get a deliberate invalid mutation.
 *
 * A fresh corpus is coverage-directed: each document is also given a few of the schema's names
 * (`element`, `element@attribute`) that the documents before it in the run have not reached
 * {@link WANTED} times, and the generator steers its choices towards them, so that a corpus of a
 * few hundred documents per kind reaches every name the schema allows (COVERAGE.md) instead of
 * only the common ones. Document `i` then depends on the documents before it, which are
 * generated once per run and kept. The recorded corpus ({@link SEED}) and the VALIDATE corpora
 * were made before the directed mode and are re-made undirected, each document from its seed
 * alone.
 *
 * @example
 * ```ts
 * import { generatedDoc } from "./corpus.ts";
 * const d = generatedDoc("network", 3);
 * console.log(d.id, d.mutation ?? "valid"); // "network-3" …
 * ```
 * @module
 */
import { stringify, type XmlElement } from "../../../util/xml/mod.ts";
import { documentNames, schemaNames } from "./coverage.ts";
import { generateDocument } from "./generate.ts";
import type { Kind } from "./kinds.ts";
import { schemaFile } from "./kinds.ts";
import { mutate, type Mutation } from "./mutate.ts";
import { Random } from "./random.ts";
import { Reach } from "./reach.ts";
import { type Grammar, loadGrammar } from "./rng_grammar.ts";

/** The seed of the recorded corpus. */
export const SEED = "edgevirt-xmlgen-1";

/** Share of documents that get an invalid mutation. */
const MUTATION_RATE = 0.1;

/** One generated document. */
export interface GeneratedDoc {
  id: string;
  kind: Kind;
  xml: string;
  mutation?: Mutation;
}

/** A directed run steers towards a name until this many documents have it… */
const WANTED = 4;
/** …or until it was a target this many times without coming out (a combination too rare). */
const TRIES = 4;
/**
 * Target names per document: enough to finish a schema in about 80 documents (a corpus of 2000
 * has 100 snapshots), at least a few.
 */
const targetsPerDoc = (names: number) => Math.max(4, Math.ceil(names / 80));

const grammars = new Map<Kind, Grammar>();

function grammar(kind: Kind): Grammar {
  let g = grammars.get(kind);
  if (!g) grammars.set(kind, g = loadGrammar(schemaFile(kind)));
  return g;
}

/**
 * Document `i` of `kind` for `seed`; `mutationRate` of them get an invalid mutation. `directed`
 * (the default for every seed but the recorded corpus's) makes it part of a coverage-directed run.
 */
export function generatedDoc(
  kind: Kind,
  i: number,
  seed: string = SEED,
  mutationRate = MUTATION_RATE,
  directed = seed !== SEED,
): GeneratedDoc {
  if (!directed) {
    const r = docRandom(kind, i, seed);
    return finish(kind, i, generateDocument(grammar(kind), r), r, mutationRate);
  }
  const key = `${seed}:${kind}:${mutationRate}`;
  let run = runs.get(key);
  if (!run) runs.set(key, run = new DirectedRun(kind, seed, mutationRate));
  return run.doc(i);
}

function docRandom(kind: Kind, i: number, seed: string): Random {
  return new Random(`${seed}:${kind}:${i}`);
}

/** The document's text, after the invalid mutation that `r` may draw. */
function finish(
  kind: Kind,
  i: number,
  root: XmlElement,
  r: Random,
  mutationRate: number,
): GeneratedDoc {
  const id = `${kind}-${i}`;
  if (!r.chance(mutationRate)) return { id, kind, xml: stringify(root) };
  const { xml, mutation } = mutate(root, r);
  return { id, kind, xml, mutation };
}

const runs = new Map<string, DirectedRun>();

/** The documents of one directed run so far, and how often each name came out or was missed. */
class DirectedRun {
  #docs: GeneratedDoc[] = [];
  #names: string[];
  #seen = new Map<string, number>();
  #tries = new Map<string, number>();
  #reach: Reach;

  constructor(readonly kind: Kind, readonly seed: string, readonly mutationRate: number) {
    this.#names = [...schemaNames(kind)].sort();
    this.#reach = new Reach(grammar(kind));
  }

  doc(i: number): GeneratedDoc {
    while (this.#docs.length <= i) this.#next();
    return this.#docs[i];
  }

  #next(): void {
    const i = this.#docs.length;
    const open = this.#names.filter((n) =>
      (this.#seen.get(n) ?? 0) < WANTED && (this.#tries.get(n) ?? 0) < TRIES
    );
    // The targets are drawn from a stream of their own, so the document's stream stays its own.
    const names = new Random(`${this.seed}:${this.kind}:${i}:targets`).shuffle(open)
      .slice(0, targetsPerDoc(this.#names.length));
    const r = docRandom(this.kind, i, this.seed);
    const root = generateDocument(grammar(this.kind), r, { names, reach: this.#reach });
    const got = documentNames(stringify(root));
    for (const n of got) this.#seen.set(n, (this.#seen.get(n) ?? 0) + 1);
    for (const n of names) if (!got.has(n)) this.#tries.set(n, (this.#tries.get(n) ?? 0) + 1);
    this.#docs.push(finish(this.kind, i, root, r, this.mutationRate));
  }
}
