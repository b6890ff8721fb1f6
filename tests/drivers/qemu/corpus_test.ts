/**
 * Differential test on libvirt's own QEMU test inputs (`tests/qemuxml2argvdata/*.xml` of libvirt
 * 9.0.0, every architecture): libvirt 9.0's QEMU driver's answers to defining each one on this
 * host, recorded by `tests/tools/qemu_corpus/record.sh`, replayed on edgevirt's QEMU driver
 * (embedded, defined and read back as `canon.sh --driver qemu` does). The identical answers (the
 * inactive XML byte for byte, or error code + domain + message) must not drop below the level
 * measured when the recording was last compared; `known_differences.md` says what still differs.
 * `deno run -A tests/tools/qemu_corpus/main.ts compare` shows the differences.
 */
import assert from "node:assert/strict";
import { RECORDING, replayQemu } from "../../tools/qemu_corpus/main.ts";
import { readRecording } from "../../tools/xmlgen/recording.ts";
import { tally } from "../../tools/xmlgen/compare.ts";

/** Identical answers measured at the last comparison (of 1070 documents). */
const MEASURED = 931;

Deno.test("libvirt's QEMU test inputs: edgevirt's QEMU driver answers as libvirt's does", async () => {
  const rows = await readRecording(RECORDING);
  assert.equal(rows.length, 1070);
  const t = tally(await replayQemu(rows)).get("domain")!;
  assert.equal(t.total + t.crashed, rows.length);
  assert.ok(
    t.same >= MEASURED,
    `${t.same} of ${t.total} identical, ${MEASURED} measured: a regression (compare.ts shows it)`,
  );
});
