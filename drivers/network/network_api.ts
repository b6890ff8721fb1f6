/**
 * The network calls of libvirt's network driver (bridge_driver.c): list, lookup, define,
 * create, start, destroy, undefine, autostart, XML, bridge name, update and DHCP leases, with
 * libvirt's checks, messages and events.
 *
 * @module
 */
import type { DriverConnection, NetworkRef } from "../../util/driver.ts";
import { VIR } from "../../util/constants.ts";
import { checkFlags, VirError } from "../../util/errors.ts";
import { methodTable } from "../../util/method_table.ts";
import { strerror } from "../../util/strerror.ts";
import { formatNetworkXML, parseNetworkXML, readDnsmasqNamespace } from "../../conf/network/mod.ts";
import { parseMac } from "../../conf/common/mod.ts";
import { type NetworkObj, updateNetworkObj } from "../../conf/objects/network_obj.ts";
import { networkListCalls } from "../../conf/objects/network_list_calls.ts";
import { ipsOf } from "./addr.ts";
import { dnsmasqFiles, reapDnsmasq, refreshDnsmasq, startDnsmasq, termDnsmasq } from "./dnsmasq.ts";
import { addFirewall, removeFirewall } from "./firewall_apply.ts";
import { parseLeases } from "./leases.ts";
import { shutdownNetwork, startNetwork } from "./lifecycle.ts";
import { removeIfExists } from "../../util/config_files.ts";
import { netRef, type NetworkState } from "./state.ts";
import { validateNetwork } from "./validate.ts";

const E = VIR;
const F = "NETWORK";

/**
 * `networkObjFromNetwork`: the network of a handle, or libvirt's "no network with matching uuid".
 *
 * @example
 * ```ts
 * import { networkOf } from "./network_api.ts";
 * declare const state: import("./state.ts").NetworkState;
 * networkOf(state, { name: "default", uuid: "81ff0d90-c91e-6742-64da-4a736edb9a9b" }).active;
 * ```
 */
export function networkOf(state: NetworkState, net: NetworkRef): NetworkObj {
  const obj = state.networks.findByUUID(net.uuid);
  if (!obj) {
    throw VirError.report(
      F,
      "NO_NETWORK",
      `no network with matching uuid '${net.uuid.toLowerCase()}' (${net.name})`,
    );
  }
  return obj;
}

/** `networkRemoveInactive`: the network's files gone, the network forgotten. */
async function removeInactive(state: NetworkState, obj: NetworkObj): Promise<void> {
  const files = dnsmasqFiles(state, obj.def.name);
  for (const f of [files.conf, files.hostsFile, files.addnHostsFile, files.leaseFile]) {
    await removeIfExists(f);
  }
  await removeIfExists(state.statusFile(obj.def.name));
  state.forget(obj);
}

/** Whether an IPv4 `<ip>` of the network serves DHCP or TFTP (`oldDhcpActive`). */
const dhcpActive = (obj: NetworkObj) =>
  ipsOf(obj.def, "ipv4").some((ip) => ip.ranges.length || ip.hosts.length || ip.tftpRoot);

/** `networkRestartDhcpDaemon`: dnsmasq stopped and started on the current definition. */
async function restartDnsmasq(state: NetworkState, obj: NetworkObj): Promise<void> {
  termDnsmasq(state, obj);
  await reapDnsmasq(state, obj, true);
  await startDnsmasq(state, obj);
}

const FIREWALL_SECTIONS: number[] = [
  E.NETWORK_SECTION_FORWARD,
  E.NETWORK_SECTION_FORWARD_INTERFACE,
  E.NETWORK_SECTION_IP,
  E.NETWORK_SECTION_IP_DHCP_RANGE,
  E.NETWORK_SECTION_IP_DHCP_HOST,
];
const RESTART_SECTIONS: number[] = [
  E.NETWORK_SECTION_BRIDGE,
  E.NETWORK_SECTION_DOMAIN,
  E.NETWORK_SECTION_IP,
  E.NETWORK_SECTION_IP_DHCP_RANGE,
  E.NETWORK_SECTION_DNS_TXT,
  E.NETWORK_SECTION_DNS_SRV,
];

/**
 * The network calls of one network driver connection.
 *
 * @example
 * ```ts
 * import { networkMethods } from "./network_api.ts";
 * declare const state: import("./state.ts").NetworkState;
 * const methods = networkMethods(state);
 * ```
 */
export function networkMethods(state: NetworkState): Partial<DriverConnection> {
  const of = (net: NetworkRef) => networkOf(state, net);
  return methodTable({
    ...networkListCalls(state.networks, "networkConnectListAllNetworks", F),
    networkLookupByName: (name) => {
      const obj = state.networks.findByName(name);
      if (!obj) throw VirError.report(F, "NO_NETWORK", `no network with matching name '${name}'`);
      return netRef(obj);
    },
    networkLookupByUUID: (uuid) => {
      const obj = state.networks.findByUUID(uuid);
      if (!obj) {
        throw VirError.report(
          F,
          "NO_NETWORK",
          `no network with matching uuid '${uuid.toLowerCase()}'`,
        );
      }
      return netRef(obj);
    },
    networkIsActive: (net) => of(net).active,
    networkIsPersistent: (net) => of(net).persistent,
    networkCreateXML: async (xml, flags) => {
      checkFlags(flags, E.NETWORK_CREATE_VALIDATE, "networkCreateXMLFlags", F);
      const def = parseNetworkXML(
        xml,
        flags & E.NETWORK_CREATE_VALIDATE ? E.NETWORK_DEFINE_VALIDATE : 0,
        readDnsmasqNamespace,
      );
      await validateNetwork(state.networks, state.runner, def);
      const obj = state.networks.assignDef(def, true);
      try {
        await startNetwork(state, obj);
      } catch (e) {
        if (!obj.persistent) state.forget(obj);
        throw e;
      }
      state.emit(obj, E.NETWORK_EVENT_STARTED);
      return netRef(obj);
    },
    networkDefineXMLFlags: async (xml, flags) => {
      checkFlags(flags, E.NETWORK_DEFINE_VALIDATE, "networkDefineXMLFlags", F);
      const def = parseNetworkXML(xml, flags, readDnsmasqNamespace);
      await validateNetwork(state.networks, state.runner, def);
      const existed = state.networks.findByUUID(def.uuid);
      const before = existed && { def: existed.def, newDef: existed.newDef, p: existed.persistent };
      const obj = state.networks.assignDef(def, false);
      try {
        await state.saveConfig(def);
      } catch (e) {
        if (!before) state.forget(obj);
        else [obj.def, obj.newDef, obj.persistent] = [before.def, before.newDef, before.p];
        throw e;
      }
      state.emit(obj, E.NETWORK_EVENT_DEFINED);
      return netRef(obj);
    },
    networkUndefine: async (net) => {
      const obj = of(net);
      if (!obj.persistent) {
        throw VirError.report(F, "OPERATION_INVALID", "can't undefine transient network");
      }
      await state.deleteConfig(obj.def.name);
      obj.autostart = false;
      state.emit(obj, E.NETWORK_EVENT_UNDEFINED);
      if (!obj.active) await removeInactive(state, obj);
      else {
        obj.persistent = false;
        obj.newDef = undefined;
      }
    },
    networkCreate: async (net) => {
      const obj = of(net);
      await startNetwork(state, obj);
      state.emit(obj, E.NETWORK_EVENT_STARTED);
    },
    networkDestroy: async (net) => {
      const obj = of(net);
      if (!obj.active) {
        throw VirError.report(F, "OPERATION_INVALID", `network '${obj.def.name}' is not active`);
      }
      await shutdownNetwork(state, obj);
      state.emit(obj, E.NETWORK_EVENT_STOPPED);
      if (!obj.persistent) await removeInactive(state, obj);
    },
    networkGetXMLDesc: (net, flags) => {
      checkFlags(flags, E.NETWORK_XML_INACTIVE, "networkGetXMLDesc", F);
      const obj = of(net);
      const def = flags & E.NETWORK_XML_INACTIVE && obj.newDef ? obj.newDef : obj.def;
      return formatNetworkXML(def, flags);
    },
    networkGetBridgeName: (net) => {
      const obj = of(net);
      if (!obj.def.bridge.name) {
        throw VirError.report(
          F,
          "INTERNAL_ERROR",
          `network '${obj.def.name}' does not have a bridge name.`,
        );
      }
      return obj.def.bridge.name;
    },
    networkGetAutostart: (net) => of(net).autostart,
    networkSetAutostart: async (net, autostart) => {
      const obj = of(net);
      if (!obj.persistent) {
        throw VirError.report(F, "OPERATION_INVALID", "cannot set autostart for transient network");
      }
      if (obj.autostart !== Boolean(autostart)) await state.setAutostart(obj, Boolean(autostart));
    },
    networkUpdate: async (net, command, section, parentIndex, xml, flags) => {
      checkFlags(
        flags,
        E.NETWORK_UPDATE_AFFECT_LIVE | E.NETWORK_UPDATE_AFFECT_CONFIG,
        "networkUpdate",
        F,
      );
      const obj = of(net);
      const oldDhcp = dhcpActive(obj);
      if ((flags & (E.NETWORK_UPDATE_AFFECT_LIVE | E.NETWORK_UPDATE_AFFECT_CONFIG)) === 0) {
        flags |= obj.active ? E.NETWORK_UPDATE_AFFECT_LIVE : E.NETWORK_UPDATE_AFFECT_CONFIG;
      }
      const live = obj.active && (flags & E.NETWORK_UPDATE_AFFECT_LIVE) !== 0;
      const firewall = live && ["none", "nat", "route"].includes(obj.def.forward.mode) &&
        FIREWALL_SECTIONS.includes(section);
      if (firewall) await removeFirewall(state.runner, obj.def);
      try {
        updateNetworkObj(obj, command, section, parentIndex, xml, flags);
      } catch (e) {
        if (firewall) await addFirewall(state.runner, obj.def).catch(() => {});
        throw e;
      }
      if (firewall) await addFirewall(state.runner, obj.def);
      if (flags & E.NETWORK_UPDATE_AFFECT_CONFIG) await state.saveConfig(obj.newDef ?? obj.def);
      if (!live) return;
      if (RESTART_SECTIONS.includes(section)) await restartDnsmasq(state, obj);
      else if (section === E.NETWORK_SECTION_IP_DHCP_HOST) {
        if (dhcpActive(obj) !== oldDhcp) await restartDnsmasq(state, obj);
        await refreshDnsmasq(state, obj);
      } else if (section === E.NETWORK_SECTION_DNS_HOST) await refreshDnsmasq(state, obj);
      await state.saveStatus(obj);
    },
    networkGetDHCPLeases: async (net, mac, flags) => {
      checkFlags(flags, 0, "networkGetDHCPLeases", F);
      if (mac !== null && mac !== undefined && !parseMac(mac)) {
        throw VirError.report(F, "INVALID_MAC", mac);
      }
      const obj = of(net);
      const file = dnsmasqFiles(state, obj.def.name).leaseFile;
      let text: string;
      try {
        text = await Deno.readTextFile(file);
      } catch (e) {
        if (e instanceof Deno.errors.NotFound) return [];
        throw VirError.bare(
          F,
          "SYSTEM_ERROR",
          `Unable to read leases file: ${file}: ${strerror(e)}`,
        );
      }
      const now = Math.floor(Date.now() / 1000);
      return parseLeases(text, obj.def, mac ?? undefined, now) as unknown as Record<
        string,
        unknown
      >[];
    },
  });
}
