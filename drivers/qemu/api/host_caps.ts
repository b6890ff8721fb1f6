/**
 * `qemuConnectGetCapabilities`: libvirt's `virQEMUCapsInit` for this host and the QEMU binaries
 * found on the PATH, formatted as `virCapabilitiesFormatXML`. The host CPU's model, vendor and
 * features are its CPUID data decoded with libvirt's CPU map (host_cpu.ts); microcode,
 * topology and address bits come from /proc/cpuinfo and sysfs. The TSC `<counter>` (which
 * libvirt asks KVM for) is not reported.
 *
 * @module
 */
import { type Capabilities, formatCapabilitiesXML } from "../../../conf/capabilities/mod.ts";
import { hostNodeInfo } from "../../../util/host_info.ts";
import type { QemuDriverState } from "../driver_state.ts";
import { hostCpu } from "./host_cpu.ts";
import { CapsCache, type EmulatorCaps, type QmpMachine } from "./host_caps_cache.ts";
import {
  hostCacheBanks,
  hostCpuIdentity,
  hostHasIOMMU,
  hostNumaCells,
  hostPageSizes,
} from "./host_topology.ts";

/** Guest architectures in libvirt's `virArch` order: word size and `qemu-system-*` name. */
const ARCHES: [arch: string, wordsize: number, binary: string][] = [
  ["armv7l", 32, "arm"],
  ["aarch64", 64, "aarch64"],
  ["i686", 32, "i386"],
  ["ppc", 32, "ppc"],
  ["ppc64", 64, "ppc64"],
  ["ppc64le", 64, "ppc64"],
  ["riscv32", 32, "riscv32"],
  ["riscv64", 64, "riscv64"],
  ["s390x", 64, "s390x"],
  ["x86_64", 64, "x86_64"],
];

/** libvirt's preferred default machine per architecture (`preferredMachines`). */
const PREFERRED: Record<string, string> = {
  aarch64: "integratorcp",
  armv7l: "integratorcp",
  i686: "pc",
  ppc: "g3beige",
  ppc64: "pseries",
  ppc64le: "pseries",
  riscv32: "spike_v1.10",
  riscv64: "spike_v1.10",
  s390x: "s390-ccw-virtio",
  x86_64: "pc",
};

const caches = new WeakMap<QemuDriverState, CapsCache>();
const hostUUIDs = new WeakMap<QemuDriverState, string>();

/**
 * The driver state's capability cache (one per state directory, as libvirt has one per daemon).
 *
 * @example
 * ```ts ignore
 * import { capsCache } from "./host_caps.ts";
 * declare const state: import("../driver_state.ts").QemuDriverState;
 * await capsCache(state).get("/usr/bin/qemu-system-x86_64");
 * ```
 */
export function capsCache(state: QemuDriverState): CapsCache {
  let cache = caches.get(state);
  if (!cache) {
    cache = new CapsCache(state.launcher, state.paths.cacheDir);
    caches.set(state, cache);
  }
  return cache;
}

/**
 * `virFindFileInPath`: in `dirs`, by default the PATH's.
 *
 * @example
 * ```ts
 * import { findBinary } from "./host_caps.ts";
 * findBinary("swtpm"); // "/usr/bin/swtpm" where swtpm is installed
 * ```
 */
export function findBinary(name: string, dirs?: string[]): string | undefined {
  for (const dir of dirs ?? (Deno.env.get("PATH") ?? "/usr/bin").split(":")) {
    try {
      if (Deno.statSync(`${dir}/${name}`).isFile) return `${dir}/${name}`;
    } catch {
      // Not in this directory.
    }
  }
  return undefined;
}

/**
 * `virQEMUCapsFindBinaryForArch`: the architecture's own binary (`qemu-system-BINARY` on the
 * PATH, or in `dirs`), or for i686 on an x86_64 host the x86_64 one.
 *
 * @example
 * ```ts
 * import { binaryFor } from "./host_caps.ts";
 * binaryFor("x86_64", "x86_64"); // "/usr/bin/qemu-system-x86_64" where QEMU is installed
 * ```
 */
export function binaryFor(arch: string, binary: string, dirs?: string[]): string | undefined {
  const own = findBinary(`qemu-system-${binary}`, dirs);
  if (own || arch !== "i686" || Deno.build.arch !== "x86_64") return own;
  return findBinary("qemu-system-x86_64", dirs);
}

/**
 * `virQEMUCapsProbeQMPMachineTypes` then `virQEMUCapsGetMachineTypesCaps`: QEMU's machines but
 * `none`, libvirt's preferred one (else QEMU's default) first, an alias listed by its alias with
 * its canonical name, and every canonical name given an entry of its own.
 *
 * @example
 * ```ts
 * import { guestMachines } from "./host_caps.ts";
 * guestMachines("x86_64", [{ name: "pc-i440fx-7.2", alias: "pc" }]).map((m) => m.name);
 * // ["pc-i440fx-7.2", "pc"]
 * ```
 */
export function guestMachines(arch: string, machines: QmpMachine[]) {
  const list = machines.filter((m) => m.name !== "none");
  const preferred = PREFERRED[arch];
  let first = list.findIndex((m) => m.alias === preferred || m.name === preferred);
  if (first < 0) first = list.findIndex((m) => m["is-default"]);
  if (first > 0) list.unshift(...list.splice(first, 1));
  const out = list.map((m) => ({
    name: m.alias ?? m.name,
    canonical: m.alias ? m.name : undefined,
    maxCpus: m["cpu-max"],
    deprecated: m.deprecated === true,
  }));
  for (let i = 0; i < out.length; i++) {
    const canonical = out[i].canonical;
    if (!canonical || out.some((m) => m.name === canonical)) continue;
    out.splice(i, 0, { ...out[i], name: canonical, canonical: undefined });
    i++;
  }
  return out;
}

/** `virQEMUCapsInitGuestFromBinary`'s features, in the formatter's (enum) order. */
function guestFeatures(arch: string): Capabilities["guests"][number]["features"] {
  const x86 = arch === "i686" || arch === "x86_64";
  return [
    ...(arch === "i686" ? ["pae", "nonpae"] : []),
    ...(x86 || arch === "aarch64" ? [{ name: "acpi", default: true, toggle: true }] : []),
    ...(x86 ? [{ name: "apic", default: true, toggle: false }] : []),
    "cpuselection",
    "deviceboot",
    { name: "disksnapshot", default: true, toggle: false },
  ];
}

function guestOf(
  arch: string,
  wordsize: number,
  emulator: string,
  caps: EmulatorCaps,
): Capabilities["guests"][number] {
  return {
    osType: "hvm",
    arch,
    wordsize,
    emulator,
    machines: guestMachines(arch, caps.machines),
    domainTypes: caps.kvm ? ["qemu", "kvm"] : ["qemu"],
    features: guestFeatures(arch),
  };
}

/** `virNodeSuspendGetTargetMask`: what `pm-is-supported` says the host can do (nothing without it). */
async function powerManagement(): Promise<string[]> {
  const tool = findBinary("pm-is-supported");
  if (!tool) return [];
  const targets: [string, string][] = [
    ["suspend_mem", "--suspend"],
    ["suspend_disk", "--hibernate"],
    ["suspend_hybrid", "--suspend-hybrid"],
  ];
  const out: string[] = [];
  for (const [name, arg] of targets) {
    const { success } = await new Deno.Command(tool, {
      args: [arg],
      stdout: "null",
      stderr: "null",
    })
      .output().catch(() => ({ success: false }));
    if (success) out.push(name);
  }
  return out;
}

/** The host's UUID: its SMBIOS one, else one made up for the life of the driver (as libvirt). */
function hostUUID(state: QemuDriverState): string {
  let uuid = hostUUIDs.get(state);
  if (!uuid) {
    try {
      uuid = Deno.readTextFileSync("/sys/class/dmi/id/product_uuid").trim().toLowerCase();
    } catch {
      uuid = crypto.randomUUID();
    }
    hostUUIDs.set(state, uuid);
  }
  return uuid;
}

/** The decoded host CPU's model, vendor, signature and features, where CPUID could be read. */
function hostCpuModel() {
  const cpu = hostCpu();
  if (!cpu) return {};
  return {
    model: cpu.model,
    vendor: cpu.vendor,
    signature: cpu.signature,
    features: cpu.features.map((f) => f.name),
  };
}

/**
 * The capabilities model of this host and its QEMU binaries.
 *
 * @example
 * ```ts ignore
 * import { buildCapabilities } from "./host_caps.ts";
 * declare const state: import("../driver_state.ts").QemuDriverState;
 * (await buildCapabilities(state)).guests.map((g) => g.arch); // ["i686", "x86_64"]
 * ```
 */
export async function buildCapabilities(state: QemuDriverState): Promise<Capabilities> {
  const guests: Capabilities["guests"] = [];
  for (const [arch, wordsize, binary] of ARCHES) {
    const emulator = binaryFor(arch, binary, state.binaryDirs);
    const caps = emulator && await capsCache(state).get(emulator);
    if (caps) guests.push(guestOf(arch, wordsize, emulator, caps));
  }
  const nodeInfo = hostNodeInfo();
  return {
    host: {
      uuid: hostUUID(state),
      arch: nodeInfo.model,
      cpuFeatures: [],
      cpu: { ...hostCpuIdentity(), ...hostCpuModel() },
      pageSizes: hostPageSizes(),
      powerManagement: await powerManagement(),
      iommu: hostHasIOMMU(),
      migration: { live: true, transports: ["tcp", "rdma"] },
      cells: hostNumaCells(),
      cache: hostCacheBanks(),
      // No security driver: libvirt's "none" model.
      secModels: [{ model: "none", doi: "0" }],
    },
    guests,
  };
}

/**
 * `qemuConnectGetCapabilities`.
 *
 * @example
 * ```ts ignore
 * import { capabilitiesXML } from "./host_caps.ts";
 * declare const state: import("../driver_state.ts").QemuDriverState;
 * (await capabilitiesXML(state)).startsWith("<capabilities>"); // true
 * ```
 */
export async function capabilitiesXML(state: QemuDriverState): Promise<string> {
  return formatCapabilitiesXML(await buildCapabilities(state));
}
