/**
 * The guest CPU checked and made concrete at start (`qemuProcessUpdateGuestCPU` for x86): a
 * mode the binary cannot give is refused; a host-model CPU becomes, in the live definition,
 * the CPU QEMU gives such a guest (its migratable host model) as a custom CPU whose features
 * QEMU is then told (`-cpu MODEL,feature=on|off`). The persistent definition keeps its mode.
 *
 * @module
 */
import type { DomainDef } from "../../conf/domain/def.ts";
import { VirError } from "../../util/errors.ts";
import { element, type XmlElement } from "../../util/xml/mod.ts";
import type { EmulatorCaps } from "./api/host_caps_cache.ts";
import { hostCpuModel } from "./api/host_cpu_model.ts";

/**
 * `virQEMUCapsIsCPUModeSupported` for the modes other than custom: host-passthrough needs KVM,
 * maximum QEMU's `max` model, host-model a host model (checked by the caller).
 *
 * @example
 * ```ts ignore
 * import { cpuModeSupported } from "./cpu_update.ts";
 * declare const caps: import("./api/host_caps_cache.ts").EmulatorCaps;
 * cpuModeSupported(caps, "host-passthrough", "qemu"); // false
 * ```
 */
export function cpuModeSupported(caps: EmulatorCaps, mode: string, virttype: string): boolean {
  const kvm = virttype === "kvm";
  if (mode === "host-passthrough") return kvm && caps.kvm;
  if (mode === "maximum") {
    return ((kvm ? caps.cpus.kvm : caps.cpus.tcg) ?? []).some((d) => d.name === "max");
  }
  return true;
}

/** The `<cpu>` children a host model replaces; others (`cache`, `numa`, …) stay. */
const REPLACED = new Set(["model", "vendor", "feature"]);

/**
 * `qemuProcessUpdateGuestCPU`: libvirt's error for a CPU mode the binary cannot give the
 * domain's type; a host-model `def.cpu` becomes the custom CPU the guest gets, its own
 * `<feature>`s applied over the host model's.
 *
 * @example
 * ```ts ignore
 * import { updateGuestCpu } from "./cpu_update.ts";
 * declare const def: import("../../conf/domain/def.ts").DomainDef;
 * declare const caps: import("./api/host_caps_cache.ts").EmulatorCaps;
 * updateGuestCpu(def, caps); // a host-model def.cpu is now "custom"
 * ```
 */
export function updateGuestCpu(def: DomainDef, caps: EmulatorCaps): void {
  const cpu = def.cpu;
  const mode = cpu?.mode;
  if (!cpu || !mode || mode === "custom") return;
  const arch = def.os.arch ?? "x86_64";
  const host = mode === "host-model" ? hostCpuModel(caps, arch, def.type, true) : undefined;
  if (!cpuModeSupported(caps, mode, def.type) || (mode === "host-model" && !host)) {
    throw VirError.report(
      "QEMU",
      "CONFIG_UNSUPPORTED",
      `CPU mode '${mode}' for ${arch} ${def.type} domain on ${Deno.build.arch} host is not supported by hypervisor`,
    );
  }
  if (!host) return;
  const features = new Map<string, string>(
    host.features.map((f) => [f.name, f.policy ?? "require"]),
  );
  for (const f of cpu.extra.filter((e) => e.name === "feature")) {
    features.set(f.attributes.name, f.attributes.policy ?? "require");
  }
  const kids: XmlElement[] = [
    element("model", { fallback: "forbid" }, [host.model!]),
    ...(host.vendor ? [element("vendor", {}, [host.vendor])] : []),
    ...[...features].map(([name, policy]) => element("feature", { policy, name })),
  ];
  cpu.mode = "custom";
  cpu.match = "exact";
  // libvirt checks the running CPU against QEMU's (qemuProcessUpdateLiveGuestCPU).
  cpu.check = "full";
  cpu.extra = [...kids, ...cpu.extra.filter((e) => !REPLACED.has(e.name))];
}
