/**
 * A host x86 CPU from its CPUID leaves (and IA32_ARCH_CAPABILITIES MSR), described as libvirt's
 * `virCPUx86GetHost` describes it: `x86DecodeCPUData` for a host CPU.
 *
 * @module
 */
import { type CpuDef, newCpuDef } from "./def.ts";
import { addItem, cpuidItem, type X86Data } from "./x86_data.ts";
import { x86Decode } from "./x86_decode.ts";
import { x86Map } from "./x86_map.ts";

/** A CPUID answer: `[eaxIn, ecxIn, eax, ebx, ecx, edx]`. */
export type CpuidLeaf = [number, number, number, number, number, number];

/**
 * The CPUID leaves (`[eaxIn, ecxIn]`, ascending) a host decode needs: leaf 0 (vendor), leaf 1
 * (signature) and every leaf a feature of the map lives in. Leaves above the CPU's highest
 * basic/extended leaf are not to be read (libvirt's cpuidSet stops there).
 *
 * @example
 * ```ts
 * import { x86CpuidLeaves } from "./x86_host.ts";
 * x86CpuidLeaves()[0]; // [0, 0]
 * ```
 */
export function x86CpuidLeaves(): [number, number][] {
  const keys = new Set(["0:0", "1:0"]);
  for (const f of x86Map().features) {
    for (const item of f.data.values()) {
      if (item.kind === "cpuid") keys.add(`${item.eaxIn}:${item.ecxIn}`);
    }
  }
  return [...keys].map((k) => k.split(":").map(Number) as [number, number])
    .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
}

/**
 * The host CPU (`<cpu>` of the capabilities): model, vendor, features and signature decoded
 * from CPUID answers and, when the CPU has `arch-capabilities` and it could be read, MSR 0x10a.
 *
 * @example
 * ```ts ignore
 * import { x86HostCpu } from "./x86_host.ts";
 * declare const leaves: import("./x86_host.ts").CpuidLeaf[];
 * x86HostCpu(leaves).model;
 * ```
 */
export function x86HostCpu(leaves: CpuidLeaf[], archCapabilities?: bigint): CpuDef {
  const data: X86Data = new Map();
  for (const [eaxIn, ecxIn, ...regs] of leaves) addItem(data, cpuidItem(eaxIn, ecxIn, regs));
  if (archCapabilities !== undefined) {
    const eax = Number(archCapabilities & 0xffffffffn);
    addItem(data, { kind: "msr", index: 0x10a, regs: [eax, Number(archCapabilities >> 32n)] });
  }
  const decoded = x86Decode(data, "host");
  return {
    ...newCpuDef(),
    type: "host",
    mode: undefined,
    arch: "x86_64",
    model: decoded.model,
    vendor: decoded.vendor,
    features: decoded.features,
    signature: decoded.signature,
  };
}
