/**
 * The CPU model names libvirt 9.0's CPU drivers know per architecture (`virCPUGetModels` over
 * src/cpu_map/index.xml), and the architecture names `virArchFromString` accepts.
 *
 * @module
 */
import { VirError } from "../../util/errors.ts";
import { x86Map, x86ModelNames } from "../cpu/x86_map.ts";
import { ppc64ModelNames } from "../cpu/ppc64.ts";

/** virArch names of libvirt 9.0 (virarch.c), without "none". */
const ARCHES = new Set(
  ("alpha armv6l armv7l armv7b aarch64 cris i686 ia64 lm32 m68k microblaze microblazeel mips " +
    "mipsel mips64 mips64el openrisc parisc parisc64 ppc ppcle ppc64 ppc64le ppcemb riscv32 " +
    "riscv64 s390 s390x sh4 sh4eb sparc sparc64 unicore32 x86_64 xtensa xtensaeb").split(" "),
);

/** src/cpu_map/index.xml's x86 and ppc64 models, in file order. */
const X86_MODELS = x86ModelNames();
const PPC64_MODELS = ppc64ModelNames();

/** Architectures with a CPU driver and its models; s390 and ARM drivers list none. */
const DRIVER_MODELS: Record<string, string[]> = {
  i686: X86_MODELS,
  x86_64: X86_MODELS,
  ppc64: PPC64_MODELS,
  ppc64le: PPC64_MODELS,
  s390: [],
  s390x: [],
  armv6l: [],
  armv7l: [],
  armv7b: [],
  aarch64: [],
};

/**
 * virCPUGetModels for an architecture name: an unknown name is 8/`from` "cannot find
 * architecture X" (the caller's error domain), an architecture without a CPU driver 3/31.
 *
 * @example
 * ```ts
 * import { cpuModelNames } from "./cpu_models.ts";
 * cpuModelNames("x86_64", "TEST").length; // 58
 * ```
 */
export function cpuModelNames(arch: string, from: string): string[] {
  if (!ARCHES.has(arch)) {
    throw VirError.report(from, "INVALID_ARG", `cannot find architecture ${arch}`);
  }
  const models = DRIVER_MODELS[arch];
  if (!models) {
    throw VirError.report(
      "CPU",
      "NO_SUPPORT",
      `'${arch}' architecture is not supported by CPU driver`,
    );
  }
  return [...models];
}

/**
 * `virCPUGetVendorForModel`: the vendor libvirt's CPU map gives a model, `unknown` for a model
 * without one (or another architecture's).
 *
 * @example
 * ```ts
 * import { cpuModelVendor } from "./cpu_models.ts";
 * cpuModelVendor("x86_64", "EPYC"); // "AMD"
 * ```
 */
export function cpuModelVendor(arch: string, model: string): string {
  if (arch !== "x86_64" && arch !== "i686") return "unknown";
  return x86Map().models.find((m) => m.name === model)?.vendor?.name ?? "unknown";
}

/**
 * Whether `virArchFromString` knows an architecture name.
 *
 * @example
 * ```ts
 * import { isKnownArch } from "./cpu_models.ts";
 * isKnownArch("x86_64"); // true
 * ```
 */
export function isKnownArch(name: string): boolean {
  return ARCHES.has(name);
}
