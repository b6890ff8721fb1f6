/**
 * Differential test on hand-written documents for the QEMU driver's post-parse defaults and
 * checks that libvirt's own test inputs leave out (guest NIC addresses, NIC models, queues,
 * teaming and coalescing, chardev labels and reconnection, virtio-serial ports, default audio,
 * serial targets, shmem, domain security labels, NUMA cells, egl-headless, machine features,
 * CPU and firmware): libvirt 9.0's QEMU driver's answers, recorded by
 * `tests/tools/qemu_corpus/record_misc.sh` from `tests/fixtures/qemu_corpus/misc/domain/`,
 * replayed on edgevirt's QEMU driver. Every answer must be libvirt's.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { FIXTURES } from "../../paths.ts";
import { replayQemu } from "../../tools/qemu_corpus/main.ts";
import { readRecording } from "../../tools/xmlgen/recording.ts";

Deno.test("hand-written QEMU definitions: edgevirt's QEMU driver answers as libvirt's does", async () => {
  const rows = await readRecording(join(FIXTURES, "qemu_corpus", "misc.jsonl.gz"));
  assert.ok(rows.length >= 252);
  const differ = (await replayQemu(rows)).filter((o) => !o.same).map((o) => `${o.id}: ${o.first}`);
  assert.deepEqual(differ, []);
});
