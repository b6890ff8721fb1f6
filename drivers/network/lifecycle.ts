/**
 * Starting and stopping a network on the host (`networkStartNetwork`,
 * `networkShutdownNetwork` and their virtual/bridge parts): bridge, sysctls, firewall,
 * addresses, link up, routes, IP forwarding, dnsmasq and the bridge's QoS in libvirt's order,
 * undone in reverse when a step fails; the live definition written to the state directory.
 *
 * @module
 */
import type { NetworkObj } from "../../conf/objects/network_obj.ts";
import { VirError } from "../../util/errors.ts";
import { ipsOf } from "./addr.ts";
import { reapDnsmasq, startDnsmasq, termDnsmasq } from "./dnsmasq.ts";
import { addFirewall, removeFirewall } from "./firewall_apply.ts";
import {
  addAddress,
  addRoute,
  checkIPv6Forwarding,
  checkRouteCollision,
  createBridge,
  deleteBridge,
  enableForwarding,
  setIPv6Sysctls,
  setOnline,
} from "./netdev.ts";
import { removeIfExists } from "../../util/config_files.ts";
import type { NetworkState } from "./state.ts";
import { clearBandwidth, setBandwidth } from "../../util/netdev_bandwidth.ts";

/** The forward modes whose bridge, addresses and dnsmasq this driver makes. */
const VIRTUAL = ["none", "nat", "route", "open"];

const unsupported = (msg: string) => VirError.report("NETWORK", "CONFIG_UNSUPPORTED", msg);

/** What this driver cannot honour in a network it is asked to start: refused, never ignored. */
function checkSupported(obj: NetworkObj): void {
  const def = obj.def;
  const mode = def.forward.mode;
  if (!VIRTUAL.includes(mode) && !(mode === "bridge" && def.bridge.name)) {
    throw unsupported(
      `network '${def.name}' with forward mode '${mode}' is not supported by this network driver`,
    );
  }
  if (def.bridge.macTableManager === "libvirt") {
    throw unsupported(
      `network '${def.name}': macTableManager='libvirt' is not supported by this network driver`,
    );
  }
  if (def.bridge.zone) {
    throw VirError.report(
      "NETWORK",
      "INTERNAL_ERROR",
      `zone ${def.bridge.zone} requested for network ${def.name} but firewalld is not active`,
    );
  }
}

/**
 * libvirt's masquerade rules write their default port range (1024-65535) into the live
 * definition, so a running NAT network's XML shows `<nat><port start='1024' end='65535'/>`.
 */
function masqueradePorts(obj: NetworkObj): void {
  const def = obj.def;
  const masquerades = ipsOf(def, "ipv4").length > 0 ||
    (def.forward.nat?.ipv6 === true && ipsOf(def, "ipv6").length > 0);
  if (def.forward.mode !== "nat" || !masquerades) return;
  const nat = def.forward.nat ??= {};
  if (!nat.portStart && !nat.portEnd) [nat.portStart, nat.portEnd] = [1024, 65535];
}

/** `networkStartNetworkVirtual`. */
async function startVirtual(state: NetworkState, obj: NetworkObj): Promise<void> {
  const def = obj.def;
  const run = state.runner;
  const br = def.bridge.name;
  if (!br) {
    throw VirError.report(
      "NETWORK",
      "INTERNAL_ERROR",
      `network '${def.name}' has no bridge name defined`,
    );
  }
  await checkRouteCollision(run, def);
  await createBridge(run, def);
  let firewall = false;
  let online = false;
  try {
    await setIPv6Sysctls(run, def);
    if (def.forward.mode !== "open") {
      masqueradePorts(obj);
      await addFirewall(run, def);
      firewall = true;
    }
    for (const ip of ipsOf(def)) await addAddress(run, br, ip);
    await setOnline(run, br, true);
    online = true;
    for (const r of def.routes) await addRoute(run, br, r);
    const v4 = ipsOf(def, "ipv4").length > 0;
    const v6 = ipsOf(def, "ipv6").length > 0;
    if (def.forward.mode !== "none") {
      if (v6) await checkIPv6Forwarding(run);
      await enableForwarding(run, v4, v6);
    }
    if (v4 || v6) await startDnsmasq(state, obj);
    await shapeBridge(state, obj);
  } catch (e) {
    if (def.bandwidth) await clearBandwidth(state.tc, br);
    termDnsmasq(state, obj);
    if (online) await setOnline(run, br, false).catch(() => {});
    if (firewall) await removeFirewall(run, def);
    await deleteBridge(run, br).catch(() => {});
    await reapDnsmasq(state, obj, true);
    throw e;
  }
}

/**
 * The network's `<bandwidth>` on its bridge (`virNetDevBandwidthSet(bridge, bw, true, true)`):
 * the hierarchical HTB classes a port's `floor` would hang under, the network's inbound on the
 * bridge's egress.
 */
async function shapeBridge(state: NetworkState, obj: NetworkObj): Promise<void> {
  await setBandwidth(state.tc, obj.def.bridge.name, obj.def.bandwidth, {
    privileged: true,
    hierarchical: true,
    swapped: true,
  });
}

/** `networkStartNetworkBridge`: a host bridge's network shapes the bridge it names. */
async function startBridge(state: NetworkState, obj: NetworkObj): Promise<void> {
  try {
    await shapeBridge(state, obj);
  } catch (e) {
    await clearBandwidth(state.tc, obj.def.bridge.name!);
    throw e;
  }
}

/** `networkShutdownNetworkBridge`. */
async function shutdownBridge(state: NetworkState, obj: NetworkObj): Promise<void> {
  if (obj.def.bandwidth) await clearBandwidth(state.tc, obj.def.bridge.name!);
}

/** `networkShutdownNetworkVirtual`. */
async function shutdownVirtual(state: NetworkState, obj: NetworkObj): Promise<void> {
  const def = obj.def;
  const br = def.bridge.name!;
  if (def.bandwidth) await clearBandwidth(state.tc, br);
  termDnsmasq(state, obj);
  await setOnline(state.runner, br, false).catch(() => {});
  if (def.forward.mode !== "open") await removeFirewall(state.runner, def);
  await deleteBridge(state.runner, br).catch(() => {});
  await reapDnsmasq(state, obj, obj.persistent);
}

/**
 * `networkStartNetwork`: the network made on the host and marked active, its live definition
 * saved; on failure nothing of it is left.
 *
 * @example
 * ```ts
 * import { startNetwork } from "./lifecycle.ts";
 * declare const state: import("./state.ts").NetworkState;
 * declare const obj: import("../../conf/objects/network_obj.ts").NetworkObj;
 * await startNetwork(state, obj);
 * ```
 */
export async function startNetwork(state: NetworkState, obj: NetworkObj): Promise<void> {
  if (obj.active) {
    throw VirError.report("NETWORK", "OPERATION_INVALID", "network is already active");
  }
  checkSupported(obj);
  await state.deleteAllPorts(obj);
  // virNetworkObjSetDefTransient: the live definition is a copy the config does not follow.
  if (obj.persistent && !obj.newDef) obj.newDef = structuredClone(obj.def);
  try {
    if (VIRTUAL.includes(obj.def.forward.mode)) await startVirtual(state, obj);
    else await startBridge(state, obj);
    obj.def.connections = 0;
    // The class IDs stay taken (libvirt keeps its bitmap); the floors are gone with the ports.
    state.qosOf(obj).floorSum = 0;
    await state.saveStatus(obj);
  } catch (e) {
    if (obj.newDef) [obj.def, obj.newDef] = [obj.newDef, undefined];
    throw e;
  }
  obj.active = true;
}

/**
 * `networkShutdownNetwork`: everything the network made on the host removed, its state files
 * and ports gone, the persistent definition back in force.
 *
 * @example
 * ```ts
 * import { shutdownNetwork } from "./lifecycle.ts";
 * declare const state: import("./state.ts").NetworkState;
 * declare const obj: import("../../conf/objects/network_obj.ts").NetworkObj;
 * await shutdownNetwork(state, obj);
 * ```
 */
export async function shutdownNetwork(state: NetworkState, obj: NetworkObj): Promise<void> {
  if (!obj.active) return;
  await removeIfExists(state.statusFile(obj.def.name));
  if (VIRTUAL.includes(obj.def.forward.mode)) await shutdownVirtual(state, obj);
  else await shutdownBridge(state, obj);
  await state.deleteAllPorts(obj);
  obj.active = false;
  delete obj.def.connections;
  if (obj.newDef) [obj.def, obj.newDef] = [obj.newDef, undefined];
}
