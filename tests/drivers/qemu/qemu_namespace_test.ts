/**
 * libvirt's QEMU XML namespace at define time, differentially: the documents of
 * `tests/tools/qemu_namespace/cases.ts` (every parse error of qemuDomainDefNamespaceParse,
 * prefixes, default namespaces, empty and repeated elements, escaping) defined on libvirt 9.0's
 * QEMU driver (also with VALIDATE, the schema's rules first) and on its test driver, which has
 * no such namespace, recorded by
 * `tests/tools/qemu_namespace/record.sh`, replayed on edgevirt's two drivers.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { FIXTURES } from "../../paths.ts";
import { readRecording } from "../../tools/xmlgen/recording.ts";
import { replay } from "../../tools/xmlgen/compare.ts";
import { CASES } from "../../tools/qemu_namespace/cases.ts";

const RUNS = [
  { name: "qemu", driver: "qemu", validate: false },
  { name: "test", driver: "test", validate: false },
  { name: "qemu_validate", driver: "qemu", validate: true },
] as const;

for (const { name, driver, validate } of RUNS) {
  Deno.test(`QEMU XML namespace: edgevirt's ${driver} driver answers as libvirt's does${validate ? " (VALIDATE)" : ""}`, async () => {
    const rows = await readRecording(join(FIXTURES, "qemu_namespace", `${name}.jsonl.gz`));
    // The recording is of today's cases: a case added or changed needs record.sh again.
    assert.deepEqual(
      rows.map((r) => [r.id, r.input]),
      Object.entries(CASES).map(([name, xml]) => [`domain/${name}.xml`, xml]).sort(),
    );
    const differing = (await replay(rows, validate, driver)).filter((o) => !o.same);
    assert.deepEqual(differing.map((o) => `${o.id}: ${o.first}`), []);
  });
}
