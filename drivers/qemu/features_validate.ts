/**
 * qemuValidateDomainDefFeatures' machine checks: the IOAPIC is x86's, the pSeries features
 * pSeries guests', the GIC an ARM virt machine's.
 *
 * @example
 * ```ts
 * import { validateMachineFeatures } from "./features_validate.ts";
 * declare const def: import("../../conf/domain/def.ts").DomainDef;
 * validateMachineFeatures(def); // throws for <hpt resizing='enabled'/> on an x86 guest
 * ```
 * @module
 */
import type { DomainDef } from "../../conf/domain/def.ts";
import type { XmlElement } from "../../util/xml/mod.ts";
import { unsupported } from "./command/unsupported.ts";

const PSERIES = ["hpt", "htm", "nested-hv", "ccf-assist", "cfpc", "sbbc", "ibs"];

/** Whether guest `def` may have feature `f` (as parsed: a feature libvirt keeps set). */
function allowed(f: XmlElement, def: DomainDef): boolean {
  const { arch = "", machine = "" } = def.os;
  if (f.name === "ioapic") return f.attributes.driver === undefined || /^(x86_64|i686)$/.test(arch);
  if (PSERIES.includes(f.name)) return /^ppc64(le)?$/.test(arch) && machine.startsWith("pseries");
  if (f.name === "gic") {
    return /^(armv7l|aarch64)$/.test(arch) && (machine === "virt" || machine.startsWith("virt-"));
  }
  return true;
}

/** virDomainFeature's order, in which libvirt checks them. */
const ORDER = ["gic", "ioapic", "hpt", "htm", "nested-hv", "ccf-assist", "cfpc", "sbbc", "ibs"];

/** Throws libvirt's error for the first feature the guest's machine cannot have. */
export function validateMachineFeatures(def: DomainDef): void {
  const features = def.sections.find((s) => s.name === "features");
  const set = (features?.children ?? []).filter((c): c is XmlElement => c.type === "element");
  for (const name of ORDER) {
    const f = set.find((e) => e.name === name);
    if (f && !allowed(f, def)) {
      throw unsupported(
        `The '${name}' feature is not supported for architecture '${def.os.arch}' or machine ` +
          `type '${def.os.machine}'`,
      );
    }
  }
}
