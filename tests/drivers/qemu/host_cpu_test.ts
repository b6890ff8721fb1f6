// qemuConnectCompareCPU and qemuConnectBaselineCPU replayed against libvirt 9.0's answers,
// recorded by tests/tools/record_cpu_map.py on this machine's host CPU (the CPU comes from the
// recording, tests/conf/cpu/fixtures/host.json, never from the live host).
import assert from "node:assert/strict";
import { baselineCpu, compareCpu } from "../../../drivers/qemu/api/host_cpu.ts";
import { parseCpuDef } from "../../../conf/cpu/mod.ts";
import { differing, fixture, type Recorded } from "../../conf/cpu/recorded.ts";

const HOST = parseCpuDef(fixture<{ capabilitiesCpu: string }>("host.json").capabilitiesCpu, "host");

Deno.test("compareCPU against the recorded host CPU answers as libvirt 9.0", async () => {
  const all = fixture<(Recorded & { xml: string; flags: number })[]>("compare.json");
  const wrong = await differing(all, (c) => compareCpu(HOST, c.xml, c.flags));
  // Incompatible, identical and superset are all among the recorded answers.
  assert.deepEqual([0, 1, 2].filter((r) => all.some((c) => c.result === r)), [0, 1, 2]);
  assert.deepEqual(wrong.slice(0, 3), [], `${wrong.length} of ${all.length} differ`);
});

Deno.test("the QEMU driver's baselineCPU answers as libvirt 9.0", async () => {
  const all = fixture<(Recorded & { xmls: string[]; flags: number })[]>("qemu_baseline.json");
  const wrong = await differing(all, (c) => baselineCpu(c.xmls, c.flags));
  assert.deepEqual(wrong.slice(0, 3), [], `${wrong.length} of ${all.length} differ`);
});
