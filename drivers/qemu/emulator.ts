/**
 * Which QEMU binary runs a domain and what it can run: libvirt's default emulator for a guest
 * architecture (`qemuDomainDefPostParseBasic`), the capabilities lookup that fails for a binary
 * that is not there, and the first checks of `qemuValidateDomainDef` (architecture, virtualization
 * type).
 *
 * @module
 */
import type { DomainDef } from "../../conf/domain/def.ts";
import { VirError } from "../../util/errors.ts";
import { binaryFor } from "./api/host_caps.ts";

/** The guest architecture each `qemu-system-*` binary is for (`virQEMUCapsGetArch`). */
const BINARY_ARCHES: Record<string, string> = {
  i386: "i686",
  x86_64: "x86_64",
  arm: "armv7l",
  aarch64: "aarch64",
  ppc: "ppc",
  ppc64: "ppc64",
  riscv32: "riscv32",
  riscv64: "riscv64",
  s390x: "s390x",
};

/**
 * The architecture `emulator` is for, from its `qemu-system-NAME` file name (libvirt asks the
 * binary; QEMU names its binaries after their target).
 *
 * @example
 * ```ts
 * import { emulatorArch } from "./emulator.ts";
 * emulatorArch("/usr/bin/qemu-system-i386"); // "i686"
 * ```
 */
export function emulatorArch(emulator: string): string | undefined {
  return BINARY_ARCHES[emulator.match(/qemu-system-([a-z0-9_]+)$/)?.[1] ?? ""];
}

/**
 * `virQEMUCapsArchToString`: the binary name part of a guest architecture (`qemu-system-NAME`).
 *
 * @example
 * ```ts
 * import { binaryName } from "./emulator.ts";
 * binaryName("i686"); // "i386"
 * ```
 */
export function binaryName(arch: string): string {
  if (arch === "i686") return "i386";
  if (arch.startsWith("arm")) return "arm";
  return arch === "ppc64le" ? "ppc64" : arch;
}

/** `virQEMUCapsIsArchSupported`: what a binary for `binaryArch` also runs. */
const ALSO_RUNS: Record<string, string> = {
  x86_64: "i686",
  aarch64: "armv7l",
  armv7l: "armv6l",
  ppc64: "ppc64le",
};

/**
 * Gives `def` its emulator and architecture as libvirt's parser and QEMU post-parse do: the
 * architecture from the emulator named (else the host's), the emulator from the architecture
 * (`qemu-system-ARCH` on the PATH or in `dirs`, x86_64's for i686). With `check`, a binary that
 * is not there fails as libvirt's capabilities lookup does, before any other QEMU check.
 *
 * @example
 * ```ts ignore
 * import { resolveEmulator } from "./emulator.ts";
 * import { parseDomainXML } from "../../conf/domain/mod.ts";
 * const def = parseDomainXML("<domain type='qemu'><name>a</name><memory>8192</memory>" +
 *   "<os><type arch='i686'>hvm</type></os></domain>");
 * resolveEmulator(def, true);
 * def.devices.emulator; // "/usr/bin/qemu-system-i386" where QEMU is installed
 * ```
 */
export function resolveEmulator(def: DomainDef, check: boolean, dirs?: string[]): void {
  const named = def.devices.emulator;
  def.os.arch ??= (named && emulatorArch(named)) || "x86_64";
  const arch = def.os.arch;
  if (!named) {
    const found = binaryFor(arch, binaryName(arch), dirs);
    if (!found && check) {
      throw VirError.report("QEMU", "CONFIG_UNSUPPORTED", `No emulator found for arch '${arch}'`);
    }
    // Without a check (a copy of a definition already resolved) the name is what it would be.
    def.devices.emulator = found ?? `/usr/bin/qemu-system-${binaryName(arch)}`;
  }
  if (!check) return;
  const emulator = def.devices.emulator!;
  let exists = false;
  try {
    exists = Deno.statSync(emulator).isFile;
  } catch {
    // Missing or unreadable: libvirt's stat fails the same way.
  }
  if (!exists) {
    throw VirError.report(
      "QEMU",
      "SYSTEM_ERROR",
      `Cannot check QEMU binary ${emulator}: No such file or directory`,
    );
  }
}

/**
 * The first checks of `qemuValidateDomainDef`, in its order: the emulator runs `hvm` guests,
 * the architecture, and the virtualization type (`qemu`, and `kvm` where KVM is usable; `kvm`
 * unknown: a definition already accepted, not checked again).
 *
 * @example
 * ```ts ignore
 * import { validateEmulator } from "./emulator.ts";
 * declare const def: import("../../conf/domain/def.ts").DomainDef;
 * validateEmulator(def, false); // throws for type='kvm'
 * ```
 */
export function validateEmulator(def: DomainDef, kvm: boolean | undefined): void {
  const emulator = def.devices.emulator!;
  const refuse = (what: string, value: string) =>
    VirError.report(
      "QEMU",
      "CONFIG_UNSUPPORTED",
      `Emulator '${emulator}' does not support ${what} '${value}'`,
    );
  if (def.os.type !== "hvm") throw refuse("os type", def.os.type);
  const own = emulatorArch(emulator);
  const arch = def.os.arch!;
  if (own && own !== arch && ALSO_RUNS[own] !== arch) throw refuse("arch", arch);
  if ((def.type !== "qemu" && def.type !== "kvm") || (def.type === "kvm" && kvm === false)) {
    throw refuse("virt type", def.type);
  }
}
