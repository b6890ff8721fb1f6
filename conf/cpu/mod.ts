/**
 * libvirt's CPU model map and CPU driver: CPU definitions (`virCPUDef`), the x86 map
 * (src/cpu_map), decode, baseline, compare and feature expansion.
 *
 * @example
 * ```ts
 * import { cpuBaseline, formatCpuDef, parseCpuDef } from "./mod.ts";
 * const cpus = ["Haswell", "Skylake-Client"].map((m) =>
 *   parseCpuDef(`<cpu><arch>x86_64</arch><model>${m}</model></cpu>`, "host")
 * );
 * formatCpuDef(cpuBaseline(undefined, cpus));
 * ```
 * @module
 */
export * from "./def.ts";
export * from "./cpu.ts";
export { type HvCpuModels, x86Decode, type X86Decoded } from "./x86_decode.ts";
export { type CpuCompareResult } from "./x86_compare.ts";
export { type X86Data } from "./x86_data.ts";
export { x86CpuData, type X86CpuInfo } from "./x86_cpu_data.ts";
