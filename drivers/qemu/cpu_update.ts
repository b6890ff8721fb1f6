/**
 * A host-model guest CPU made concrete at start (`qemuProcessUpdateGuestCPU` for x86, as
 * `virCPUUpdate` does it): the live definition gets the CPU QEMU gives a host-model guest
 * (its migratable host model) as a custom CPU whose features QEMU is then told
 * (`-cpu MODEL,feature=on|off`). The persistent definition keeps `mode='host-model'`.
 *
 * @module
 */
import type { DomainDef } from "../../conf/domain/def.ts";
import { VirError } from "../../util/errors.ts";
import { element, type XmlElement } from "../../util/xml/mod.ts";
import type { EmulatorCaps } from "./api/host_caps_cache.ts";
import { hostCpuModel } from "./api/host_cpu_model.ts";

/** The `<cpu>` children a host model replaces; others (`cache`, `numa`, …) stay. */
const REPLACED = new Set(["model", "vendor", "feature"]);

/**
 * Turns a host-model `def.cpu` (when it is one) into the custom CPU the guest gets, its own
 * `<feature>`s applied over the host model's; libvirt's error where the binary has no host
 * model for the domain's type.
 *
 * @example
 * ```ts ignore
 * import { updateHostModelCpu } from "./cpu_update.ts";
 * declare const def: import("../../conf/domain/def.ts").DomainDef;
 * declare const caps: import("./api/host_caps_cache.ts").EmulatorCaps;
 * updateHostModelCpu(def, caps); // def.cpu.mode is now "custom"
 * ```
 */
export function updateHostModelCpu(def: DomainDef, caps: EmulatorCaps): void {
  const cpu = def.cpu;
  if (cpu?.mode !== "host-model") return;
  const arch = def.os.arch ?? "x86_64";
  const host = hostCpuModel(caps, arch, def.type, true);
  if (!host) {
    const hostArch = Deno.build.arch === "aarch64" ? "aarch64" : Deno.build.arch;
    throw VirError.report(
      "QEMU",
      "CONFIG_UNSUPPORTED",
      `CPU mode 'host-model' for ${arch} ${def.type} domain on ${hostArch} host is not supported by hypervisor`,
    );
  }
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
