/**
 * libvirt's `virCPUx86ExpandFeatures`: a CPU definition with every feature of its model listed.
 *
 * @module
 */
import { VirError } from "../../util/errors.ts";
import type { CpuDef } from "./def.ts";
import { copyData } from "./x86_data.ts";
import { dataToFeatures, findX86Model } from "./x86_model.ts";

/**
 * `virCPUx86ExpandFeatures`: the model's features (required, or policy-less for a host CPU),
 * then the definition's own required and disabled ones (every one for a host CPU) over them,
 * then the model's removed features disabled (guest CPUs). The caller sorts them by name.
 *
 * @example
 * ```ts
 * import { x86ExpandFeatures } from "./x86_expand.ts";
 * import { newCpuDef } from "./def.ts";
 * const cpu = { ...newCpuDef(), model: "486" };
 * x86ExpandFeatures(cpu);
 * cpu.features.length > 0; // true
 * ```
 */
export function x86ExpandFeatures(cpu: CpuDef): void {
  const host = cpu.type === "host";
  const model = findX86Model(cpu.model);
  if (!model) throw VirError.report("CPU", "INTERNAL_ERROR", `unknown CPU model ${cpu.model}`);
  const expanded = dataToFeatures(copyData(model.data), host ? undefined : "require");
  for (const f of cpu.features) {
    if (!host && f.policy !== "require" && f.policy !== "disable") continue;
    const have = expanded.find((e) => e.name === f.name);
    if (have) have.policy = f.policy;
    else expanded.push({ ...f });
  }
  if (!host) {
    for (const name of model.removedFeatures) {
      if (!expanded.some((f) => f.name === name)) expanded.push({ name, policy: "disable" });
    }
  }
  cpu.features = expanded;
}
