/**
 * The seeded API sequence generator: scenario files in the oracle's format (scenario.py plus
 * tests/tools/scenario_ext.py's object selectors), each a random walk over {@link CATALOG} on a
 * fresh test:///default. A file depends only on the seed and its index.
 *
 * @example
 * ```ts
 * import { generateFile } from "./generate.ts";
 * const ops = generateFile("apigen", 0, 10);
 * console.log(ops.length); // 10
 * ```
 * @module
 */
import { Random } from "../xmlgen/random.ts";
import { CATALOG, newWorld, type ScenarioOp } from "./catalog.ts";

/** The seed of the recorded corpus. */
export const SEED = "apigen-1";

/** The recorded corpus' shape: files of OPS_PER_FILE ops each. */
export const FILES = 40;
export const OPS_PER_FILE = 50;

/** Scenario file `index` of the corpus seeded with `seed`: `n` ops. */
export function generateFile(seed: string, index: number, n: number): ScenarioOp[] {
  const r = new Random(`${seed}:${index}`);
  const w = newWorld();
  const table = CATALOG.map((m) => [m, m.weight] as const);
  return Array.from({ length: n }, () => r.weighted(table).make(r, w));
}

/** The file name of scenario `index`. */
export function fileName(index: number): string {
  return `gen-${String(index).padStart(3, "0")}`;
}
