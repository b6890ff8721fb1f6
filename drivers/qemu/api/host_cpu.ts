/**
 * The host CPU of the QEMU driver and the calls made against it: `qemuConnectCompareCPU`,
 * `qemuConnectBaselineCPU`, and the `<cpu>` model and features of the capabilities.
 *
 * libvirt executes CPUID itself (`virCPUx86GetHost`); here the same leaves are read from the
 * kernel's /dev/cpu/0/cpuid (root, the `cpuid` module), and IA32_ARCH_CAPABILITIES from
 * /dev/cpu/0/msr where the CPU has it. What that loses: without /dev/cpu/0/cpuid no model or
 * features are reported (as before) and comparing answers "unknown host CPU"; the MSR is not
 * read through KVM as libvirt can, so on a host without /dev/cpu/0/msr the `arch-capabilities`
 * MSR features are missing where a root libvirtd with /dev/kvm would list them.
 *
 * @module
 */
import { checkFlags, VirError } from "../../../util/errors.ts";
import { VIR } from "../../../util/constants.ts";
import {
  cpuBaseline,
  cpuCompare,
  type CpuDef,
  cpuExpandFeatures,
  formatCpuDef,
  parseCpuDef,
} from "../../../conf/cpu/mod.ts";
import { type CpuidLeaf, x86CpuidLeaves, x86HostCpu } from "../../../conf/cpu/x86_host.ts";

const F = "QEMU";

/** `virCPUCompareResult` values. */
const COMPARE_RESULT = { INCOMPATIBLE: 0, IDENTICAL: 1, SUPERSET: 2 } as const;

/** Features QEMU's CPU models never take (`virQEMUCapsCPUFilterFeatures`). */
const QEMU_FILTERED = ["cmt", "mbm_total", "mbm_local", "osxsave", "ospke"];

/** One CPUID answer from the kernel's cpuid device (offset: ECX << 32 | EAX). */
function cpuid(file: Deno.FsFile, eaxIn: number, ecxIn: number): CpuidLeaf {
  const buf = new Uint8Array(16);
  file.seekSync(ecxIn * 2 ** 32 + eaxIn, Deno.SeekMode.Start);
  if (file.readSync(buf) !== 16) throw new Error("short read");
  const v = new DataView(buf.buffer);
  return [
    eaxIn,
    ecxIn,
    v.getUint32(0, true),
    v.getUint32(4, true),
    v.getUint32(8, true),
    v.getUint32(12, true),
  ];
}

/** IA32_ARCH_CAPABILITIES (MSR 0x10a) from /dev/cpu/0/msr, if it can be read. */
function archCapabilities(): bigint | undefined {
  try {
    using file = Deno.openSync("/dev/cpu/0/msr");
    const buf = new Uint8Array(8);
    file.seekSync(0x10a, Deno.SeekMode.Start);
    return file.readSync(buf) === 8 ? new DataView(buf.buffer).getBigUint64(0, true) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * This host's CPUID leaves the CPU map needs, within the highest basic and extended leaf the
 * CPU reports; undefined where /dev/cpu/0/cpuid cannot be read.
 *
 * @example
 * ```ts ignore
 * import { readHostCpuid } from "./host_cpu.ts";
 * readHostCpuid()?.[0]; // [0, 0, maxLeaf, …] (the vendor string in ebx, edx, ecx)
 * ```
 */
export function readHostCpuid(): CpuidLeaf[] | undefined {
  try {
    using file = Deno.openSync("/dev/cpu/0/cpuid");
    const top = new Map([0, 0x80000000].map((base) => [base, cpuid(file, base, 0)[2]]));
    return x86CpuidLeaves()
      .filter(([leaf]) => leaf <= (top.get(leaf >= 0x80000000 ? 0x80000000 : 0) ?? -1))
      .map(([leaf, sub]) => cpuid(file, leaf, sub));
  } catch {
    return undefined;
  }
}

let host: CpuDef | null | undefined;

/**
 * `virQEMUDriverGetHostCPU`: the host CPU, probed once (libvirt keeps `driver->hostcpu`);
 * undefined on a non-x86 host or where CPUID cannot be read.
 *
 * @example
 * ```ts ignore
 * import { hostCpu } from "./host_cpu.ts";
 * hostCpu()?.model; // "kvm64" on a TCG-only AMD host
 * ```
 */
export function hostCpu(): CpuDef | undefined {
  if (host === undefined) {
    const leaves = Deno.build.arch === "x86_64" ? readHostCpuid() : undefined;
    host = leaves ? x86HostCpu(leaves, archCapabilities()) : null;
  }
  return host ?? undefined;
}

/**
 * `qemuConnectCompareCPU` against a host CPU: 0 incompatible, 1 identical, 2 superset.
 * Schema validation (VALIDATE_XML) is not carried and is refused.
 *
 * @example
 * ```ts
 * import { compareCpu } from "./host_cpu.ts";
 * import { parseCpuDef } from "../../../conf/cpu/mod.ts";
 * const host = parseCpuDef("<cpu><arch>x86_64</arch><model>EPYC</model></cpu>", "host");
 * compareCpu(host, "<cpu><model>EPYC</model></cpu>", 0); // 1
 * ```
 */
export function compareCpu(host: CpuDef | undefined, xml: string, flags: number): number {
  checkFlags(
    flags,
    VIR.CONNECT_COMPARE_CPU_FAIL_INCOMPATIBLE | VIR.CONNECT_COMPARE_CPU_VALIDATE_XML,
    "qemuConnectCompareCPU",
    F,
  );
  if (!host) {
    // libvirt's virCPUProbeHost failed: its error is the answer.
    throw VirError.report("CPU", "OPERATION_FAILED", "cannot read the host CPU's CPUID data");
  }
  return compareCpuXml(host.arch!, host, xml, flags);
}

/**
 * `virCPUCompareXML`: the CPU of `xml` against `host` on `arch` (0 incompatible, 1 identical,
 * 2 superset), the compare flags already checked; VALIDATE_XML checks the CPU against cpu.rng.
 *
 * @example
 * ```ts
 * import { compareCpuXml } from "./host_cpu.ts";
 * import { parseCpuDef } from "../../../conf/cpu/mod.ts";
 * const host = parseCpuDef("<cpu><arch>x86_64</arch><model>EPYC</model></cpu>", "host");
 * compareCpuXml("x86_64", host, "<cpu><model>EPYC</model></cpu>", 0); // 1
 * ```
 */
export function compareCpuXml(arch: string, host: CpuDef, xml: string, flags: number): number {
  const cpu = parseCpuDef(xml, "auto", !!(flags & VIR.CONNECT_COMPARE_CPU_VALIDATE_XML));
  const failIncompatible = !!(flags & VIR.CONNECT_COMPARE_CPU_FAIL_INCOMPATIBLE);
  return COMPARE_RESULT[cpuCompare(arch, host, cpu, failIncompatible)];
}

/**
 * `qemuConnectBaselineCPU`: the baseline of host CPUs, without the features QEMU's models
 * never take, optionally migratable and with every feature of the model listed.
 *
 * @example
 * ```ts
 * import { baselineCpu } from "./host_cpu.ts";
 * baselineCpu(["<cpu><arch>x86_64</arch><model>EPYC</model></cpu>"], 0).includes("EPYC"); // true
 * ```
 */
export function baselineCpu(xmlCPUs: string[], flags: number): string {
  checkFlags(
    flags,
    VIR.CONNECT_BASELINE_CPU_EXPAND_FEATURES | VIR.CONNECT_BASELINE_CPU_MIGRATABLE,
    "qemuConnectBaselineCPU",
    F,
  );
  if (!xmlCPUs.length) throw VirError.report("CPU", "INVALID_ARG", "no CPUs given");
  const cpus = xmlCPUs.map((xml) => parseCpuDef(xml, "host"));
  const baseline = cpuBaseline(
    undefined,
    cpus,
    undefined,
    !!(flags & VIR.CONNECT_BASELINE_CPU_MIGRATABLE),
  );
  const x86 = cpus[0].arch === "x86_64" || cpus[0].arch === "i686";
  if (x86) baseline.features = baseline.features.filter((f) => !QEMU_FILTERED.includes(f.name));
  if (flags & VIR.CONNECT_BASELINE_CPU_EXPAND_FEATURES) cpuExpandFeatures(cpus[0].arch, baseline);
  return formatCpuDef(baseline);
}
