/**
 * The CPU a host-model guest of one QEMU binary gets, as libvirt 9.0 computes it from QEMU's
 * answers (`virQEMUCapsInitHostCPUModel` for x86): QEMU's static expansion of `max` (TCG) or
 * `host` (KVM) turned into CPU data and decoded against the CPU map, restricted to the models
 * QEMU has, each model's unavailable features disabled. Only native x86 guests have one, as in
 * libvirt (s390's and ARM's host models are not carried).
 *
 * @module
 */
import {
  type CpuDef,
  type HvCpuModels,
  newCpuDef,
  x86CpuData,
  x86Decode,
} from "../../../conf/cpu/mod.ts";
import { cpuFeatureFromQemu as fromQemu } from "../cpu_features.ts";
import type { EmulatorCaps, QmpHostCpu } from "./host_caps_cache.ts";

const isX86 = (arch: string) => arch === "x86_64" || arch === "i686";

const accelOf = (virttype: string) => virttype === "kvm" ? "kvm" : "tcg";

/**
 * `virQEMUCapsGetCPUModels`: QEMU's CPU models for a virtualization type, each with the
 * features that keep it from running (`unavailable-features`, in libvirt's names).
 *
 * @example
 * ```ts ignore
 * import { hvCpuModels } from "./host_cpu_model.ts";
 * declare const caps: import("./host_caps_cache.ts").EmulatorCaps;
 * hvCpuModels(caps, "x86_64", "qemu").get("EPYC"); // ["vme", …] under TCG on an AMD host
 * ```
 */
export function hvCpuModels(caps: EmulatorCaps, arch: string, virttype: string): HvCpuModels {
  const defs = caps.cpus[accelOf(virttype)] ?? [];
  return new Map(
    defs.map((d) => [d.name, (d["unavailable-features"] ?? []).map((f) => fromQemu(arch, f))]),
  );
}

/**
 * The props of the host CPU with the non-migratable features switched on, each marked with
 * whether it migrates (`virQEMUCapsProbeQMPHostCPU` merging its two expansions).
 */
function mergedProps(host: QmpHostCpu) {
  return Object.entries(host.migratable.props).map(([name, value]) => {
    const all = host.all.props[name];
    if (typeof value !== "boolean" || typeof all !== "boolean") {
      return { name, value, migratable: undefined };
    }
    if (value) return { name, value, migratable: true };
    return all ? { name, value: true, migratable: false } : { name, value, migratable: undefined };
  });
}

/**
 * `virQEMUCapsGetCPUFeatures`: every feature QEMU knows for the host CPU (libvirt's names),
 * without the non-migratable ones when `migratable`; undefined where QEMU did not expand it.
 *
 * @example
 * ```ts ignore
 * import { hostCpuFeatures } from "./host_cpu_model.ts";
 * declare const caps: import("./host_caps_cache.ts").EmulatorCaps;
 * hostCpuFeatures(caps, "x86_64", "qemu", true)?.includes("sse2"); // true
 * ```
 */
export function hostCpuFeatures(
  caps: EmulatorCaps,
  arch: string,
  virttype: string,
  migratable: boolean,
): string[] | undefined {
  const host = caps.hostCpu[accelOf(virttype)];
  if (!host) return undefined;
  return mergedProps(host).filter((p) => !(migratable && p.migratable === false))
    .map((p) => fromQemu(arch, p.name));
}

/**
 * The host-model CPU libvirt has for a binary and virtualization type, undefined where it has
 * none: a guest architecture that is not this host's, a non-x86 one, or no expansion from
 * QEMU. By default the one it reports (`VIR_QEMU_CAPS_HOST_CPU_REPORTED`, non-migratable
 * features included); with `migratable` the one a host-model guest gets
 * (`VIR_QEMU_CAPS_HOST_CPU_MIGRATABLE`).
 *
 * @example
 * ```ts ignore
 * import { hostCpuModel } from "./host_cpu_model.ts";
 * declare const caps: import("./host_caps_cache.ts").EmulatorCaps;
 * hostCpuModel(caps, "x86_64", "qemu")?.model; // "EPYC" on this AMD host under TCG
 * ```
 */
export function hostCpuModel(
  caps: EmulatorCaps,
  arch: string,
  virttype: string,
  migratable = false,
): CpuDef | undefined {
  const host = caps.hostCpu[accelOf(virttype)];
  // virQEMUCapsGuestIsNative: an x86 host runs both x86 guest architectures natively.
  if (!host || !isX86(arch) || Deno.build.arch !== "x86_64") return undefined;
  const props = mergedProps(host);
  const num = (name: string) => {
    const v = props.find((p) => p.name === name)?.value;
    return typeof v === "number" ? v : 0;
  };
  const vendor = props.find((p) => p.name === "vendor")?.value;
  const data = x86CpuData({
    features: props.filter((p) => p.value === true && !(migratable && p.migratable === false))
      .map((p) => fromQemu(arch, p.name)),
    vendor: typeof vendor === "string" ? vendor : undefined,
    family: num("family"),
    model: num("model"),
    stepping: num("stepping"),
  });
  const decoded = x86Decode(data, "guest", [], false, hvCpuModels(caps, arch, virttype));
  return {
    ...newCpuDef(),
    model: decoded.model,
    vendor: decoded.vendor,
    features: decoded.features,
    fallback: "forbid",
  };
}
