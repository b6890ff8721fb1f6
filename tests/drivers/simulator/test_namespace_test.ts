// The test driver's `test:` namespace in node files: the run state of a domain is read from the
// elements of libvirt's test namespace, declared on the domain or on the node, and not from an
// undeclared `test:` prefix, as libvirt's test driver reads them (recorded by
// tests/tools/qemu_namespace/record_nodes.py; define-time errors are in
// tests/drivers/qemu/qemu_namespace_test.ts).
import assert from "node:assert/strict";
import { join } from "node:path";
import { FIXTURES } from "../../paths.ts";
import { openTestConnection } from "../../../drivers/simulator/mod.ts";

const DIR = join(FIXTURES, "qemu_namespace");

Deno.test("node files: a domain's test:runstate as libvirt's test driver reads it", async () => {
  const recorded = JSON.parse(await Deno.readTextFile(join(DIR, "nodes.json")));
  const files = [...Deno.readDirSync(join(DIR, "nodes"))].map((e) => e.name).sort();
  assert.deepEqual(files, Object.keys(recorded).sort());
  for (const file of files) {
    const conn = openTestConnection(new URL(`test://${join(DIR, "nodes", file)}`), {});
    try {
      const dom = await conn.domainLookupByName!("d");
      assert.deepEqual(await conn.domainGetState!(dom, 0), recorded[file], file);
    } finally {
      await conn.connectClose();
    }
  }
});
