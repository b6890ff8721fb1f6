/**
 * The QEMU driver's own defaults and checks after parsing (`qemuDomainDefPostParse`,
 * `qemuDomainDefVcpusPostParse`), before the generic post-parse.
 *
 * @module
 */
import { domainDefPostParse } from "../../conf/domain/postparse.ts";
import type { DomainDef } from "../../conf/domain/def.ts";
import { VirError } from "../../util/errors.ts";

/** Machine type aliases of QEMU 7.2. */
const MACHINE_ALIASES: Record<string, string> = { pc: "pc-i440fx-7.2", q35: "pc-q35-7.2" };

/** The emulator used when the definition names none. */
export const DEFAULT_EMULATOR = "/usr/bin/qemu-system-x86_64";

/**
 * Applies the driver defaults (arch x86_64, versioned machine type, emulator) and libvirt's
 * vCPU 0 rules, then the generic post-parse.
 *
 * @example
 * ```ts
 * import { qemuPostParse } from "./postparse.ts";
 * import { parseDomainXML } from "../../conf/domain/mod.ts";
 * const def = parseDomainXML(
 *   "<domain type='qemu'><name>a</name><memory>8192</memory><os><type>hvm</type></os></domain>",
 * );
 * qemuPostParse(def);
 * def.os.machine; // "pc-i440fx-7.2"
 * ```
 */
export function qemuPostParse(def: DomainDef): void {
  if (def.type !== "qemu" && def.type !== "kvm") {
    throw VirError.report(
      "QEMU",
      "CONFIG_UNSUPPORTED",
      `Emulator '${
        def.devices.emulator ?? DEFAULT_EMULATOR
      }' does not support virt type '${def.type}'`,
    );
  }
  if (!def.uuid) def.uuid = crypto.randomUUID();
  def.os.arch ??= "x86_64";
  const machine = def.os.machine ?? "pc";
  def.os.machine = MACHINE_ALIASES[machine] ?? machine;
  def.devices.emulator ??= DEFAULT_EMULATOR;
  const v0 = def.vcpus?.find((v) => v.id === 0);
  if (v0 && !v0.enabled) {
    throw VirError.report("QEMU", "CONFIG_UNSUPPORTED", "vcpu 0 can't be offline");
  }
  if (v0?.hotpluggable) {
    throw VirError.report("QEMU", "CONFIG_UNSUPPORTED", "vcpu0 can't be hotpluggable");
  }
  domainDefPostParse(def, { defaultVideo: "cirrus" });
}
