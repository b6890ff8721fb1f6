/**
 * More of qemuValidateDomainDef's domain-wide checks, in its order: the consoles QEMU has
 * (qemuValidateDomainDefConsole), the firmware configuration entries, the panic devices of the
 * guest's machine
 * (qemuValidateDomainDefPanic) and at most one TPM of each kind (qemuValidateDomainDefTPMs).
 *
 * @example
 * ```ts
 * import { validateQemuDomainDevices } from "./domain_validate.ts";
 * declare const def: import("../../conf/domain/def.ts").DomainDef;
 * validateQemuDomainDevices(def); // throws for <panic model='pseries'/> on an x86 guest
 * ```
 * @module
 */
import type { DomainDef } from "../../conf/domain/def.ts";
import { child, type XmlElement } from "../../util/xml/mod.ts";
import { unsupported } from "./command/unsupported.ts";
import { validateFwcfg } from "./def_validate.ts";

const X86 = ["x86_64", "i686"];

/** The machines each panic model is for, and whether it takes an address. */
const PANIC_MODELS: Record<string, { guests: string; allowed: (def: DomainDef) => boolean }> = {
  s390: { guests: "S390", allowed: (d) => d.os.arch === "s390" || d.os.arch === "s390x" },
  hyperv: { guests: "i686 and x86_64", allowed: (d) => X86.includes(d.os.arch ?? "") },
  pseries: {
    guests: "pSeries",
    allowed: (d) => /^ppc64(le)?$/.test(d.os.arch ?? "") && !!d.os.machine?.startsWith("pseries"),
  },
};

function validateConsole(console: XmlElement): void {
  const type = child(console, "target")?.attributes.type ?? "serial";
  if (type === "sclp" || type === "sclplm") {
    throw unsupported(`${type}console is not supported in this QEMU binary`);
  }
  if (type !== "virtio" && type !== "serial") {
    throw unsupported(`unsupported console target type ${type}`);
  }
}

function validatePanic(panic: XmlElement, def: DomainDef): void {
  const model = panic.attributes.model ?? "isa";
  const address = child(panic, "address")?.attributes.type;
  const rule = PANIC_MODELS[model];
  if (!rule) {
    if (address !== undefined && address !== "isa") {
      throw unsupported("panic is supported only with ISA address type");
    }
    return;
  }
  if (!rule.allowed(def)) {
    throw unsupported(`only ${rule.guests} guests support panic device of model '${model}'`);
  }
  if (address !== undefined) {
    throw unsupported(`setting the panic device address is not supported for model '${model}'`);
  }
}

/** Throws libvirt's error for the first console, panic device or TPM QEMU cannot have. */
export function validateQemuDomainDevices(def: DomainDef): void {
  const devices = (name: string) => def.devices.other.filter((d) => d.name === name);
  for (const console of devices("console")) validateConsole(console);
  validateFwcfg(def);
  for (const panic of devices("panic")) validatePanic(panic, def);
  const tpms = devices("tpm");
  const proxies = tpms.filter((t) => t.attributes.model === "spapr-tpm-proxy");
  if (proxies.length > 1) throw unsupported("only a single TPM Proxy device is supported");
  if (tpms.length - proxies.length > 1) {
    throw unsupported("only a single TPM non-proxy device is supported");
  }
}
