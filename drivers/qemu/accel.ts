/**
 * The accelerator of a domain, from its type as libvirt chooses it: `type='qemu'` runs under TCG
 * even where KVM works, `type='kvm'` under KVM; a KVM domain is refused at define where the
 * emulator has no KVM, and at start where KVM has gone since (`qemuProcessStartValidate`).
 *
 * @module
 */
import type { DomainDef } from "../../conf/domain/def.ts";
import { VirError } from "../../util/errors.ts";

/**
 * Whether `/dev/kvm` can be opened for reading and writing, as QEMU will.
 *
 * @example
 * ```ts
 * import { kvmUsable } from "./accel.ts";
 * const accel = kvmUsable() ? "kvm" : "tcg";
 * ```
 */
export function kvmUsable(): boolean {
  try {
    Deno.openSync("/dev/kvm", { read: true, write: true }).close();
    return true;
  } catch {
    return false;
  }
}

/**
 * The `-accel` of `def`; throws libvirt's error for a KVM domain without KVM.
 *
 * @example
 * ```ts
 * import { accelOf } from "./accel.ts";
 * import type { DomainDef } from "../../conf/domain/def.ts";
 * declare const def: DomainDef;
 * accelOf(def, false); // "tcg" for type='qemu', throws for type='kvm'
 * ```
 */
export function accelOf(def: DomainDef, kvm: boolean): "tcg" | "kvm" {
  if (def.type !== "kvm") return "tcg";
  if (kvm) return "kvm";
  throw VirError.report(
    "QEMU",
    "CONFIG_UNSUPPORTED",
    "Domain requires KVM, but it is not available. Check that virtualization is enabled in the " +
      "host BIOS, and host configuration is setup to load the kvm modules.",
  );
}
