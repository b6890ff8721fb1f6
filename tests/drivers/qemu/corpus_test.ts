/**
 * Differential test on libvirt's own QEMU test inputs (`tests/qemuxml2argvdata/*.xml` of libvirt
 * 9.0.0, every architecture): libvirt 9.0's QEMU driver's answers to defining each one on this
 * host, recorded by `tests/tools/qemu_corpus/record.sh`, replayed on edgevirt's QEMU driver
 * (embedded, defined and read back as `canon.sh --driver qemu` does). The identical answers (the
 * inactive XML byte for byte, or error code + domain + message) must not drop below the level
 * measured when the recording was last compared; `known_differences.md` says what still differs.
 * `deno run -A tests/tools/qemu_corpus/main.ts compare` shows the differences.
 *
 * The same for libvirt's other QEMU and generic test domains on the QEMU driver (first compared
 * once the first recording was fixed, on documents no fix had seen: 725/735; 733 after the two
 * general fixes they showed), for its other xml2xml test inputs (domains, networks, pools, volumes,
 * interfaces, secrets) on the test driver (`compare --driver test`), and for the network, pool
 * and secret ones on the session's secondary drivers (`compare --driver session`: the pool types
 * without a backend here are refused at define, as libvirt built without those backends does).
 */
import assert from "node:assert/strict";
import {
  OTHER_RECORDING,
  RECORDING,
  replayQemu,
  SESSION_RECORDING,
  TEST_RECORDING,
} from "../../tools/qemu_corpus/main.ts";
import { readRecording, type Recorded } from "../../tools/xmlgen/recording.ts";
import { type Outcome, replay, tally } from "../../tools/xmlgen/compare.ts";

/** A recording, the documents it holds and the identical answers at its last comparison. */
interface Corpus {
  name: string;
  file: string;
  total: number;
  measured: number;
  replay: (rows: Recorded[]) => Promise<Outcome[]>;
}

const CORPORA: Corpus[] = [
  {
    name: "libvirt's QEMU test inputs: edgevirt's QEMU driver answers as libvirt's does",
    file: RECORDING,
    total: 1070,
    measured: 1069,
    replay: replayQemu,
  },
  {
    name: "libvirt's other QEMU and generic test domains: the QEMU driver answers as libvirt's",
    file: OTHER_RECORDING,
    total: 735,
    measured: 733,
    replay: replayQemu,
  },
  {
    name: "libvirt's xml2xml test inputs: edgevirt's test driver answers as libvirt's does",
    file: TEST_RECORDING,
    total: 209,
    measured: 209,
    replay: (rows) => replay(rows),
  },
  {
    name: "libvirt's network, pool and secret inputs: the session's drivers answer as libvirt's",
    file: SESSION_RECORDING,
    total: 92,
    measured: 68,
    replay: replayQemu,
  },
];

for (const c of CORPORA) {
  Deno.test(c.name, async () => {
    const rows = await readRecording(c.file);
    assert.equal(rows.length, c.total);
    let same = 0;
    let answered = 0;
    for (const t of tally(await c.replay(rows)).values()) {
      same += t.same;
      answered += t.total + t.crashed;
    }
    assert.equal(answered, rows.length);
    assert.ok(
      same >= c.measured,
      `${same} identical, ${c.measured} measured: a regression (main.ts compare shows it)`,
    );
  });
}
