/**
 * The recording of libvirt 9.0's output for the generated scenarios: gzipped JSON lines, one
 * {@link RecordedScenario} per file, in file order.
 *
 * @example
 * ```ts
 * import { readGenerated } from "./recording.ts";
 * const rows = await readGenerated("tests/conformance/generated/recorded.jsonl.gz");
 * console.log(rows.length);
 * ```
 * @module
 */

/** One generated scenario (its exact text: masking depends on it) and libvirt's lines. */
export interface RecordedScenario {
  name: string;
  scenario: string;
  /** scenario.py's output lines, the header first. */
  lines: string[];
  /**
   * Line numbers (header = 0) where libvirt's own runs of the file differed: lists in
   * hash-table order, values taken from the clock.
   */
  unstable: number[];
}

/** Reads a gzipped JSON-lines recording. */
export async function readGenerated(file: string | URL): Promise<RecordedScenario[]> {
  const stream = (await Deno.open(file)).readable.pipeThrough(new DecompressionStream("gzip"));
  const text = await new Response(stream).text();
  return text.split("\n").filter((l) => l).map((l) => JSON.parse(l) as RecordedScenario);
}

/** Writes rows as a gzipped JSON-lines recording. */
export async function writeGenerated(file: string, rows: RecordedScenario[]): Promise<void> {
  const body = new Blob([rows.map((r) => JSON.stringify(r) + "\n").join("")]);
  const gz = body.stream().pipeThrough(new CompressionStream("gzip"));
  await Deno.writeFile(file, new Uint8Array(await new Response(gz).arrayBuffer()));
}
