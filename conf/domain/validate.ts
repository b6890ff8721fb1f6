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
import type { DomainDef } from "./def.ts";

/** Throws libvirt's error for the first inconsistency found in `def`. */
export function validateDomainDef(def: DomainDef): void {
  if (def.vcpu.max < 1 || !Number.isInteger(def.vcpu.max)) {
    throw VirError.report("DOMAIN", "XML_ERROR", "Invalid number of vCPUs");
  }
  if (def.vcpu.current > def.vcpu.max) {
    throw VirError.report(
      "DOMAIN",
      "CONFIG_UNSUPPORTED",
      "maximum vCPU count must not be less than current vCPU count",
    );
  }
  if (def.title?.includes("\n")) {
    throw VirError.report("DOMAIN", "XML_ERROR", "Domain title can't contain newlines");
  }
}
