/**
 * libvirt's `virCPUx86Compare` / `x86Compute`: whether a host CPU can run a CPU definition.
 *
 * @module
 */
import { VirError } from "../../util/errors.ts";
import type { CpuDef } from "./def.ts";
import {
  compareData,
  copyData,
  intersectData,
  isEmptyData,
  subtractData,
  type X86Data,
} from "./x86_data.ts";
import { featureNames, x86ModelFromCpu } from "./x86_model.ts";

/** virCPUCompareResult names. */
export type CpuCompareResult = "INCOMPATIBLE" | "IDENTICAL" | "SUPERSET";

/** The architectures the x86 driver serves. */
export const X86_ARCHES = ["i686", "x86_64"];

const incompatible = (msg: string, data: X86Data) => `${msg}: ${featureNames(data)}`;

/** `x86Compute`: the result and, when incompatible, why. */
function compute(host: CpuDef, cpu: CpuDef): [CpuCompareResult, string?] {
  if (cpu.arch !== undefined && !X86_ARCHES.includes(cpu.arch)) {
    return ["INCOMPATIBLE", `CPU arch ${cpu.arch} does not match host arch`];
  }
  if (cpu.vendor && (!host.vendor || cpu.vendor !== host.vendor)) {
    return ["INCOMPATIBLE", `host CPU vendor does not match required CPU vendor ${cpu.vendor}`];
  }
  const hostData = x86ModelFromCpu(host, "all").data;
  const force = x86ModelFromCpu(cpu, "force").data;
  const require = x86ModelFromCpu(cpu, "require").data;
  const optional = x86ModelFromCpu(cpu, "optional").data;
  const disable = x86ModelFromCpu(cpu, "disable").data;
  const forbid = x86ModelFromCpu(cpu, "forbid").data;
  intersectData(forbid, hostData);
  if (!isEmptyData(forbid)) {
    return ["INCOMPATIBLE", incompatible("Host CPU provides forbidden features", forbid)];
  }
  for (const d of [force, optional, disable]) subtractData(require, d);
  const relation = compareData(hostData, require);
  if (relation === "SUBSET" || relation === "UNRELATED") {
    subtractData(require, hostData);
    return ["INCOMPATIBLE", incompatible("Host CPU does not provide required features", require)];
  }
  const diff = copyData(hostData);
  for (const d of [optional, require, disable, force]) subtractData(diff, d);
  if (isEmptyData(diff)) return ["IDENTICAL"];
  if (cpu.type === "guest" && cpu.match === "strict") {
    return [
      "INCOMPATIBLE",
      incompatible("Host CPU does not strictly match guest CPU: Extra features", diff),
    ];
  }
  return ["SUPERSET"];
}

/**
 * `virCPUx86Compare`: IDENTICAL, SUPERSET or INCOMPATIBLE; with `failIncompatible` an
 * incompatible CPU is the error VIR_ERR_CPU_INCOMPATIBLE with libvirt's reason. A host CPU
 * without a model is "unknown host CPU".
 *
 * @example
 * ```ts
 * import { x86Compare } from "./x86_compare.ts";
 * import { parseCpuDef } from "./def.ts";
 * const host = parseCpuDef("<cpu><arch>x86_64</arch><model>Haswell</model></cpu>", "host");
 * x86Compare(host, parseCpuDef("<cpu><model>Nehalem</model></cpu>", "auto"), false); // "SUPERSET"
 * ```
 */
export function x86Compare(
  host: CpuDef | undefined,
  cpu: CpuDef,
  failIncompatible: boolean,
): CpuCompareResult {
  if (!host?.model) {
    if (failIncompatible) throw VirError.report("CPU", "CPU_INCOMPATIBLE", "unknown host CPU");
    return "INCOMPATIBLE";
  }
  const [result, message] = compute(host, cpu);
  if (result === "INCOMPATIBLE" && failIncompatible) {
    throw VirError.report("CPU", "CPU_INCOMPATIBLE", message!);
  }
  return result;
}
