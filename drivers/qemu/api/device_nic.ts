/**
 * A NIC as a device call names it (`<interface>` of attach/detach/update-device): parsed as the
 * domain parser reads it, found in a definition as libvirt's `virDomainNetFindIdx` does, and
 * the persistent side of the calls (`qemuDomain{Attach,Detach,Update}DeviceConfig` for NETs).
 *
 * @module
 */
import type { DomainDef, DomainInterface } from "../../../conf/domain/def.ts";
import { parseDomainXML } from "../../../conf/domain/mod.ts";
import { VirError } from "../../../util/errors.ts";
import { child, element, stringify, type XmlElement } from "../../../util/xml/mod.ts";
import { generateMac, qemuPostParse } from "../postparse.ts";
import { pciText } from "./device_pci.ts";

/**
 * The `<interface>` of a device XML as the domain parser reads it. `keepAliases` is for detach
 * and update, which libvirt parses without VIR_DOMAIN_DEF_PARSE_INACTIVE (an alias names the
 * NIC); an attach keeps only a user's alias.
 *
 * @example
 * ```ts
 * import { nicOf } from "./device_nic.ts";
 * import { parse } from "../../../util/xml/mod.ts";
 * nicOf(parse("<interface type='user'><mac address='52:54:00:00:00:01'/></interface>")).mac;
 * // "52:54:00:00:00:01"
 * ```
 */
export function nicOf(dev: XmlElement, keepAliases = true): DomainInterface {
  const shell = "<domain type='kvm'><name>device</name><memory>1024</memory>" +
    `<os><type>hvm</type></os><devices>${stringify(dev)}</devices></domain>`;
  return parseDomainXML(shell, 0, keepAliases).devices.interfaces[0];
}

/**
 * libvirt generates a missing MAC while parsing, once per call: the persistent and the live
 * NIC of one attach get the same (`qemuDomainAttachDeviceLiveAndConfigHomogenize`).
 *
 * @example
 * ```ts
 * import { giveNicMac } from "./device_nic.ts";
 * import { element } from "../../../util/xml/mod.ts";
 * const dev = element("interface", { type: "user" });
 * giveNicMac(dev); // <interface type='user'><mac address='52:54:00:…'/></interface>
 * ```
 */
export function giveNicMac(dev: XmlElement): void {
  if (dev.name !== "interface" || child(dev, "mac")) return;
  dev.children.unshift(element("mac", { address: generateMac() }));
}

/** A NIC's `<address type='pci'>` attributes, if it has one. */
export function pciAddressOf(net: DomainInterface): Record<string, string> | undefined {
  const a = net.extra.find((e) => e.name === "address")?.attributes;
  return a?.type === "pci" ? a : undefined;
}

const aliasOf = (net: DomainInterface) =>
  net.extra.find((e) => e.name === "alias")?.attributes.name;

/**
 * `virDomainNetFindIdx`: the position in `def` of the one NIC `match` names by MAC (when the
 * XML gives one), PCI address and alias; none or several is libvirt's error.
 *
 * @example
 * ```ts
 * import { findNic } from "./device_nic.ts";
 * declare const def: import("../../../conf/domain/def.ts").DomainDef;
 * findNic(def, { type: "user", mac: "52:54:00:00:00:01", extra: [] }); // 0
 * ```
 */
export function findNic(def: DomainDef, match: DomainInterface): number {
  const pci = pciAddressOf(match);
  const alias = aliasOf(match);
  const samePci = (a: Record<string, string> | undefined) =>
    a !== undefined && pciText(a) === pciText(pci!);
  let found = -1;
  for (const [i, net] of def.devices.interfaces.entries()) {
    if (match.mac !== undefined && net.mac !== match.mac) continue;
    if (pci && !samePci(pciAddressOf(net))) continue;
    const own = aliasOf(net);
    if (alias !== undefined && own !== undefined && own !== alias) continue;
    if (found >= 0) {
      throw VirError.report(
        "DOMAIN",
        "OPERATION_FAILED",
        match.mac !== undefined
          ? `multiple devices matching MAC address ${match.mac} found`
          : "multiple matching devices found",
      );
    }
    found = i;
  }
  if (found >= 0) return found;
  throw VirError.report(
    "DOMAIN",
    "DEVICE_MISSING",
    `no device found at address '${pci ? pciText(pci) : "(<null>)"}' matching MAC address '${
      match.mac ?? "(<null>)"
    }' and alias '${alias ?? "(<null>)"}'`,
  );
}

/** A device's `<boot order>` (a NIC's in `extra`, any other device's among its children). */
function bootOrder(children: readonly XmlElement["children"][number][]): string | undefined {
  return children.find((c): c is XmlElement => c.type === "element" && c.name === "boot")
    ?.attributes.order;
}

/**
 * `virDomainDefCompatibleDevice` for a NIC going into `def` (in place of `old` for an update):
 * a live update keeps the alias, and a boot order is refused where `<os><boot>` is used or
 * another device has it.
 *
 * @example
 * ```ts
 * import { checkNicCompatible } from "./device_nic.ts";
 * declare const def: import("../../../conf/domain/def.ts").DomainDef;
 * checkNicCompatible(def, { type: "user", extra: [] }); // no error
 * ```
 */
export function checkNicCompatible(
  def: DomainDef,
  net: DomainInterface,
  old?: DomainInterface,
  live = false,
): void {
  const alias = aliasOf(net);
  if (live && old && alias !== undefined && aliasOf(old) !== undefined && alias !== aliasOf(old)) {
    throw VirError.report("DOMAIN", "OPERATION_DENIED", "changing device alias is not allowed");
  }
  const order = bootOrder(net.extra);
  if (order === undefined || Number(order) <= 0) return;
  if (def.os.boot?.length) {
    throw VirError.report(
      "DOMAIN",
      "CONFIG_UNSUPPORTED",
      "per-device boot elements cannot be used together with os/boot elements",
    );
  }
  const others = [
    ...def.devices.other.map((d) => bootOrder(d.children)),
    ...def.devices.interfaces.filter((n) => n !== old).map((n) => bootOrder(n.extra)),
  ];
  if (others.some((o) => o !== undefined && Number(o) === Number(order))) {
    throw VirError.report(
      "DOMAIN",
      "CONFIG_UNSUPPORTED",
      `boot order ${Number(order)} is already used by another device`,
    );
  }
}

/**
 * `virDomainNetInsert` then the definition's post-parse: the NIC goes last, with its model
 * and PCI address.
 *
 * @example
 * ```ts
 * import { attachNicConfig } from "./device_nic.ts";
 * declare const vmdef: import("../../../conf/domain/def.ts").DomainDef;
 * declare const dev: import("../../../util/xml/mod.ts").XmlElement;
 * attachNicConfig(vmdef, dev);
 * ```
 */
export function attachNicConfig(vmdef: DomainDef, dev: XmlElement): void {
  const net = nicOf(dev, false);
  checkNicCompatible(vmdef, net);
  vmdef.devices.interfaces.push(net);
  qemuPostParse(vmdef);
}

/**
 * `virDomainNetRemove` of the NIC `dev` names.
 *
 * @example
 * ```ts
 * import { detachNicConfig } from "./device_nic.ts";
 * declare const vmdef: import("../../../conf/domain/def.ts").DomainDef;
 * declare const dev: import("../../../util/xml/mod.ts").XmlElement;
 * detachNicConfig(vmdef, dev);
 * ```
 */
export function detachNicConfig(vmdef: DomainDef, dev: XmlElement): void {
  vmdef.devices.interfaces.splice(findNic(vmdef, nicOf(dev)), 1);
}

/**
 * `virDomainNetUpdate`: the NIC `dev` names is replaced by `dev` (a MAC the XML lacks is a
 * generated one, as libvirt's parser makes it).
 *
 * @example
 * ```ts
 * import { updateNicConfig } from "./device_nic.ts";
 * declare const vmdef: import("../../../conf/domain/def.ts").DomainDef;
 * declare const dev: import("../../../util/xml/mod.ts").XmlElement;
 * updateNicConfig(vmdef, dev);
 * ```
 */
export function updateNicConfig(vmdef: DomainDef, dev: XmlElement): void {
  const net = nicOf(dev);
  const at = findNic(vmdef, net);
  checkNicCompatible(vmdef, net, vmdef.devices.interfaces[at]);
  net.mac ??= generateMac();
  vmdef.devices.interfaces[at] = net;
  qemuPostParse(vmdef);
}
