/**
 * The hypervisor CPU calls: `qemuConnectCompareHypervisorCPU` and
 * `qemuConnectBaselineHypervisorCPU`, against the CPU QEMU gives a host-model guest and the CPU
 * models QEMU has (host_cpu_model.ts) rather than the host's own CPU. x86 only, as libvirt
 * outside s390 (whose QMP comparison and baseline are not carried: refused with libvirt's
 * message for an architecture without them).
 *
 * @module
 */
import {
  cpuBaseline,
  cpuExpandFeatures,
  formatCpuDef,
  parseCpuDef,
} from "../../../conf/cpu/mod.ts";
import { VIR } from "../../../util/constants.ts";
import { checkFlags, VirError } from "../../../util/errors.ts";
import type { QemuDriverState } from "../driver_state.ts";
import { compareCpuXml } from "./host_cpu.ts";
import { hostCpuFeatures, hostCpuModel, hvCpuModels } from "./host_cpu_model.ts";
import { resolveTarget } from "./host_target.ts";

const F = "QEMU";

const isX86 = (arch: string) => arch === "x86_64" || arch === "i686";

/** Which QEMU binary, architecture, machine and virtualization type a call names. */
export interface HypervisorSelection {
  emulator?: string | null;
  arch?: string | null;
  machine?: string | null;
  virttype?: string | null;
}

const resolve = (state: QemuDriverState, s: HypervisorSelection) =>
  resolveTarget(state, s.emulator, s.arch, s.machine, s.virttype);

/**
 * `qemuConnectCompareHypervisorCPU`: 0 incompatible, 1 identical, 2 superset.
 *
 * @example
 * ```ts ignore
 * import { compareHypervisorCpu } from "./host_cpu_hyp.ts";
 * declare const state: import("../driver_state.ts").QemuDriverState;
 * await compareHypervisorCpu(state, { virttype: "qemu" }, "<cpu><model>qemu64</model></cpu>", 0);
 * ```
 */
export async function compareHypervisorCpu(
  state: QemuDriverState,
  sel: HypervisorSelection,
  xml: string,
  flags: number,
): Promise<number> {
  checkFlags(
    flags,
    VIR.CONNECT_COMPARE_CPU_FAIL_INCOMPATIBLE | VIR.CONNECT_COMPARE_CPU_VALIDATE_XML,
    "qemuConnectCompareHypervisorCPU",
    F,
  );
  const t = await resolve(state, sel);
  const hvCpu = hostCpuModel(t.caps, t.arch, t.virttype);
  if (!hvCpu) {
    throw VirError.report(
      F,
      "OPERATION_UNSUPPORTED",
      `QEMU '${t.emulator}' does not support reporting CPU model for virttype '${t.virttype}'`,
    );
  }
  if (!isX86(t.arch)) {
    throw VirError.report(
      F,
      "OPERATION_UNSUPPORTED",
      `comparing with the hypervisor CPU is not supported for arch ${t.arch}`,
    );
  }
  return compareCpuXml(t.arch, hvCpu, xml, flags);
}

/**
 * `qemuConnectBaselineHypervisorCPU`: the CPU every given CPU can run, named after one of
 * QEMU's models and limited to the features QEMU knows.
 *
 * @example
 * ```ts ignore
 * import { baselineHypervisorCpu } from "./host_cpu_hyp.ts";
 * declare const state: import("../driver_state.ts").QemuDriverState;
 * await baselineHypervisorCpu(state, {}, ["<cpu><model>Penryn</model></cpu>"], 0);
 * ```
 */
export async function baselineHypervisorCpu(
  state: QemuDriverState,
  sel: HypervisorSelection,
  xmlCPUs: string[],
  flags: number,
): Promise<string> {
  checkFlags(
    flags,
    VIR.CONNECT_BASELINE_CPU_EXPAND_FEATURES | VIR.CONNECT_BASELINE_CPU_MIGRATABLE,
    "qemuConnectBaselineHypervisorCPU",
    F,
  );
  let migratable = !!(flags & VIR.CONNECT_BASELINE_CPU_MIGRATABLE);
  if (!xmlCPUs.length) throw VirError.report("CPU", "INVALID_ARG", "no CPUs given");
  const cpus = xmlCPUs.map((xml) => parseCpuDef(xml, "auto"));
  const t = await resolve(state, sel);
  const models = hvCpuModels(t.caps, t.arch, t.virttype);
  if (!models.size) {
    throw VirError.report(
      F,
      "OPERATION_UNSUPPORTED",
      `QEMU '${t.emulator}' does not support any CPU models for virttype '${t.virttype}'`,
    );
  }
  if (!isX86(t.arch)) {
    throw VirError.report(
      F,
      "OPERATION_UNSUPPORTED",
      `computing baseline hypervisor CPU is not supported for arch ${t.arch}`,
    );
  }
  const features = hostCpuFeatures(t.caps, t.arch, t.virttype, migratable);
  // QEMU's list already left out what does not migrate: no further filtering is wanted.
  if (features) migratable = false;
  const cpu = cpuBaseline(t.arch, cpus, features, migratable, models);
  cpu.fallback = "forbid";
  if (flags & VIR.CONNECT_BASELINE_CPU_EXPAND_FEATURES) cpuExpandFeatures(t.arch, cpu);
  return formatCpuDef(cpu);
}
