/**
 * libvirt's `virCPUx86Baseline`: the CPU that every given CPU can run (the intersection of
 * their data), decoded into a model with the given CPUs' models preferred.
 *
 * @module
 */
import { VirError } from "../../util/errors.ts";
import { type CpuDef, newCpuDef } from "./def.ts";
import { addData, addItem, intersectData, isEmptyData } from "./x86_data.ts";
import { type HvCpuModels, x86Decode } from "./x86_decode.ts";
import { x86Map, type X86Vendor } from "./x86_map.ts";
import { x86ModelFromCpu } from "./x86_model.ts";

const failed = (msg: string) => VirError.report("CPU", "OPERATION_FAILED", msg);

/**
 * `virCPUx86Baseline`: a guest CPU, exact match, whose vendor is printed only when every CPU
 * names it. `features` (when given) limits the result to those features; `migratable` drops
 * features that block migration; `models` (when given) are the hypervisor's, the only ones the
 * result may name.
 *
 * @example
 * ```ts
 * import { x86Baseline } from "./x86_baseline.ts";
 * import { parseCpuDef } from "./def.ts";
 * const a = parseCpuDef("<cpu><arch>x86_64</arch><model>Haswell</model></cpu>", "host");
 * const b = parseCpuDef("<cpu><arch>x86_64</arch><model>Broadwell</model></cpu>", "host");
 * x86Baseline([a, b]).model; // "Haswell"
 * ```
 */
export function x86Baseline(
  cpus: CpuDef[],
  features?: string[],
  migratable = false,
  models?: HvCpuModels,
): CpuDef {
  const map = x86Map();
  const base = x86ModelFromCpu(cpus[0], "all").data;
  const cpu = newCpuDef();
  let outputVendor = true;
  let vendor: X86Vendor | undefined;
  if (!cpus[0].vendor) outputVendor = false;
  else {
    vendor = map.vendors.find((v) => v.name === cpus[0].vendor);
    if (!vendor) throw failed(`Unknown CPU vendor ${cpus[0].vendor}`);
  }
  const names: string[] = cpus[0].model ? [cpus[0].model] : [];
  for (const other of cpus.slice(1)) {
    if (other.model && !names.includes(other.model)) names.push(other.model);
    const { data, model } = x86ModelFromCpu(other, "all");
    if (other.vendor && model?.vendor && other.vendor !== model.vendor.name) {
      throw failed(
        `CPU vendor ${model.vendor.name} of model ${model.name} differs from vendor ${other.vendor}`,
      );
    }
    let vn = other.vendor;
    if (!vn) {
      outputVendor = false;
      vn = model?.vendor?.name;
    }
    if (vn) {
      if (!vendor) {
        vendor = map.vendors.find((v) => v.name === vn);
        if (!vendor) throw failed(`Unknown CPU vendor ${vn}`);
      } else if (vendor.name !== vn) throw failed("CPU vendors do not match");
    }
    intersectData(base, data);
  }
  if (features) {
    const wanted = new Map();
    for (const f of map.features) if (features.includes(f.name)) addData(wanted, f.data);
    intersectData(base, wanted);
  }
  if (isEmptyData(base)) throw failed("CPUs are incompatible");
  if (vendor) { for (const item of vendor.data.values()) addItem(base, item); }
  const decoded = x86Decode(base, "guest", names, migratable, models);
  cpu.model = decoded.model;
  cpu.features = decoded.features;
  if (outputVendor) cpu.vendor = decoded.vendor;
  if (names.length === 1 && cpu.model === names[0]) cpu.fallback = "forbid";
  return cpu;
}
