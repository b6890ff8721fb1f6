/**
 * libvirt's ppc64 CPU driver, as far as its map (vendors, models and their vendor) takes it:
 * the model names and `virCPUppc64Baseline`, which compares models by name only.
 *
 * @module
 */
import CPU_MAP from "./cpu_map.json" with { type: "json" };
import { VirError } from "../../util/errors.ts";
import { type CpuDef, newCpuDef } from "./def.ts";

const failed = (msg: string) => VirError.report("CPU", "OPERATION_FAILED", msg);

/**
 * The ppc64 model names in index.xml's order (`virCPUppc64DriverGetModels`).
 *
 * @example
 * ```ts
 * import { ppc64ModelNames } from "./ppc64.ts";
 * ppc64ModelNames()[0]; // "POWER6"
 * ```
 */
export function ppc64ModelNames(): string[] {
  return CPU_MAP.ppc64.models.map((m) => m.name);
}

/**
 * `virCPUppc64Baseline`: every CPU must name the first one's model; the vendor comes from the
 * CPUs when the model has none.
 *
 * @example
 * ```ts
 * import { ppc64Baseline } from "./ppc64.ts";
 * import { parseCpuDef } from "./def.ts";
 * ppc64Baseline([parseCpuDef("<cpu><arch>ppc64</arch><model>POWER8</model></cpu>", "host")])
 *   .fallback; // "forbid"
 * ```
 */
export function ppc64Baseline(cpus: CpuDef[]): CpuDef {
  const { models, vendors } = CPU_MAP.ppc64;
  const model = models.find((m) => m.name === cpus[0].model) as
    | { name: string; vendor?: string }
    | undefined;
  if (!model) throw VirError.report("CPU", "INTERNAL_ERROR", `Unknown CPU model ${cpus[0].model}`);
  let vendor: string | undefined;
  for (const cpu of cpus) {
    if (cpu.model !== model.name) throw failed("CPUs are incompatible");
    if (!cpu.vendor) continue;
    if (!vendors.includes(cpu.vendor)) throw failed(`Unknown CPU vendor ${cpu.vendor}`);
    if (model.vendor) {
      if (model.vendor !== cpu.vendor) {
        throw failed(
          `CPU vendor ${model.vendor} of model ${model.name} differs from vendor ${cpu.vendor}`,
        );
      }
    } else if (vendor && vendor !== cpu.vendor) throw failed("CPU vendors do not match");
    else vendor = cpu.vendor;
  }
  return { ...newCpuDef(), model: model.name, vendor, fallback: "forbid" };
}
