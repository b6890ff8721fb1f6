/**
 * libvirt's own QEMU test inputs (`tests/qemuxml2argvdata/*.xml` of libvirt 9.0.0) defined on
 * libvirt 9.0's QEMU driver and on edgevirt's: what each driver's define makes of a domain
 * (post-parse defaults, validation against the host's QEMU, refusals), compared byte for byte or
 * by error code, domain and message. The recording is `tests/tools/qemu_corpus/record.sh`'s.
 *
 * - `pack DIR OUT`: joins each `DIR/FOLDER/*.xml` with libvirt's answer in `DIR/FOLDER.jsonl`
 *   (`canon.sh --stable --json`, batched by `canon_batch.sh`) into OUT;
 * - `compare [--driver test|qemu|session] [RECORDING] [--show N]`: replays a recording on edgevirt's QEMU
 *   driver (or test driver) and prints the differences grouped by their first differing line;
 *   `--driver session` replays `SESSION_RECORDING` on the QEMU driver's secondary drivers.
 *
 * The same is done for libvirt's other XML test inputs on the test driver (`TEST_RECORDING`) and
 * on the session's network, storage and secret drivers (`SESSION_RECORDING`).
 *
 * @example
 * ```sh
 * deno run -A tests/tools/qemu_corpus/main.ts compare --show 2
 * ```
 * @module
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import { FIXTURES } from "../../paths.ts";
import { type Outcome, printReport, replay } from "../xmlgen/compare.ts";
import type { Kind } from "../xmlgen/kinds.ts";
import {
  type Answer,
  readAnswers,
  readRecording,
  type Recorded,
  writeRecording,
} from "../xmlgen/recording.ts";

/** The recording of libvirt's QEMU test inputs on libvirt's QEMU driver. */
export const RECORDING = join(FIXTURES, "qemu_corpus", "recorded.jsonl.gz");

/**
 * The recording of libvirt's other XML test inputs (domains, networks, pools, volumes, interfaces,
 * secrets) on libvirt's test driver, as canon.sh's default connection answers them.
 */
export const TEST_RECORDING = join(FIXTURES, "qemu_corpus", "test_driver.jsonl.gz");

/** The recording of libvirt's other QEMU and generic test domains on libvirt's QEMU driver. */
export const OTHER_RECORDING = join(FIXTURES, "qemu_corpus", "qemu_other.jsonl.gz");

/**
 * The recording of libvirt's network, pool and secret test inputs on the session daemon's
 * network, storage and secret drivers (what `qemu:///session` serves beside the QEMU driver).
 */
export const SESSION_RECORDING = join(FIXTURES, "qemu_corpus", "session_drivers.jsonl.gz");

/** Replays `rows` on an embedded QEMU driver, as canon.sh `--driver qemu` recorded them. */
export function replayQemu(rows: Recorded[]): Promise<Outcome[]> {
  return replay(rows, false, "qemu");
}

/**
 * Joins every `DIR/FOLDER/*.xml` with libvirt's answer in `DIR/FOLDER.jsonl` (canon.sh
 * `--json`, which names the document's kind) into OUT, each row's id `FOLDER/NAME.xml`.
 */
async function pack(dir: string, out: string): Promise<void> {
  const rows: Recorded[] = [];
  const folders = [...Deno.readDirSync(dir)].filter((e) => e.isDirectory).map((e) => e.name);
  for (const folder of folders.sort()) {
    const answers = await readAnswers([join(dir, `${folder}.jsonl`)]);
    const names = [...Deno.readDirSync(join(dir, folder))].map((e) => e.name).sort();
    for (const name of names) {
      const a = answers.get(name.replace(/\.xml$/, "")) as Answer & { kind?: Kind } | undefined;
      if (!a) throw new Error(`no answer recorded for ${folder}/${name}`);
      rows.push({
        id: `${folder}/${name}`,
        kind: a.kind ?? "domain",
        mutation: null,
        input: Deno.readTextFileSync(join(dir, folder, name)),
        ok: a.ok ?? false,
        xml: a.xml ?? null,
        error: a.error ?? null,
        ...(a.crash ? { crash: a.crash } : {}),
      });
    }
  }
  await writeRecording(out, rows);
  console.log(`pack: ${rows.length} documents in ${out}`);
}

async function main(args: string[]): Promise<void> {
  const [cmd, ...rest] = args;
  if (cmd === "pack" && rest.length === 2) return await pack(rest[0], rest[1]);
  if (cmd === "compare") {
    const { values, positionals } = parseArgs({
      args: rest,
      allowPositionals: true,
      options: { show: { type: "string", default: "3" }, driver: { type: "string" } },
    });
    const test = values.driver === "test";
    const file = { test: TEST_RECORDING, session: SESSION_RECORDING }[values.driver ?? ""];
    const rows = await readRecording(positionals[0] ?? file ?? RECORDING);
    return printReport(test ? await replay(rows) : await replayQemu(rows), Number(values.show));
  }
  console.error(
    "usage: main.ts pack DIR OUT | compare [--driver test|qemu|session] [RECORDING] [--show N]",
  );
  Deno.exit(2);
}

if (import.meta.main) await main(Deno.args);
