/**
 * Differential test on libvirt's own QEMU test inputs (`tests/qemuxml2argvdata/*.xml` of libvirt
 * 9.0.0, every architecture): libvirt 9.0's QEMU driver's answers to defining each one on this
 * host, recorded by `tests/tools/qemu_corpus/record.sh`, replayed on edgevirt's QEMU driver
 * (embedded, defined and read back as `canon.sh --driver qemu` does). The identical answers (the
 * inactive XML byte for byte, or error code + domain + message) must not drop below the level
 * measured when the recording was last compared; `known_differences.md` says what still differs.
 * `deno run -A tests/tools/qemu_corpus/main.ts compare` shows the differences.
 *
 * The same for libvirt's other xml2xml test inputs (domains, networks, pools, volumes,
 * interfaces, secrets) on the test driver (`compare --driver test`), and for the network, pool
 * and secret ones on the session's secondary drivers (`compare --driver session`: the pool types
 * without a backend here are refused at define, as libvirt built without those backends does).
 */
import assert from "node:assert/strict";
import {
  RECORDING,
  replayQemu,
  SESSION_RECORDING,
  TEST_RECORDING,
} from "../../tools/qemu_corpus/main.ts";
import { readRecording } from "../../tools/xmlgen/recording.ts";
import { replay, tally } from "../../tools/xmlgen/compare.ts";

/** Identical answers measured at the last comparison (of 1070 documents). */
const MEASURED = 815;

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

/** Identical answers of the test driver's recording at the last comparison (of 209). */
const MEASURED_TEST = 207;

Deno.test("libvirt's xml2xml test inputs: edgevirt's test driver answers as libvirt's does", async () => {
  const rows = await readRecording(TEST_RECORDING);
  assert.equal(rows.length, 209);
  let same = 0;
  for (const t of tally(await replay(rows)).values()) same += t.same;
  assert.ok(same >= MEASURED_TEST, `${same} identical, ${MEASURED_TEST} measured: a regression`);
});

/** Identical answers of the session drivers' recording at the last comparison (of 92). */
const MEASURED_SESSION = 68;

Deno.test("libvirt's network, pool and secret inputs: the session's drivers answer as libvirt's", async () => {
  const rows = await readRecording(SESSION_RECORDING);
  assert.equal(rows.length, 92);
  let same = 0;
  for (const t of tally(await replayQemu(rows)).values()) same += t.same;
  assert.ok(same >= MEASURED_SESSION, `${same} identical, ${MEASURED_SESSION} measured`);
});
