/**
 * Which QEMU binary, architecture, machine and virtualization type a host call is about
 * (domain capabilities, the hypervisor CPU calls), resolved from the caller's optional
 * arguments as libvirt's `virQEMUCapsCacheLookupDefault` resolves them.
 *
 * @module
 */
import { isKnownArch } from "../../../conf/capabilities/cpu_models.ts";
import { VirError } from "../../../util/errors.ts";
import type { QemuDriverState } from "../driver_state.ts";
import type { EmulatorCaps } from "./host_caps_cache.ts";
import { binaryFor, capsCache, guestMachines } from "./host_caps.ts";
import { binaryName, emulatorArch } from "../emulator.ts";

/** libvirt's `virDomainVirtType` names. */
const VIRT_TYPES = new Set(
  ("none qemu kqemu kvm xen lxc uml openvz test vmware hyperv vbox phyp parallels bhyve vz hvf")
    .split(" "),
);

/** The architecture families `virQEMUCapsCacheLookupDefault` lets stand for each other. */
const family = (arch: string) =>
  arch === "i686" || arch === "x86_64"
    ? "x86"
    : arch.startsWith("ppc")
    ? "ppc"
    : arch.startsWith("arm") || arch === "aarch64"
    ? "arm"
    : arch.startsWith("s390")
    ? "s390"
    : arch;

/** The emulator, architecture, machine and virtualization type a call is about. */
export interface Target {
  emulator: string;
  arch: string;
  machine: string;
  virttype: string;
  caps: EmulatorCaps;
}

const qemuError = (code: "INVALID_ARG" | "CONFIG_UNSUPPORTED" | "SYSTEM_ERROR", msg: string) =>
  VirError.report("QEMU", code, msg);

/**
 * `virQEMUCapsCacheLookupDefault`: the caller's emulator, architecture, machine and
 * virtualization type resolved (each may be omitted) and checked with libvirt's errors.
 *
 * @example
 * ```ts ignore
 * import { resolveTarget } from "./host_target.ts";
 * declare const state: import("../driver_state.ts").QemuDriverState;
 * (await resolveTarget(state, null, "x86_64", null, "qemu")).machine; // "pc-i440fx-7.2"
 * ```
 */
export async function resolveTarget(
  state: QemuDriverState,
  emulator: string | null | undefined,
  archName: string | null | undefined,
  machineName: string | null | undefined,
  virttypeName: string | null | undefined,
): Promise<Target> {
  if (virttypeName && !VIRT_TYPES.has(virttypeName)) {
    throw qemuError("INVALID_ARG", `unknown virttype: ${virttypeName}`);
  }
  if (archName && !isKnownArch(archName)) {
    throw qemuError("INVALID_ARG", `unknown architecture: ${archName}`);
  }
  const arch = archName || Deno.build.arch;
  const binary = emulator || binaryFor(arch, binaryName(arch), state.binaryDirs);
  if (!binary) {
    throw qemuError(
      "CONFIG_UNSUPPORTED",
      `unable to find any emulator to serve '${archName ?? "(null)"}' architecture`,
    );
  }
  const caps = await capsCache(state).get(binary);
  if (!caps) {
    throw qemuError(
      "SYSTEM_ERROR",
      `Cannot check QEMU binary ${binary}: No such file or directory`,
    );
  }
  const capsArch = emulatorArch(binary) ?? arch;
  if (capsArch !== arch && family(capsArch) !== family(arch)) {
    throw qemuError(
      "INVALID_ARG",
      `architecture from emulator '${capsArch}' doesn't match given architecture '${arch}'`,
    );
  }
  const capsType = caps.kvm ? "kvm" : "qemu";
  const virttype = !virttypeName || virttypeName === "none" ? capsType : virttypeName;
  if (virttype !== "qemu" && capsType === "qemu") {
    const accel = virttype === "kvm" || virttype === "hvf" ? virttype : "tcg";
    throw qemuError(
      "INVALID_ARG",
      `the accel '${accel}' is not supported by '${binary}' on this host`,
    );
  }
  const machines = guestMachines(arch, caps.machines);
  let machine = machines[0]?.name ?? "";
  if (machineName) {
    machine = machines.find((m) => m.name === machineName)?.canonical ?? machineName;
    if (!machines.some((m) => m.name === machine)) {
      throw qemuError(
        "INVALID_ARG",
        `the machine '${machine}' is not supported by emulator '${binary}'`,
      );
    }
  }
  return { emulator: binary, arch, machine, virttype, caps };
}
