/**
 * NICs plugged into and out of a running domain, as libvirt 9.0's `qemuDomainAttachNetDevice`
 * and `qemuDomainRemoveNetDevice` do it: the host side first (a network NIC's port from the
 * network driver, a tap on the bridge), then `netdev_add` (`host<alias>`) and `device_add`
 * (`net<N>`), then the link state; every step is undone when a later one fails. The removal,
 * once QEMU let the device go (DEVICE_DELETED), is `netdev_del`, then the tap and the port. An
 * unprivileged driver's backend is QEMU's bridge helper, whose tap goes with `netdev_del`.
 *
 * @module
 */
import type { DomainDef, DomainInterface } from "../../../conf/domain/def.ts";
import { VIR } from "../../../util/constants.ts";
import { VirError } from "../../../util/errors.ts";
import { element, type XmlElement } from "../../../util/xml/mod.ts";
import { nextNicAlias } from "../alias.ts";
import type { QemuDomainObj } from "../domain_private.ts";
import type { QemuDriverState } from "../driver_state.ts";
import { linkStateOf, nicAlias, setLink } from "../net/link.ts";
import { helperFailure, helperNetdev } from "../net/bridge_helper.ts";
import { hostMtu } from "../net/ethernet.ts";
import {
  checkStartableNic,
  nameHelperTaps,
  type NicRuntime,
  prepareNic,
  releaseNics,
} from "../net/nics.ts";
import { qemuPostParse } from "../postparse.ts";
import { pciProps } from "./device_disk.ts";
import { checkNicCompatible, nicOf, pciAddressOf } from "./device_nic.ts";
import { ensureQ35BridgeSlot, ensureQ35Port } from "./device_pci.ts";
import { PCIE_NICS } from "../pci_address.ts";

/** Interface types libvirt 9.0 cannot hotplug at all ("… is not implemented yet"). */
const NOT_HOTPLUGGABLE = new Set(["server", "client", "mcast", "udp", "internal", "null", "vds"]);

/**
 * `qemuBuildHostNetProps` for the backends the driver runs: user networking, its tap, or the
 * bridge helper's.
 */
function netdevProps(net: DomainInterface, id: string, nic?: NicRuntime): Record<string, unknown> {
  if (net.type === "user") return { type: "user", id };
  if (nic?.helper) return helperNetdev(net, id);
  return { type: "tap", id, ifname: nic?.ifname, script: "no", downscript: "no" };
}

/**
 * `qemuBuildNicDevProps`: the guest's NIC at its PCI address, on its backend.
 *
 * @example
 * ```ts
 * import { nicDeviceProps } from "./device_nic_live.ts";
 * declare const def: import("../../../conf/domain/def.ts").DomainDef;
 * declare const net: import("../../../conf/domain/def.ts").DomainInterface;
 * nicDeviceProps(def, net); // { driver: "virtio-net-pci", netdev: "hostnet1", id: "net1", … }
 * ```
 */
export function nicDeviceProps(def: DomainDef, net: DomainInterface): Record<string, unknown> {
  const alias = nicAlias(net)!;
  const model = net.model!;
  const address = pciAddressOf(net);
  const boot = net.extra.find((e) => e.name === "boot")?.attributes.order;
  return {
    driver: model === "virtio" ? "virtio-net-pci" : model,
    ...(hostMtu(net) ? { host_mtu: hostMtu(net) } : {}),
    netdev: `host${alias}`,
    id: alias,
    mac: net.mac,
    ...(address ? pciProps(def, address) : {}),
    ...(boot ? { bootindex: Number(boot) } : {}),
  };
}

/** Names the NIC as libvirt would: a user's alias stays, any other gets the next `net<N>`. */
function giveAlias(obj: QemuDomainObj, net: DomainInterface): string {
  const own = nicAlias(net);
  if (own) return own;
  const alias = nextNicAlias(obj.def);
  const at = net.extra.findIndex((e) => e.name === "address");
  const el = element("alias", { name: alias });
  if (at < 0) net.extra.push(el);
  else net.extra.splice(at, 0, el);
  return alias;
}

/**
 * Plugs the NIC `dev` describes into the running domain; on failure nothing of it is left,
 * neither in QEMU nor on the host.
 *
 * @example
 * ```ts
 * import { attachNicLive } from "./device_nic_live.ts";
 * declare const state: import("../driver_state.ts").QemuDriverState;
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * declare const dev: import("../../../util/xml/mod.ts").XmlElement;
 * const alias = await attachNicLive(state, obj, dev); // "net1"
 * ```
 */
export async function attachNicLive(
  s: QemuDriverState,
  obj: QemuDomainObj,
  dev: XmlElement,
): Promise<string> {
  const net = nicOf(dev, false);
  if (NOT_HOTPLUGGABLE.has(net.type)) {
    throw VirError.report(
      "QEMU",
      "OPERATION_UNSUPPORTED",
      `hotplug of interface type of ${net.type} is not implemented yet`,
    );
  }
  checkStartableNic(net);
  // QEMU takes a macvtap's device only as a descriptor, which a running QEMU could get only
  // over its monitor socket (SCM_RIGHTS): nothing here can send one. libvirt's words for a type
  // it cannot hotplug.
  if (net.type === "direct") {
    throw VirError.report(
      "QEMU",
      "OPERATION_UNSUPPORTED",
      "hotplug of interface type of direct is not implemented yet",
    );
  }
  const def = obj.def;
  checkNicCompatible(def, net, undefined, true);
  // Model, MAC and PCI address as the definition's post-parse gives them, in a copy.
  const copy = structuredClone(def);
  copy.devices.interfaces.push(net);
  qemuPostParse(copy, { live: true });
  if (PCIE_NICS.has(net.model!)) ensureQ35Port(copy, { children: net.extra });
  else ensureQ35BridgeSlot(copy, { children: net.extra });
  const alias = giveAlias(obj, net);
  const ctx = s.nicContext;
  const index = def.devices.interfaces.length;
  const nic: NicRuntime | undefined = net.type === "user"
    ? undefined
    : await prepareNic(def, net, index, ctx);
  // An unmanaged macvtap too would reach QEMU only as a descriptor (see above).
  if (nic?.device) {
    await releaseNics([nic], ctx);
    throw VirError.report(
      "QEMU",
      "OPERATION_UNSUPPORTED",
      "hotplug of interface type of ethernet on a macvtap is not implemented yet",
    );
  }
  const mon = obj.proc!.monitor;
  const id = `host${alias}`;
  let netdev = false;
  const stderr = obj.proc!.stderr;
  const mark = stderr?.written ?? 0;
  try {
    await mon.run("netdev_add", netdevProps(net, id, nic)).catch(async (err) => {
      // The helper QEMU ran refused: its own words (on QEMU's stderr), as libvirt reports them.
      if (!nic?.helper || !/bridge helper failed/.test(String(err))) throw err;
      throw helperFailure(net, await stderr?.lineSince(mark) ?? "");
    });
    netdev = true;
    if (nic?.helper) {
      await nameHelperTaps(def, [nic], obj.nics ?? [], obj.proc!.pid, ctx);
      net.target = nic.ifname;
    }
    await mon.run("device_add", nicDeviceProps(def, net));
    if (linkStateOf(net) === "down") await setLink(mon, alias, false);
  } catch (err) {
    // libvirt's try_remove: the backend goes (QEMU's own failure to let go is not the news).
    if (netdev) await mon.run("netdev_del", { id }).catch(() => {});
    if (nic) await releaseNics([nic], ctx);
    throw err;
  }
  def.devices.interfaces.push(net);
  if (nic) (obj.nics ??= []).push(nic);
  return alias;
}

/**
 * `qemuDomainRemoveNetDevice` once QEMU let the device go: its backend (`netdev_del`), then
 * the NIC leaves the live definition, its tap and network port are released, and
 * DEVICE_REMOVED is emitted. A backend QEMU refuses to remove fails the removal, the NIC
 * staying, as libvirt's does.
 *
 * @example
 * ```ts
 * import { removeNicLive } from "./device_nic_live.ts";
 * declare const state: import("../driver_state.ts").QemuDriverState;
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * await removeNicLive(state, obj, obj.def.devices.interfaces[1]);
 * ```
 */
export async function removeNicLive(
  s: QemuDriverState,
  obj: QemuDomainObj,
  net: DomainInterface,
): Promise<void> {
  const alias = nicAlias(net);
  await obj.proc?.monitor.run("netdev_del", { id: `host${alias}` });
  const interfaces = obj.def.devices.interfaces;
  const index = interfaces.indexOf(net);
  interfaces.splice(index, 1);
  // The runtime records count NICs by position: the later ones move up.
  const held = obj.nics?.filter((n) => n.index === index) ?? [];
  obj.nics = obj.nics?.filter((n) => n.index !== index)
    .map((n) => n.index > index ? { ...n, index: n.index - 1 } : n);
  await releaseNics(held, s.nicContext);
  s.emitOther(obj, VIR.DOMAIN_EVENT_ID_DEVICE_REMOVED, { devAlias: alias });
}

/**
 * After a driver restart, the NICs whose device QEMU let go while nobody listened (their
 * DEVICE_DELETED lost) are removed as if it had come (libvirt's `qemuProcessUpdateDevices`,
 * for NICs): any NIC whose alias `/machine/peripheral` no longer lists.
 *
 * @example
 * ```ts
 * import { removeVanishedNics } from "./device_nic_live.ts";
 * declare const state: import("../driver_state.ts").QemuDriverState;
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * await removeVanishedNics(state, obj);
 * ```
 */
export async function removeVanishedNics(s: QemuDriverState, obj: QemuDomainObj): Promise<void> {
  const nets = obj.def.devices.interfaces;
  if (!nets.length || !obj.proc) return;
  const listed = await obj.proc.monitor.run<{ name: string }[]>("qom-list", {
    path: "/machine/peripheral",
  });
  const present = new Set(listed.map((p) => p.name));
  for (const net of [...nets]) {
    const alias = nicAlias(net);
    if (alias && !present.has(alias)) await removeNicLive(s, obj, net);
  }
}
