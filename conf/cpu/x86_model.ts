/**
 * The CPU data of a CPU definition and its way back to feature names, as cpu_x86.c's
 * `x86ModelFromCPU`, `x86DataToCPUFeatures` and `x86FeatureNames` compute them.
 *
 * @module
 */
import { VirError } from "../../util/errors.ts";
import type { CpuDef, CpuFeature, FeaturePolicy } from "./def.ts";
import { addData, copyData, isSubsetData, subtractData, type X86Data } from "./x86_data.ts";
import { x86Map, type X86Model } from "./x86_map.ts";

/**
 * `x86ModelFind`.
 *
 * @example
 * ```ts
 * import { findX86Model } from "./x86_model.ts";
 * findX86Model("EPYC")?.vendor?.name; // "AMD"
 * ```
 */
export function findX86Model(name: string | undefined): X86Model | undefined {
  return x86Map().models.find((m) => m.name === name);
}

/**
 * `x86ModelFromCPU`: the data of `cpu`'s features of one policy (with the model's own data for
 * `require`), or with `"all"` everything the CPU has (model + required and forced − disabled
 * and forbidden). A host CPU has only required features.
 *
 * @example
 * ```ts
 * import { x86ModelFromCpu } from "./x86_model.ts";
 * import { newCpuDef } from "./def.ts";
 * x86ModelFromCpu({ ...newCpuDef(), model: "qemu64" }, "all").data.size > 0; // true
 * ```
 */
export function x86ModelFromCpu(
  cpu: CpuDef,
  policy: FeaturePolicy | "all",
): { data: X86Data; model?: X86Model } {
  if (cpu.type === "host" && policy !== "require" && policy !== "all") return { data: new Map() };
  let model: X86Model | undefined;
  if (cpu.model && (policy === "require" || policy === "all")) {
    model = findX86Model(cpu.model);
    if (!model) throw VirError.report("CPU", "INTERNAL_ERROR", `Unknown CPU model ${cpu.model}`);
  }
  const data = model ? copyData(model.data) : new Map();
  for (const f of cpu.features) {
    const fpol = f.policy ?? "require";
    if (policy === "all" ? fpol === "optional" : fpol !== policy) continue;
    const feature = x86Map().features.find((x) => x.name === f.name);
    if (!feature) throw VirError.report("CPU", "INTERNAL_ERROR", `Unknown CPU feature ${f.name}`);
    if (policy === "all" && (fpol === "disable" || fpol === "forbid")) {
      subtractData(data, feature.data);
    } else addData(data, feature.data);
  }
  return { data, model };
}

/**
 * `x86DataToCPUFeatures`: the map's features fully present in `data`, in map order, each
 * removed from `data` as it is found.
 *
 * @example
 * ```ts
 * import { dataToFeatures } from "./x86_model.ts";
 * dataToFeatures(new Map(), "require"); // []
 * ```
 */
export function dataToFeatures(data: X86Data, policy?: FeaturePolicy): CpuFeature[] {
  const out: CpuFeature[] = [];
  for (const feature of x86Map().features) {
    if (!isSubsetData(data, feature.data)) continue;
    subtractData(data, feature.data);
    out.push(policy ? { name: feature.name, policy } : { name: feature.name });
  }
  return out;
}

/**
 * `x86FeatureNames`: the names of the map's features present in `data`, joined by ", ".
 *
 * @example
 * ```ts
 * import { featureNames } from "./x86_model.ts";
 * featureNames(new Map()); // ""
 * ```
 */
export function featureNames(data: X86Data): string {
  return x86Map().features.filter((f) => isSubsetData(data, f.data)).map((f) => f.name).join(
    ", ",
  );
}
