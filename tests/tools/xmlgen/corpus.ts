/**
 * The generated corpus: document `i` of a kind comes from the seed string `SEED:kind:i` alone,
 * so any document can be re-made without the others. A tenth of them get a deliberate invalid
 * mutation.
 *
 * @example
 * ```ts
 * import { generatedDoc } from "./corpus.ts";
 * const d = generatedDoc("network", 3);
 * console.log(d.id, d.mutation ?? "valid"); // "network-3" …
 * ```
 * @module
 */
import { stringify } from "../../../util/xml/mod.ts";
import { generateDocument } from "./generate.ts";
import type { Kind } from "./kinds.ts";
import { schemaFile } from "./kinds.ts";
import { mutate, type Mutation } from "./mutate.ts";
import { Random } from "./random.ts";
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

const grammars = new Map<Kind, Grammar>();

/** Document `i` of `kind` for `seed`; `mutationRate` of them get an invalid mutation. */
export function generatedDoc(
  kind: Kind,
  i: number,
  seed: string = SEED,
  mutationRate = MUTATION_RATE,
): GeneratedDoc {
  let g = grammars.get(kind);
  if (!g) grammars.set(kind, g = loadGrammar(schemaFile(kind)));
  const r = new Random(`${seed}:${kind}:${i}`);
  const root = generateDocument(g, r);
  const id = `${kind}-${i}`;
  if (!r.chance(mutationRate)) return { id, kind, xml: stringify(root) };
  const { xml, mutation } = mutate(root, r);
  return { id, kind, xml, mutation };
}
