// qemuConnectCompareCPU and qemuConnectBaselineCPU replayed against libvirt 9.0's answers,
// recorded by tests/tools/record_cpu_map.py on this machine's host CPU (the CPU comes from the
// recording, tests/conf/cpu/fixtures/host.json, never from the live host).
import assert from "node:assert/strict";
import { baselineCpu, compareCpu, hostCpu } from "../../../drivers/qemu/api/host_cpu.ts";
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

const cpuidReadable = (() => {
  try {
    Deno.openSync("/dev/cpu/0/cpuid").close();
    return true;
  } catch {
    return false;
  }
})();

Deno.test({
  name: "this host: its CPU decodes, and a guest CPU listing it exactly is identical to it",
  // /dev/cpu/0/cpuid needs root and the kernel's cpuid module.
  ignore: !cpuidReadable || Deno.build.arch !== "x86_64",
  fn: () => {
    const host = hostCpu()!;
    assert.ok(host.model && host.vendor);
    const features = host.features.map((f) => `<feature policy='require' name='${f.name}'/>`);
    const same = `<cpu match='strict'><model>${host.model}</model>${features.join("")}</cpu>`;
    assert.equal(compareCpu(host, same, 0), 1);
    // One feature fewer: the host is a superset, which a strict match refuses.
    const fewer = same.replace(features[0], "");
    assert.equal(compareCpu(host, fewer.replace("strict", "minimum"), 0), 2);
    assert.throws(() => compareCpu(host, fewer, 1), /does not strictly match guest CPU/);
  },
});
