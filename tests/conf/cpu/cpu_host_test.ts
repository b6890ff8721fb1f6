// The host CPU of the capabilities decoded as libvirt 9.0 decodes it: this machine's CPUID
// leaves and libvirt's <cpu> for them were recorded together (tests/tools/record_cpu_map.py,
// fixtures/host.json); the decode replays from the copy, never from the live host.
import assert from "node:assert/strict";
import { type CpuidLeaf, x86HostCpu } from "../../../conf/cpu/x86_host.ts";
import { parseCpuDef } from "../../../conf/cpu/mod.ts";
import { x86Map } from "../../../conf/cpu/x86_map.ts";

const HOST = JSON.parse(
  Deno.readTextFileSync(new URL("fixtures/host.json", import.meta.url)),
) as { capabilitiesCpu: string; cpuid: CpuidLeaf[] };

Deno.test("the recorded CPUID leaves decode to libvirt's model, vendor, features, signature", () => {
  const want = parseCpuDef(HOST.capabilitiesCpu, "host");
  const got = x86HostCpu(HOST.cpuid);
  assert.equal(got.model, want.model);
  assert.equal(got.vendor, want.vendor);
  assert.deepEqual(got.features, want.features);
  assert.deepEqual(got.signature, want.signature);
  assert.ok(want.features.length > 10, "the recorded host has features beyond its model");
});

Deno.test("a host CPU is a model with extra features only, never a disabled one", () => {
  const epyc = x86Map().models.find((m) => m.name === "EPYC")!;
  const leaves = [...epyc.data.values()].map((i) =>
    i.kind === "cpuid" ? [i.eaxIn, i.ecxIn, ...i.regs] : []
  ).filter((l) => l.length) as CpuidLeaf[];
  // AuthenticAMD in leaf 0, family 23 model 1 stepping 2 (EPYC's signature) in leaf 1.
  leaves.push([0, 0, 0xd, 0x68747541, 0x444d4163, 0x69746e65]);
  const leaf1 = leaves.find((l) => l[0] === 1)!;
  leaf1[2] = 0x800f12;
  const cpu = x86HostCpu(leaves);
  assert.equal(cpu.model, "EPYC");
  assert.equal(cpu.vendor, "AMD");
  assert.deepEqual(cpu.signature, { family: 23, model: 1, stepping: 2 });
  assert.deepEqual(cpu.features, []);
  // Without any feature every model would need disabled ones: libvirt finds none.
  assert.throws(
    () => x86HostCpu([[0, 0, 0xd, 0x68747541, 0x444d4163, 0x69746e65]]),
    /Cannot find suitable CPU model for given data/,
  );
});
