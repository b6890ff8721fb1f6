/**
 * x86 CPU data from what a hypervisor says about a CPU (feature names, vendor string and
 * family/model/stepping), as qemu_capabilities.c builds it from QEMU's CPU model expansion
 * (`virCPUDataAddFeature`, `virCPUx86DataSetVendor`, `virCPUx86DataSetSignature`).
 *
 * @module
 */
import { VirError } from "../../util/errors.ts";
import { addData, addItem, cpuidItem, type X86Data } from "./x86_data.ts";
import { vendorData, x86Map } from "./x86_map.ts";

/** A CPU as a hypervisor describes it. */
export interface X86CpuInfo {
  /** Enabled features in libvirt's names; names the map does not know are ignored. */
  features: string[];
  /** The 12-character CPUID vendor string (`AuthenticAMD`). */
  vendor?: string;
  family: number;
  model: number;
  stepping: number;
}

/** `x86MakeSignature`: leaf 1's eax for a family, model and stepping. */
function makeSignature(family: number, model: number, stepping: number): number {
  let sig = 0;
  if (family > 0xf) {
    sig |= (family - 0xf) << 20;
    family = 0xf;
  }
  sig |= (model >> 4) << 16;
  sig |= family << 8;
  sig |= (model & 0xf) << 4;
  sig |= stepping & 0xf;
  return sig >>> 0;
}

/**
 * The CPU data of `info` (`virQEMUCapsGetCPUModelX86Data`'s result).
 *
 * @example
 * ```ts
 * import { x86CpuData } from "./x86_cpu_data.ts";
 * const data = x86CpuData({ features: ["sse2"], vendor: "AuthenticAMD", family: 23, model: 1, stepping: 2 });
 * data.get("cpuid:1:0")?.regs[0]; // 0x800f12 (sse2 is bit 26 of edx)
 * ```
 */
export function x86CpuData(info: X86CpuInfo): X86Data {
  const data: X86Data = new Map();
  const features = new Map(x86Map().features.map((f) => [f.name, f]));
  for (const name of info.features) {
    const feature = features.get(name);
    if (feature) addData(data, feature.data);
  }
  if (info.vendor !== undefined) {
    if (info.vendor.length !== 12) {
      throw VirError.report("CPU", "INTERNAL_ERROR", `Invalid CPU vendor string '${info.vendor}'`);
    }
    for (const item of vendorData(info.vendor).values()) addItem(data, item);
  }
  addItem(data, cpuidItem(1, 0, [makeSignature(info.family, info.model, info.stepping), 0, 0, 0]));
  return data;
}
