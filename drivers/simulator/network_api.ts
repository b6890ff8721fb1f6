/**
 * Virtual networks of libvirt's test driver: define, create, start, stop, undefine, autostart,
 * bridge name, XML and the lifecycle events they emit.
 *
 * @module
 */
import type { DriverConnection, NetworkRef } from "../../util/driver.ts";
import { VIR } from "../../util/constants.ts";
import { checkFlags, VirError } from "../../util/errors.ts";
import {
  formatNetworkXML,
  type NetworkDef,
  parseNetworkXML,
  updateNetworkSection,
} from "./conf_adapters.ts";
import type { NetworkObj, TestDriverState } from "./driver_state.ts";
import { lift } from "./sync_table.ts";
import { orNotFound } from "./object_lookup.ts";
import { parseUUID } from "../../util/uuid.ts";
import { networkBridge, networkIdentity } from "./object_info.ts";
import { pairFilter } from "./list_filter.ts";

const F = "TEST";

function emit(state: TestDriverState, obj: { name: string; uuid: string }, event: number): void {
  state.emit({
    family: "network",
    eventId: VIR.NETWORK_EVENT_ID_LIFECYCLE,
    ref: { name: obj.name, uuid: obj.uuid },
    data: { event, detail: 0 },
  });
}

/** `virNetworkObjAssignDef` with its duplicate checks (error domain NETWORK). */
function assignDef(state: TestDriverState, def: NetworkDef, live: boolean): NetworkObj {
  const id = networkIdentity(def);
  const same = state.networks.get("uuid", id.uuid);
  if (same) {
    if (same.name !== id.name) {
      throw VirError.report(
        "NETWORK",
        "OPERATION_FAILED",
        `network '${same.name}' is already defined with uuid ${same.uuid}`,
      );
    }
    if (live && same.active) {
      throw VirError.report(
        "NETWORK",
        "OPERATION_INVALID",
        `network is already active as '${same.name}'`,
      );
    }
    if (live) {
      if (same.persistent && !same.newDef) same.newDef = same.def;
      same.def = def;
    } else {
      if (same.active) same.newDef = def;
      else same.def = def;
      same.persistent = true;
    }
    return same;
  }
  const byName = state.networks.get("name", id.name);
  if (byName) {
    throw VirError.report(
      "NETWORK",
      "OPERATION_FAILED",
      `network '${id.name}' already exists with uuid ${byName.uuid}`,
    );
  }
  const obj = { def, ...id, active: false, persistent: !live, autostart: false };
  state.networks.add(obj);
  return obj;
}

/**
 * The network driver table of the test driver.
 *
 * @example
 * ```ts
 * import { networkMethods } from "./network_api.ts";
 * import { TestDriverState } from "./driver_state.ts";
 * const methods = networkMethods(new TestDriverState());
 * ```
 */
export function networkMethods(state: TestDriverState): Partial<DriverConnection> {
  const byName = (name: string) =>
    orNotFound(
      state.networks.get("name", name),
      "NO_NETWORK",
      `no network with matching name '${name}'`,
    );
  const byUUID = (uuid: string) =>
    orNotFound(
      state.networks.get("uuid", parseUUID(uuid)),
      "NO_NETWORK",
      `no network with matching uuid '${uuid.toLowerCase()}'`,
    );
  const ref = (n: NetworkObj): NetworkRef => ({ name: n.name, uuid: n.uuid });
  const names = (active: boolean) =>
    state.networks.filter((n) => n.active === active).map((n) => n.name);
  return lift({
    connectNumOfNetworks: () => names(true).length,
    connectListNetworks: () => names(true),
    connectNumOfDefinedNetworks: () => names(false).length,
    connectListDefinedNetworks: () => names(false),
    connectListAllNetworks: (flags) => {
      const E = VIR;
      const all = E.CONNECT_LIST_NETWORKS_ACTIVE | E.CONNECT_LIST_NETWORKS_INACTIVE |
        E.CONNECT_LIST_NETWORKS_PERSISTENT | E.CONNECT_LIST_NETWORKS_TRANSIENT |
        E.CONNECT_LIST_NETWORKS_AUTOSTART | E.CONNECT_LIST_NETWORKS_NO_AUTOSTART;
      checkFlags(flags, all, "testConnectListAllNetworks", F);
      const pair = (yes: number, no: number, v: boolean) => pairFilter(flags, yes, no, v);
      return state.networks.filter((n) =>
        pair(E.CONNECT_LIST_NETWORKS_ACTIVE, E.CONNECT_LIST_NETWORKS_INACTIVE, n.active) &&
        pair(
          E.CONNECT_LIST_NETWORKS_PERSISTENT,
          E.CONNECT_LIST_NETWORKS_TRANSIENT,
          n.persistent,
        ) &&
        pair(E.CONNECT_LIST_NETWORKS_AUTOSTART, E.CONNECT_LIST_NETWORKS_NO_AUTOSTART, n.autostart)
      ).map(ref);
    },
    networkLookupByName: (name) => ref(byName(name)),
    networkLookupByUUID: (uuid) => ref(byUUID(uuid)),
    networkIsActive: (net) => byUUID(net.uuid).active,
    networkIsPersistent: (net) => byUUID(net.uuid).persistent,
    networkCreateXML: (xml, flags) => {
      checkFlags(flags, 0, "testNetworkCreateXMLFlags", F);
      const obj = assignDef(state, parseNetworkXML(xml), true);
      obj.active = true;
      emit(state, obj, VIR.NETWORK_EVENT_STARTED);
      return ref(obj);
    },
    networkDefineXMLFlags: (xml, flags) => {
      checkFlags(flags, VIR.NETWORK_DEFINE_VALIDATE, "testNetworkDefineXMLFlags", F);
      const obj = assignDef(state, parseNetworkXML(xml, flags), false);
      emit(state, obj, VIR.NETWORK_EVENT_DEFINED);
      return ref(obj);
    },
    networkUpdate: (net, command, section, parentIndex, xml, flags) => {
      const U = VIR.NETWORK_UPDATE_AFFECT_LIVE | VIR.NETWORK_UPDATE_AFFECT_CONFIG;
      checkFlags(flags, U, "testNetworkUpdate", F);
      const obj = byUUID(net.uuid);
      // AFFECT_CURRENT means the live definition of a running network, else its config.
      if ((flags & U) === 0) {
        flags |= obj.active ? VIR.NETWORK_UPDATE_AFFECT_LIVE : VIR.NETWORK_UPDATE_AFFECT_CONFIG;
      }
      // virNetworkObjUpdate: both copies are updated before either is kept.
      let config: NetworkDef | undefined;
      let live: NetworkDef | undefined;
      if (flags & VIR.NETWORK_UPDATE_AFFECT_CONFIG) {
        if (!obj.persistent) {
          throw VirError.report(
            "NETWORK",
            "OPERATION_INVALID",
            "cannot change persistent config of a transient network",
          );
        }
        config = structuredClone(obj.active ? obj.newDef ?? obj.def : obj.def);
        updateNetworkSection(config, command, section, parentIndex, xml);
      }
      if (flags & VIR.NETWORK_UPDATE_AFFECT_LIVE) {
        if (!obj.active) {
          throw VirError.report("NETWORK", "OPERATION_INVALID", "network is not running");
        }
        live = structuredClone(obj.def);
        updateNetworkSection(live, command, section, parentIndex, xml);
      }
      if (config && obj.active) obj.newDef = config;
      else if (config) obj.def = config;
      if (live) obj.def = live;
    },
    networkUndefine: (net) => {
      const obj = byName(net.name);
      if (obj.active) {
        throw VirError.report(F, "OPERATION_INVALID", `Network '${net.name}' is still running`);
      }
      emit(state, net, VIR.NETWORK_EVENT_UNDEFINED);
      state.networks.delete(obj);
    },
    networkCreate: (net) => {
      const obj = byName(net.name);
      if (obj.active) {
        throw VirError.report(F, "OPERATION_INVALID", `Network '${net.name}' is already running`);
      }
      obj.active = true;
      emit(state, obj, VIR.NETWORK_EVENT_STARTED);
    },
    networkDestroy: (net) => {
      const obj = byName(net.name);
      obj.active = false;
      emit(state, obj, VIR.NETWORK_EVENT_STOPPED);
      if (!obj.persistent) state.networks.delete(obj);
    },
    networkGetXMLDesc: (net, flags) => {
      checkFlags(flags, 0, "testNetworkGetXMLDesc", F);
      return formatNetworkXML(byName(net.name).def, flags);
    },
    networkGetBridgeName: (net) => {
      const obj = byName(net.name);
      const bridge = networkBridge(obj.def);
      if (!bridge) {
        throw VirError.report(
          F,
          "INTERNAL_ERROR",
          `network '${obj.name}' does not have a bridge name.`,
        );
      }
      return bridge;
    },
    networkGetAutostart: (net) => byName(net.name).autostart,
    networkSetAutostart: (net, autostart) => {
      byName(net.name).autostart = Boolean(autostart);
    },
  });
}
