/**
 * libvirt's own QEMU test inputs (`tests/qemuxml2argvdata/*.xml` of libvirt 9.0.0) defined on
 * libvirt 9.0's QEMU driver and on edgevirt's: what each driver's define makes of a domain
 * (post-parse defaults, validation against the host's QEMU, refusals), compared byte for byte or
 * by error code, domain and message. The recording is `tests/tools/qemu_corpus/record.sh`'s.
 *
 * - `pack DIR OUT RESULT.jsonl`: joins each `DIR/domain/*.xml` with libvirt's answer
 *   (`canon.sh --driver qemu --stable --json`, batched by `canon_batch.sh`) into OUT;
 * - `compare [RECORDING] [--show N]`: replays a recording on edgevirt's QEMU driver and prints the
 *   differences grouped by their first differing line.
 *
 * @example
 * ```sh
 * deno run -A tests/tools/qemu_corpus/main.ts compare --show 2
 * ```
 * @module
 */
import { join } from "node:path";
import { FIXTURES } from "../../paths.ts";
import { type Outcome, printReport, replay } from "../xmlgen/compare.ts";
import { readAnswers, readRecording, type Recorded, writeRecording } from "../xmlgen/recording.ts";

/** The recording the tests replay. */
export const RECORDING = join(FIXTURES, "qemu_corpus", "recorded.jsonl.gz");

/** Replays `rows` on an embedded QEMU driver, as canon.sh `--driver qemu` recorded them. */
export function replayQemu(rows: Recorded[]): Promise<Outcome[]> {
  return replay(rows, false, "qemu");
}

async function pack(dir: string, out: string, result: string): Promise<void> {
  const answers = await readAnswers([result]);
  const names = [...Deno.readDirSync(join(dir, "domain"))].map((e) => e.name).sort();
  const rows: Recorded[] = names.map((name) => {
    const a = answers.get(name.replace(/\.xml$/, ""));
    if (!a) throw new Error(`no answer recorded for ${name}`);
    return {
      id: name,
      kind: "domain",
      mutation: null,
      input: Deno.readTextFileSync(join(dir, "domain", name)),
      ok: a.ok ?? false,
      xml: a.xml ?? null,
      error: a.error ?? null,
      ...(a.crash ? { crash: a.crash } : {}),
    };
  });
  await writeRecording(out, rows);
  console.log(`pack: ${rows.length} documents in ${out}`);
}

async function main(args: string[]): Promise<void> {
  const [cmd, ...rest] = args;
  if (cmd === "pack" && rest.length === 3) return await pack(rest[0], rest[1], rest[2]);
  if (cmd === "compare") {
    const i = rest.indexOf("--show");
    const show = i >= 0 ? Number(rest[i + 1]) : 3;
    const file = rest.find((a, j) => !a.startsWith("--") && rest[j - 1] !== "--show");
    return printReport(await replayQemu(await readRecording(file ?? RECORDING)), show);
  }
  console.error("usage: main.ts pack DIR OUT RESULT.jsonl | compare [RECORDING] [--show N]");
  Deno.exit(2);
}

if (import.meta.main) await main(Deno.args);
