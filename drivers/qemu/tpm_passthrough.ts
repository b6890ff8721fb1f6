/**
 * A host TPM handed to the guest (`<backend type='passthrough'>`): libvirt opens the device
 * while it builds the command line (`qemuBuildTPMOpenBackendFDs`) and fails the start with
 * the system's reason when it cannot.
 *
 * @example
 * ```ts
 * import { openPassthroughTpm } from "./tpm_passthrough.ts";
 * declare const def: import("../../conf/domain/def.ts").DomainDef;
 * await openPassthroughTpm(def);
 * // throws "Could not open TPM device /dev/tpm0: No such file or directory" without one
 * ```
 * @module
 */
import type { DomainDef } from "../../conf/domain/def.ts";
import { VirError } from "../../util/errors.ts";
import { strerror } from "../../util/strerror.ts";
import { child } from "../../util/xml/mod.ts";

/**
 * Checks that each passthrough TPM's device opens for reading and writing, as libvirt's
 * command line builder opens it; the error is libvirt's `VIR_ERR_SYSTEM_ERROR`.
 */
export async function openPassthroughTpm(def: DomainDef): Promise<void> {
  for (const tpm of def.devices.other.filter((d) => d.name === "tpm")) {
    const backend = child(tpm, "backend");
    if (backend?.attributes.type !== "passthrough") continue;
    const path = child(backend, "device")?.attributes.path ?? "/dev/tpm0";
    const file = await Deno.open(path, { read: true, write: true }).catch((err) => {
      throw VirError.report(
        "QEMU",
        "SYSTEM_ERROR",
        `Could not open TPM device ${path}: ${strerror(err)}`,
      );
    });
    file.close();
  }
}
