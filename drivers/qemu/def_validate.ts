/**
 * qemuValidateDomainDef's checks of the BIOS serial console, the CPU's physical address bits
 * and cache, the clock's timers, TCG's translation cache, hugepage-backed memory and the
 * firmware configuration entries, each in its own function for qemuPostParse to call in
 * libvirt's order.
 *
 * @example
 * ```ts
 * import { validateClockTimers } from "./def_validate.ts";
 * declare const def: import("../../conf/domain/def.ts").DomainDef;
 * validateClockTimers(def); // throws for <timer name='platform'/>
 * ```
 * @module
 */
import type { DomainDef } from "../../conf/domain/def.ts";
import { VirError } from "../../util/errors.ts";
import { child, children, textOf, type XmlElement } from "../../util/xml/mod.ts";
import { unsupported } from "./command/unsupported.ts";

const isX86 = (def: DomainDef) => def.os.arch === "x86_64" || def.os.arch === "i686";
const isArmVirt = (def: DomainDef) =>
  (def.os.arch === "armv7l" || def.os.arch === "aarch64") &&
  (def.os.machine === "virt" || !!def.os.machine?.startsWith("virt-"));
const section = (def: DomainDef, name: string) => def.sections.find((s) => s.name === name);

/**
 * The BIOS serial console (`<bios useserial='yes'/>`) is x86's, and needs a serial port.
 *
 * @example
 * ```ts
 * import { validateBiosSerial } from "./def_validate.ts";
 * declare const def: import("../../conf/domain/def.ts").DomainDef;
 * validateBiosSerial(def);
 * ```
 */
export function validateBiosSerial(def: DomainDef): void {
  const bios = def.os.extra.find((e) => e.name === "bios");
  if (bios?.attributes.useserial !== "yes") return;
  if (!isX86(def)) throw unsupported("BIOS serial console only supported on x86 architectures");
  if (!def.devices.other.some((d) => d.name === "serial")) {
    throw VirError.report(
      "QEMU",
      "XML_ERROR",
      "need at least one serial port to use BIOS serial output",
    );
  }
}

/**
 * qemuValidateDomainDefCpu: the physical address bits and the cache of an x86 guest's CPU.
 *
 * @example
 * ```ts
 * import { validateCpuSettings } from "./def_validate.ts";
 * declare const def: import("../../conf/domain/def.ts").DomainDef;
 * validateCpuSettings(def);
 * ```
 */
export function validateCpuSettings(def: DomainDef): void {
  const cpu = def.cpu;
  const addr = cpu?.extra.find((e) => e.name === "maxphysaddr")?.attributes;
  const arch = def.os.arch;
  if (addr) {
    if (!isX86(def)) {
      throw unsupported(
        `CPU maximum physical address bits specification is not supported for '${arch}' architecture`,
      );
    }
    if (addr.mode === "passthrough" && addr.bits !== undefined) {
      throw unsupported(
        "CPU maximum physical address bits number specification cannot be used with " +
          "mode='passthrough'",
      );
    }
    if (addr.mode === "emulate" && addr.bits === undefined) {
      throw unsupported(
        "if using CPU maximum physical address mode='emulate', bits= must be specified too",
      );
    }
  }
  const cache = cpu?.extra.find((e) => e.name === "cache")?.attributes;
  if (!cache) return;
  if (!isX86(def)) {
    throw unsupported(`CPU cache specification is not supported for '${arch}' architecture`);
  }
  const mode = cache.mode;
  if (mode === "emulate" && cache.level !== "3") {
    throw unsupported(`CPU cache mode '${mode}' can only be used with level='3'`);
  }
  if (mode === "passthrough" && cpu!.mode !== "host-passthrough" && cpu!.mode !== "maximum") {
    throw unsupported(
      `CPU cache mode '${mode}' can only be used with 'host-passthrough' / 'maximum' CPUs`,
    );
  }
  if ((mode === "passthrough" || mode === "disable") && cache.level !== undefined) {
    throw unsupported(`unsupported CPU cache level for mode '${mode}'`);
  }
}

/** The error of a timer a guest's machine does not have. */
function notForGuest(timer: string, def: DomainDef): VirError {
  return unsupported(
    `Configuring the '${timer}' timer is not supported for virtType=${def.type} ` +
      `arch=${def.os.arch} machine=${def.os.machine} guests`,
  );
}

function validateTimer(t: XmlElement, def: DomainDef): void {
  const { name, present, track, tickpolicy } = t.attributes;
  switch (name) {
    case "platform":
      throw unsupported(`unsupported timer type (name) '${name}'`);
    case "tsc":
    case "kvmclock":
    case "hypervclock":
      if (!isX86(def) && present === "yes") throw notForGuest(name, def);
      return;
    case "rtc":
      if (track === "boot") throw unsupported(`unsupported rtc timer track '${track}'`);
      if (tickpolicy === "merge" || tickpolicy === "discard") {
        throw unsupported(`unsupported rtc timer tickpolicy '${tickpolicy}'`);
      }
      return;
    case "pit":
      if (tickpolicy === "merge") throw unsupported(`unsupported pit tickpolicy '${tickpolicy}'`);
      return;
    case "armvtimer":
      if (def.type !== "kvm" || !isArmVirt(def)) throw notForGuest(name, def);
      if (present === "no") throw unsupported(`The '${name}' timer can't be disabled`);
      if (tickpolicy === "catchup" || tickpolicy === "merge") {
        throw unsupported(`The '${name}' timer does not support tickpolicy '${tickpolicy}'`);
      }
  }
}

/**
 * qemuValidateDomainDefClockTimers: the timers QEMU has, and the latest absolute start glib
 * can convert (9999-12-31T23:59:59).
 */
export function validateClockTimers(def: DomainDef): void {
  for (const t of def.clock?.timers ?? []) validateTimer(t, def);
  if (def.clock?.offset === "absolute" && Number(def.clock.start ?? 0) > 253402300799) {
    throw unsupported(
      "The maximum 'start' value for <clock offset='absolute'> is 253402300799",
    );
  }
}

/**
 * qemuValidateDomainDefFeatures for TCG: its translation cache is a whole number of MiB (kept
 * in KiB).
 */
export function validateTcgFeatures(def: DomainDef): void {
  const tcg = child(section(def, "features"), "tcg");
  const kib = Number(textOf(child(tcg, "tb-cache")) ?? 0);
  if (tcg && def.type !== "qemu") {
    throw unsupported(`TCG features are incompatible with domain type '${def.type}'`);
  }
  if (kib & 0x3ff) throw unsupported("tb-cache size must be an integer multiple of MiB");
}

/** qemuValidateDomainDefMemory: hugepages need memory QEMU can back with them. */
export function validateHugepagesBacking(def: DomainDef): void {
  const backing = section(def, "memoryBacking");
  if (!child(backing, "hugepages")) return;
  if (child(backing, "allocation")?.attributes.mode === "ondemand") {
    throw unsupported("hugepages are not allowed with memory allocation ondemand");
  }
  if (child(backing, "source")?.attributes.type === "anonymous") {
    throw unsupported("hugepages are not allowed with anonymous memory source");
  }
}

/** qemuValidateDomainDefSysinfo: firmware configuration entries are `opt/…`, not QEMU's own. */
export function validateFwcfg(def: DomainDef): void {
  const fwcfg = def.sections.filter((s) => s.name === "sysinfo" && s.attributes.type === "fwcfg");
  for (const entry of fwcfg.flatMap((s) => children(s, "entry"))) {
    const name = entry.attributes.name ?? "";
    if (!name.startsWith("opt/")) throw unsupported("Invalid firmware name");
    if (name.startsWith("opt/ovmf/") || name.startsWith("opt/org.qemu/")) {
      throw unsupported("That firmware name is reserved");
    }
  }
}
