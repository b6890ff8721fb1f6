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
import { readGzJsonLines, writeGzJsonLines } from "../gz_json_lines.ts";
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
export function readRecording(file: string): Promise<Recorded[]> {
  return readGzJsonLines<Recorded>(file);
}

/** Writes rows as a gzipped JSON-lines recording. */
export function writeRecording(file: string, rows: Recorded[]): Promise<void> {
  return writeGzJsonLines(file, rows);
}

/** One line of `canon.sh --json` or `record_other.py`: libvirt's answer to one file. */
export interface Answer {
  file: string;
  ok?: boolean;
  xml?: string | null;
  error?: RecordedError | null;
  crash?: number;
}

/** The answers in JSON-lines files, by document id (the file's name without `.xml`). */
export async function readAnswers(files: string[]): Promise<Map<string, Answer>> {
  const answers = new Map<string, Answer>();
  for (const f of files) {
    for (const line of (await Deno.readTextFile(f)).split("\n")) {
      if (!line.trim()) continue;
      const a = JSON.parse(line) as Answer;
      answers.set(a.file.replace(/^.*\//, "").replace(/\.xml$/, ""), a);
    }
  }
  return answers;
}
