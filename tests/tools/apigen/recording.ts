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
import { readGzJsonLines, writeGzJsonLines } from "../gz_json_lines.ts";

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
export function readGenerated(file: string | URL): Promise<RecordedScenario[]> {
  return readGzJsonLines<RecordedScenario>(file);
}

/** Writes rows as a gzipped JSON-lines recording. */
export function writeGenerated(file: string, rows: RecordedScenario[]): Promise<void> {
  return writeGzJsonLines(file, rows);
}
