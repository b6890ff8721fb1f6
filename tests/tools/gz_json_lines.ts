/**
 * Gzipped JSON-lines files, the form of the generators' recordings (tests/tools/xmlgen/,
 * tests/tools/apigen/): one JSON value per line.
 *
 * @example
 * ```ts
 * import { readGzJsonLines, writeGzJsonLines } from "./gz_json_lines.ts";
 * await writeGzJsonLines("/tmp/x.jsonl.gz", [{ a: 1 }]);
 * console.log(await readGzJsonLines<{ a: number }>("/tmp/x.jsonl.gz")); // [{ a: 1 }]
 * ```
 * @module
 */

/** Reads a gzipped JSON-lines file. */
export async function readGzJsonLines<T>(file: string | URL): Promise<T[]> {
  const stream = (await Deno.open(file)).readable.pipeThrough(new DecompressionStream("gzip"));
  const text = await new Response(stream).text();
  return text.split("\n").filter((l) => l).map((l) => JSON.parse(l) as T);
}

/** Writes `rows` as a gzipped JSON-lines file. */
export async function writeGzJsonLines(file: string | URL, rows: unknown[]): Promise<void> {
  const body = new Blob([rows.map((r) => JSON.stringify(r) + "\n").join("")]);
  const gz = body.stream().pipeThrough(new CompressionStream("gzip"));
  await Deno.writeFile(file, new Uint8Array(await new Response(gz).arrayBuffer()));
}
