/**
 * Parse-time semantic checks libvirt makes on every domain definition, whatever the driver
 * (`virDomainDefValidate` and friends).
 *
 * @example
 * ```ts
 * import { validateDomainDef } from "./validate.ts";
 * // throws 67/20 "maximum vCPU count must not be less than current vCPU count"
 * // validateDomainDef({ ...def, vcpu: { max: 1, current: 2 } });
 * ```
 * @module
 */
import { VirError } from "../../util/errors.ts";
import { child } from "../../util/xml/mod.ts";
import type { DomainDef } from "./def.ts";

/** Throws libvirt's error for the first inconsistency found in `def`. */
export function validateDomainDef(def: DomainDef): void {
  // libvirt 9.0 reports zero vCPUs with its NUMA CPU-count message (observed with python3-libvirt).
  if (def.vcpu.max < 1) {
    throw VirError.report("DOMAIN", "INTERNAL_ERROR", "CPU IDs in <numa> exceed the <vcpu> count");
  }
  if (def.vcpu.current > def.vcpu.max) {
    throw VirError.report(
      "DOMAIN",
      "CONFIG_UNSUPPORTED",
      "maximum vCPU count must not be less than current vCPU count",
    );
  }
  for (const disk of def.devices.other) {
    if (disk.name !== "disk") continue;
    // cdrom and floppy media may be absent; a disk or lun needs something to point at.
    if (!["disk", "lun", undefined].includes(disk.attributes.device)) continue;
    const source = child(disk, "source");
    if (!source || (!Object.keys(source.attributes).length && !source.children.length)) {
      throw VirError.report(
        "DOMAIN",
        "NO_SOURCE",
        child(disk, "target")?.attributes.dev ?? "",
      );
    }
  }
  if (def.title?.includes("\n")) {
    throw VirError.report("DOMAIN", "XML_ERROR", "Domain title can't contain newlines");
  }
}
