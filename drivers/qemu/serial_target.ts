/**
 * A QEMU guest's serial port targets: the target type and model qemuDomainChrDefPostParse
 * gives a port that names none (the machine's own serial device), and qemuValidateDomainChrDef's
 * checks: a target type names the bus its address must be on and its model the target type;
 * the model must be one the guest's architecture and machine have; parallel ports are not for
 * s390 or pSeries guests.
 *
 * @example
 * ```ts
 * import { validateQemuChrTarget } from "./serial_target.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * const serial = parse(
 *   "<serial type='pty'><target type='isa-serial' port='0'><model name='isa-serial'/>" +
 *     "</target></serial>",
 * );
 * validateQemuChrTarget(serial, { arch: "x86_64", machine: "pc-i440fx-7.2" }); // no error
 * ```
 * @module
 */
import { child, element, type XmlElement } from "../../util/xml/mod.ts";
import type { DomainDef } from "../../conf/domain/def.ts";
import { unsupported } from "./command/unsupported.ts";

/** The address type each serial target type requires (none: no address at all). */
const TARGET_ADDRESS: Record<string, string | null> = {
  "isa-serial": "isa",
  "isa-debug": "isa",
  "usb-serial": "usb",
  "pci-serial": "pci",
  "spapr-vio-serial": "spapr-vio",
  "system-serial": null,
  "sclp-serial": null,
};

/** The target type each serial target model requires. */
const MODEL_TARGET: Record<string, string> = {
  "isa-serial": "isa-serial",
  "usb-serial": "usb-serial",
  "pci-serial": "pci-serial",
  "spapr-vty": "spapr-vio-serial",
  "pl011": "system-serial",
  "16550a": "system-serial",
  "sclpconsole": "sclp-serial",
  "sclplmconsole": "sclp-serial",
  "isa-debugcon": "isa-debug",
};

/** The guest's architecture and machine type. */
export interface GuestMachine {
  arch?: string;
  machine?: string;
}

const isS390 = (g: GuestMachine) => g.arch === "s390" || g.arch === "s390x";
const isPSeries = (g: GuestMachine) =>
  (g.arch === "ppc64" || g.arch === "ppc64le") && !!g.machine?.startsWith("pseries");
const isVirt = (g: GuestMachine, arches: string[]) =>
  arches.includes(g.arch ?? "") && (g.machine === "virt" || !!g.machine?.startsWith("virt-"));

/** The serial target type of a guest's machine: none for a machine without one. */
function defaultTargetType(g: GuestMachine): string | undefined {
  if (g.arch === "x86_64" || g.arch === "i686") return "isa-serial";
  if (isPSeries(g)) return "spapr-vio-serial";
  if (isVirt(g, ["armv7l", "aarch64", "riscv32", "riscv64"])) return "system-serial";
  if (isS390(g)) return "sclp-serial";
  return undefined;
}

/** The target model of a serial target type on guest `g` (qemuDomainChrDefPostParse). */
function defaultModel(type: string, g: GuestMachine): string | undefined {
  if (type === "system-serial") {
    if (isVirt(g, ["armv7l", "aarch64"])) return "pl011";
    return isVirt(g, ["riscv32", "riscv64"]) ? "16550a" : undefined;
  }
  return Object.keys(MODEL_TARGET).find((m) => MODEL_TARGET[m] === type);
}

/**
 * qemuDomainChrDefPostParse for serial ports: `isa-serial`, historically the default, and no
 * type are the machine's own type; then the model of the target type.
 *
 * @example
 * ```ts
 * import { serialTargetDefaults } from "./serial_target.ts";
 * declare const def: import("../../conf/domain/def.ts").DomainDef;
 * serialTargetDefaults(def); // <target type='isa-serial' port='0'><model name='isa-serial'/>
 * ```
 */
export function serialTargetDefaults(def: DomainDef): void {
  for (const serial of def.devices.other) {
    const target = serial.name === "serial" ? child(serial, "target") : undefined;
    if (!target) continue;
    const { type: given, ...rest } = target.attributes;
    const type = given === undefined || given === "isa-serial" ? defaultTargetType(def.os) : given;
    target.attributes = type ? { type, ...rest } : rest;
    const model = type && defaultModel(type, def.os);
    if (model && !child(target, "model")) target.children.push(element("model", { name: model }));
  }
}

/** Throws libvirt's error for a character device `dev` the guest `g` cannot have. */
export function validateQemuChrTarget(dev: XmlElement, g: GuestMachine): void {
  if (dev.name === "parallel" && (isS390(g) || isPSeries(g))) {
    throw unsupported("parallel ports are not supported");
  }
  if (dev.name !== "serial") return;
  const target = child(dev, "target");
  const type = target?.attributes.type ?? "none";
  const model = child(target, "model")?.attributes.name ?? "none";
  const address = child(dev, "address")?.attributes.type;
  const expected = TARGET_ADDRESS[type];
  if (expected === null && address !== undefined) {
    throw unsupported(`Target type '${type}' cannot have an associated address`);
  }
  if (expected && address !== undefined && address !== expected) {
    throw unsupported(`Target type '${type}' requires address type '${expected}'`);
  }
  const wanted = MODEL_TARGET[model];
  if (wanted && wanted !== type) {
    throw unsupported(`Target model '${model}' requires target type '${wanted}'`);
  }
  const compatible = !(
    (type === "system-serial" && model === "pl011" && !isVirt(g, ["armv7l", "aarch64"])) ||
    (type === "system-serial" && model === "16550a" && !isVirt(g, ["riscv32", "riscv64"])) ||
    (!isPSeries(g) && (type === "spapr-vio-serial" || model === "spapr-vty")) ||
    (!isS390(g) && (type === "sclp-serial" || model.startsWith("sclp")))
  );
  if (!compatible) {
    throw unsupported(
      `Serial device with target type '${type}' and target model '${model}' not compatible ` +
        "with guest architecture or machine type",
    );
  }
}
