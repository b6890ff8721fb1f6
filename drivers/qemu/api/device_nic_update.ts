/**
 * update-device of a running domain's NIC (libvirt 9.0's `qemuDomainChangeNet`): the link
 * state changes live (`set_link`); what libvirt refuses to change on a live NIC (MAC, model,
 * tap name, PCI address, boot order, ROM, MTU, virtio driver options) is refused with its
 * messages, and so is a change of network or bridge, which edgevirt does not move live.
 *
 * @module
 */
import type { DomainInterface } from "../../../conf/domain/def.ts";
import { INTERFACE_KIDS } from "../../../conf/domain/devices.ts";
import { VirError } from "../../../util/errors.ts";
import { element, type XmlElement } from "../../../util/xml/mod.ts";
import type { QemuDomainObj } from "../domain_private.ts";
import { linkStateOf, nicAlias, setLink } from "../net/link.ts";
import { checkStartableNic } from "../net/nics.ts";
import { DEFAULT_NIC_MODEL, generateMac } from "../postparse.ts";
import { findNic, nicOf } from "./device_nic.ts";

const refuse = (message: string) => VirError.report("QEMU", "OPERATION_UNSUPPORTED", message);

/** The attributes of a NIC's child `name`, as one comparable string ("" without it). */
function childKey(net: DomainInterface, name: string): string {
  const el = net.extra.find((e) => e.name === name);
  if (!el) return "";
  return JSON.stringify(Object.entries(el.attributes).filter(([, v]) => v !== undefined).sort());
}

/**
 * The fields `qemuDomainChangeNet` checks, in its order: a new value the XML leaves out is the
 * old one (PCI address, boot order, ROM, tap name, alias), any other difference is refused.
 */
function checkUnchanged(old: DomainInterface, net: DomainInterface): void {
  const mac = net.mac ?? generateMac();
  if (mac !== old.mac) {
    throw refuse(`cannot change network interface mac address from ${old.mac} to ${mac}`);
  }
  const model = net.model ?? DEFAULT_NIC_MODEL;
  if (model !== old.model) {
    throw refuse(`cannot modify network device model from ${old.model} to ${model}`);
  }
  if (old.model === "virtio" && childKey(old, "driver") !== childKey(net, "driver")) {
    throw refuse("cannot modify virtio network device driver attributes");
  }
  if (net.target !== undefined && net.target !== old.target) {
    throw refuse("cannot modify network device tap name");
  }
  const inherited: [string, string][] = [
    ["address", "cannot modify network device guest PCI address"],
    ["rom", "cannot modify network device rom bar setting"],
    ["boot", "cannot modify network device boot index setting"],
  ];
  for (const [name, message] of inherited) {
    if (childKey(net, name) !== "" && childKey(net, name) !== childKey(old, name)) {
      throw refuse(message);
    }
  }
  if (childKey(old, "mtu") !== childKey(net, "mtu")) throw refuse("cannot modify MTU");
}

/** Whether the NIC `net` asks for is on another network or bridge than `old` is. */
function movesElsewhere(old: DomainInterface, net: DomainInterface): boolean {
  // A network NIC's live type may be its network's actual `bridge`: compare configured names.
  if (net.type === "network") return old.source?.network !== net.source?.network;
  if (net.type === "bridge") {
    return old.type !== "bridge" || old.source?.bridge !== net.source?.bridge;
  }
  return old.type !== net.type;
}

/** Sets `<link state>` of a live NIC, in libvirt's child order. */
function putLinkState(net: DomainInterface, state: string): void {
  net.extra = net.extra.filter((e) => e.name !== "link");
  const rank = (e: XmlElement) => INTERFACE_KIDS.indexOf(e.name);
  const at = net.extra.findIndex((e) => rank(e) > INTERFACE_KIDS.indexOf("link"));
  const el = element("link", { state });
  if (at < 0) net.extra.push(el);
  else net.extra.splice(at, 0, el);
}

/**
 * Changes the running domain's NIC `dev` names into `dev`: only its link state can change.
 *
 * @example
 * ```ts
 * import { updateNicLive } from "./device_nic_update.ts";
 * import { parse } from "../../../util/xml/mod.ts";
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * await updateNicLive(obj, parse("<interface type='user'><mac address='52:54:00:00:00:01'/><link state='down'/></interface>"));
 * ```
 */
export async function updateNicLive(obj: QemuDomainObj, dev: XmlElement): Promise<void> {
  const net = nicOf(dev);
  const old = obj.def.devices.interfaces[findNic(obj.def, net)];
  checkUnchanged(old, net);
  if (movesElsewhere(old, net)) {
    throw refuse(`unable to change config on '${net.type}' network type`);
  }
  // Settings the driver never applies to a NIC are refused here as at start.
  checkStartableNic(net);
  const state = linkStateOf(net);
  if (state === linkStateOf(old)) return;
  const alias = nicAlias(old);
  if (!alias) {
    throw VirError.report(
      "QEMU",
      "OPERATION_FAILED",
      "can't change link state: device alias not found",
    );
  }
  await setLink(obj.proc!.monitor, alias, state === "up");
  putLinkState(old, state);
}
