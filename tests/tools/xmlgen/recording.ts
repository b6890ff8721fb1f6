/**
 * The recording of libvirt's answers to the generated corpus: gzipped JSON lines, one
 * {@link Recorded} per document, in kind then index order.
 *
 * @example
 * ```ts
 * import { readRecording } from "./recording.ts";
 * const rows = await readRecording("tests/fixtures/xmlgen/recorded.jsonl.gz");
 * console.log(rows.filter((r) => r.ok).length);
 * ```
 * @module
 */
import type { Kind } from "./kinds.ts";

/** libvirt's error as canon.sh prints it. */
export interface RecordedError {
  code: number;
  code_name: string;
  domain: number;
  domain_name: string;
  message: string;
}

/** One generated document and libvirt 9.0's answer to it. */
export interface Recorded {
  id: string;
  kind: Kind;
  mutation: string | null;
  input: string;
  ok: boolean;
  xml: string | null;
  error: RecordedError | null;
  /** libvirt crashed on this document (canon.sh's exit status, 139 for SIGSEGV): no answer. */
  crash?: number;
}

/** Reads a gzipped JSON-lines recording. */
export async function readRecording(file: string): Promise<Recorded[]> {
  const stream = (await Deno.open(file)).readable.pipeThrough(new DecompressionStream("gzip"));
  const text = await new Response(stream).text();
  return text.split("\n").filter((l) => l).map((l) => JSON.parse(l) as Recorded);
}

/** Writes rows as a gzipped JSON-lines recording. */
export async function writeRecording(file: string, rows: Recorded[]): Promise<void> {
  const body = new Blob([rows.map((r) => JSON.stringify(r) + "\n").join("")]);
  const gz = body.stream().pipeThrough(new CompressionStream("gzip"));
  await Deno.writeFile(file, new Uint8Array(await new Response(gz).arrayBuffer()));
}
