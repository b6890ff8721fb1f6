/**
 * libvirt's architecture-independent CPU calls (src/cpu/cpu.c): `virCPUBaseline`,
 * `virCPUCompare` and `virCPUExpandFeatures`, handed to the CPU driver of the architecture.
 * The x86 driver is carried whole, ppc64's baseline too; what libvirt's ppc64, s390 and ARM
 * drivers do beyond that is refused with libvirt's message for a driver that lacks the call.
 *
 * @module
 */
import { VirError } from "../../util/errors.ts";
import type { CpuDef } from "./def.ts";
import { x86Baseline } from "./x86_baseline.ts";
import type { HvCpuModels } from "./x86_decode.ts";
import { type CpuCompareResult, X86_ARCHES, x86Compare } from "./x86_compare.ts";
import { x86ExpandFeatures } from "./x86_expand.ts";
import { ppc64Baseline } from "./ppc64.ts";

/** The architectures of libvirt's CPU drivers (cpu_x86.c, cpu_ppc64.c, cpu_s390.c, cpu_arm.c). */
const DRIVER_ARCHES = [
  ...X86_ARCHES,
  "ppc64",
  "ppc64le",
  "s390",
  "s390x",
  "armv6l",
  "armv7l",
  "armv7b",
  "aarch64",
];

/** `cpuGetSubDriver`: the driver's name (x86, ppc64, other), else libvirt's error. */
function driverOf(arch: string | undefined): "x86" | "ppc64" | "other" {
  if (!arch) throw VirError.report("CPU", "INTERNAL_ERROR", "undefined hardware architecture");
  if (!DRIVER_ARCHES.includes(arch)) {
    throw VirError.report(
      "CPU",
      "NO_SUPPORT",
      `'${arch}' architecture is not supported by CPU driver`,
    );
  }
  return X86_ARCHES.includes(arch) ? "x86" : arch.startsWith("ppc64") ? "ppc64" : "other";
}

/**
 * `virCPUBaseline`: the baseline of `cpus` for `arch` (by default the first CPU's), named
 * after one of the hypervisor's `models` when they are given.
 *
 * @example
 * ```ts
 * import { cpuBaseline } from "./cpu.ts";
 * import { parseCpuDef } from "./def.ts";
 * cpuBaseline(undefined, [parseCpuDef("<cpu><arch>x86_64</arch><model>EPYC</model></cpu>", "host")])
 *   .model; // "EPYC"
 * ```
 */
export function cpuBaseline(
  arch: string | undefined,
  cpus: CpuDef[],
  features?: string[],
  migratable = false,
  models?: HvCpuModels,
): CpuDef {
  if (!cpus.length) throw VirError.report("CPU", "INVALID_ARG", "no CPUs given");
  cpus.forEach((c, i) => {
    if (!c.model) {
      throw VirError.report("CPU", "INVALID_ARG", `no CPU model specified at index ${i}`);
    }
  });
  arch ??= cpus[0].arch;
  const driver = driverOf(arch);
  if (driver === "ppc64") return ppc64Baseline(cpus);
  if (driver !== "x86") {
    throw VirError.report(
      "CPU",
      "NO_SUPPORT",
      `cannot compute baseline CPU of ${arch} architecture`,
    );
  }
  return x86Baseline(cpus, features, migratable, models);
}

/**
 * `virCPUCompare`: how `cpu` fits the `host` CPU of `arch`.
 *
 * @example
 * ```ts
 * import { cpuCompare } from "./cpu.ts";
 * import { parseCpuDef } from "./def.ts";
 * const host = parseCpuDef("<cpu><arch>x86_64</arch><model>EPYC</model></cpu>", "host");
 * cpuCompare("x86_64", host, parseCpuDef("<cpu><model>EPYC</model></cpu>", "auto"), false);
 * // "IDENTICAL"
 * ```
 */
export function cpuCompare(
  arch: string,
  host: CpuDef | undefined,
  cpu: CpuDef,
  failIncompatible: boolean,
): CpuCompareResult {
  if (driverOf(arch) !== "x86") {
    throw VirError.report("CPU", "NO_SUPPORT", `cannot compare CPUs of ${arch} architecture`);
  }
  return x86Compare(host, cpu, failIncompatible);
}

/**
 * `virCPUExpandFeatures`: every feature of the CPU's model listed, sorted by name.
 *
 * @example
 * ```ts
 * import { cpuExpandFeatures } from "./cpu.ts";
 * import { newCpuDef } from "./def.ts";
 * const cpu = { ...newCpuDef(), model: "486" };
 * cpuExpandFeatures("x86_64", cpu);
 * ```
 */
export function cpuExpandFeatures(arch: string | undefined, cpu: CpuDef): void {
  // ppc64's driver has no feature expansion.
  if (driverOf(arch) === "x86") x86ExpandFeatures(cpu);
  cpu.features.sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}
