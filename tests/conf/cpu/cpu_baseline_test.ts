// libvirt 9.0's baselineCPU replayed: test:///default (testConnectBaselineCPU) on generated host
// CPUs, recorded with tests/tools/record_cpu_map.py into fixtures/baseline.json.
import assert from "node:assert/strict";
import { connect } from "../../../host.ts";
import { differing, fixture, type Recorded } from "./recorded.ts";

Deno.test("test:///default baselineCPU answers every recorded case as libvirt 9.0", async () => {
  const conn = await connect("test:///default");
  const all = fixture<(Recorded & { xmls: string[]; flags: number })[]>("baseline.json");
  const wrong = await differing(all, (c) => conn.call("connectBaselineCPU", c.xmls, c.flags));
  await conn.close();
  assert.ok(all.filter((c) => c.result).length > 50, "the fixture holds successful baselines");
  assert.deepEqual(wrong.slice(0, 3), [], `${wrong.length} of ${all.length} differ`);
});
