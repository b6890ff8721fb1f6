/**
 * CPU feature names between libvirt and QEMU (`virQEMUCapsCPUFeaturesX86`): a few x86
 * features are spelled differently; every other name is the same on both sides.
 *
 * @module
 */

/** QEMU's spelling → libvirt's. */
const QEMU_TO_LIBVIRT: Record<string, string> = {
  "cmp-legacy": "cmp_legacy",
  "ds-cpl": "ds_cpl",
  "fxsr-opt": "fxsr_opt",
  "kvm-pv-eoi": "kvm_pv_eoi",
  "kvm-pv-unhalt": "kvm_pv_unhalt",
  "lahf-lm": "lahf_lm",
  "nodeid-msr": "nodeid_msr",
  "pclmulqdq": "pclmuldq",
  "perfctr-core": "perfctr_core",
  "perfctr-nb": "perfctr_nb",
  "tsc-adjust": "tsc_adjust",
};

const LIBVIRT_TO_QEMU = Object.fromEntries(
  Object.entries(QEMU_TO_LIBVIRT).map(([qemu, libvirt]) => [libvirt, qemu]),
);

const isX86 = (arch: string) => arch === "x86_64" || arch === "i686";

/**
 * `virQEMUCapsCPUFeatureFromQEMU`: libvirt's name of a QEMU CPU feature.
 *
 * @example
 * ```ts
 * import { cpuFeatureFromQemu } from "./cpu_features.ts";
 * cpuFeatureFromQemu("x86_64", "fxsr-opt"); // "fxsr_opt"
 * ```
 */
export function cpuFeatureFromQemu(arch: string, name: string): string {
  return isX86(arch) ? QEMU_TO_LIBVIRT[name] ?? name : name;
}

/**
 * `virQEMUCapsCPUFeatureToQEMU`: QEMU's name of a libvirt CPU feature.
 *
 * @example
 * ```ts
 * import { cpuFeatureToQemu } from "./cpu_features.ts";
 * cpuFeatureToQemu("x86_64", "fxsr_opt"); // "fxsr-opt"
 * ```
 */
export function cpuFeatureToQemu(arch: string, name: string): string {
  return isX86(arch) ? LIBVIRT_TO_QEMU[name] ?? name : name;
}
