/**
 * What `/dev/kvm` says about itself (libvirt's `virHostCPUGetKVMMaxVCPUs`): the
 * `KVM_CHECK_EXTENSION` ioctl, through libc since Deno has no ioctl of its own.
 *
 * @module
 */
import { VirError } from "./errors.ts";
import { strerror } from "./strerror.ts";

const KVM_DEVICE = "/dev/kvm";
/** `_IO(KVMIO, 0x03)`. */
const KVM_CHECK_EXTENSION = 0xae03n;
const KVM_CAP_NR_VCPUS = 9n;
const KVM_CAP_MAX_VCPUS = 66n;

const SYMBOLS = {
  open: { parameters: ["buffer", "i32"], result: "i32" },
  ioctl: { parameters: ["i32", "u64", "u64"], result: "i32" },
  close: { parameters: ["i32"], result: "i32" },
} as const;

let libc: Deno.DynamicLibrary<typeof SYMBOLS> | undefined;

/**
 * The most vCPUs one KVM guest may have here: `KVM_CAP_MAX_VCPUS`, else the recommended
 * `KVM_CAP_NR_VCPUS`, else 4 as the kernel's documentation says; libvirt's system error when
 * `/dev/kvm` cannot be opened.
 *
 * @example
 * ```ts ignore
 * import { kvmMaxVcpus } from "./kvm_caps.ts";
 * kvmMaxVcpus(); // 1024
 * ```
 */
export function kvmMaxVcpus(): number {
  try {
    // Fails with the same errno open(2) would give, which is what libvirt reports.
    Deno.openSync(KVM_DEVICE, { read: true }).close();
  } catch (err) {
    throw VirError.report(
      "NONE",
      "SYSTEM_ERROR",
      `Unable to open ${KVM_DEVICE}: ${strerror(err)}`,
    );
  }
  // Loaded on first use: a driver never asked for this needs no FFI permission.
  libc ??= Deno.dlopen("libc.so.6", SYMBOLS);
  const fd = libc.symbols.open(new TextEncoder().encode(`${KVM_DEVICE}\0`), 0);
  if (fd < 0) {
    throw VirError.report("NONE", "SYSTEM_ERROR", `Unable to open ${KVM_DEVICE}`);
  }
  try {
    for (const cap of [KVM_CAP_MAX_VCPUS, KVM_CAP_NR_VCPUS]) {
      const n = libc.symbols.ioctl(fd, KVM_CHECK_EXTENSION, cap);
      if (n > 0) return n;
    }
    return 4;
  } finally {
    libc.symbols.close(fd);
  }
}
