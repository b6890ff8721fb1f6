/**
 * update-device of a running domain's NIC (libvirt 9.0's `qemuDomainChangeNet`): the link
 * state changes live (`set_link`), the tap moves to another bridge or network
 * (device_nic_bridge.ts), the filter is rebound (`qemuDomainChangeNetFilter`); what libvirt
 * refuses to change on a live NIC (MAC, model, tap name, PCI address, boot order, ROM, MTU,
 * virtio driver options) is refused with its messages.
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
import { changeNicFilter } from "../net/nwfilter.ts";
import { parseFilterParams } from "../../../conf/nwfilter/mod.ts";
import { DEFAULT_NIC_MODEL, generateMac } from "../postparse.ts";
import type { QemuDriverState } from "../driver_state.ts";
import type { BandwidthRate } from "../../../conf/common/bandwidth.ts";
import { nicBandwidth } from "../../../conf/domain/nic_bandwidth.ts";
import { applyLiveBandwidth } from "./interface_params.ts";
import { checkNicCompatible, findNic, nicOf } from "./device_nic.ts";
import { moveNicBridge, movesElsewhere } from "./device_nic_bridge.ts";

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
  if (childKey(old, "script") !== childKey(net, "script")) {
    throw refuse("cannot modify network device script attribute");
  }
}

/**
 * A NIC's bandwidth as `virNetDevBandwidthEqual` compares it: each direction's rates, unset
 * ones zero ("" without any).
 */
function bandwidthKey(net: DomainInterface): string {
  const bw = nicBandwidth(net);
  const rate = (r: BandwidthRate | undefined) =>
    r && [r.average ?? 0, r.peak ?? 0, r.floor ?? 0, r.burst ?? 0];
  return bw?.inbound || bw?.outbound ? JSON.stringify([rate(bw.inbound), rate(bw.outbound)]) : "";
}

/** A NIC's filter with its parameters, as `qemuDomainChangeNet` compares them ("" without). */
function filterKey(net: DomainInterface): string {
  const el = net.extra.find((e) => e.name === "filterref");
  return el ? JSON.stringify([el.attributes.filter, [...parseFilterParams(el)]]) : "";
}

/**
 * `qemuDomainChangeNetFilter`: only a tap's filter can change; the live NIC then has the new
 * filter, its runtime the new binding.
 */
async function changeFilter(
  s: QemuDriverState,
  obj: QemuDomainObj,
  index: number,
  old: DomainInterface,
  net: DomainInterface,
): Promise<void> {
  if (!["ethernet", "bridge", "network"].includes(old.type)) {
    throw VirError.report(
      "QEMU",
      "CONFIG_UNSUPPORTED",
      `filters not supported on interfaces of type ${old.type}`,
    );
  }
  const ctx = s.nicContext;
  await changeNicFilter(obj.def, old, net, ctx.taps.privileged, ctx.secondaries);
  const filterref = net.extra.find((e) => e.name === "filterref");
  putChild(old, "filterref", filterref);
  const runtime = obj.nics?.find((n) => n.index === index);
  if (runtime) runtime.binding = filterref && old.target ? old.target : undefined;
}

/** Puts `el` as a live NIC's only child `name` (none without it), in libvirt's child order. */
function putChild(net: DomainInterface, name: string, el: XmlElement | undefined): void {
  net.extra = net.extra.filter((e) => e.name !== name);
  if (!el) return;
  const rank = (e: XmlElement) => INTERFACE_KIDS.indexOf(e.name);
  const at = net.extra.findIndex((e) => rank(e) > INTERFACE_KIDS.indexOf(name));
  if (at < 0) net.extra.push(el);
  else net.extra.splice(at, 0, el);
}

/**
 * Changes the running domain's NIC `dev` names into `dev`: its bridge or network, its link state.
 *
 * @example
 * ```ts
 * import { updateNicLive } from "./device_nic_update.ts";
 * import { parse } from "../../../util/xml/mod.ts";
 * declare const state: import("../driver_state.ts").QemuDriverState;
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * await updateNicLive(state, obj, parse("<interface type='user'><mac address='52:54:00:00:00:01'/><link state='down'/></interface>"));
 * ```
 */
export async function updateNicLive(
  s: QemuDriverState,
  obj: QemuDomainObj,
  dev: XmlElement,
): Promise<void> {
  const net = nicOf(dev);
  const index = findNic(obj.def, net);
  const old = obj.def.devices.interfaces[index];
  checkNicCompatible(obj.def, net, old, true);
  checkUnchanged(old, net);
  // Settings the driver never applies to a NIC are refused here as at start.
  checkStartableNic(net);
  // libvirt shapes the tap (and its port) first, moves it, then sets the link.
  if (movesElsewhere(old, net)) await moveNicBridge(s, obj, index, net);
  else if (bandwidthKey(old) !== bandwidthKey(net)) {
    await applyLiveBandwidth(s, old, nicBandwidth(net));
  }
  if (filterKey(old) !== filterKey(net)) await changeFilter(s, obj, index, old, net);
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
  putChild(old, "link", element("link", { state }));
}
