/**
 * Virtual networks of libvirt's test driver: define, create, start, stop, undefine, autostart,
 * bridge name, XML and the lifecycle events they emit.
 *
 * @module
 */
import type { DriverConnection, NetworkRef } from "../../util/driver.ts";
import { VIR } from "../../util/constants.ts";
import { checkFlags, VirError } from "../../util/errors.ts";
import { type NetworkObj, updateNetworkObj } from "../../conf/objects/network_obj.ts";
import { networkListCalls } from "../../conf/objects/network_list_calls.ts";
import { orNotFound } from "../../conf/objects/not_found.ts";
import { formatNetworkXML, parseNetworkXML } from "./conf_adapters.ts";
import type { TestDriverState } from "./driver_state.ts";
import { methodTable } from "../../util/method_table.ts";
import { networkBridge } from "./object_info.ts";

const F = "TEST";

function emit(state: TestDriverState, ref: NetworkRef, event: number): void {
  state.emit({
    family: "network",
    eventId: VIR.NETWORK_EVENT_ID_LIFECYCLE,
    ref: { name: ref.name, uuid: ref.uuid },
    data: { event, detail: 0 },
  });
}

const ref = (n: NetworkObj): NetworkRef => ({ name: n.def.name, uuid: n.def.uuid });

/**
 * `testNetworkObjFindByName`: the network, or libvirt's "no network with matching name".
 *
 * @example
 * ```ts
 * import { networkByName } from "./network_api.ts";
 * declare const state: import("./driver_state.ts").TestDriverState;
 * networkByName(state, "default").active;
 * ```
 */
export function networkByName(state: TestDriverState, name: string): NetworkObj {
  return orNotFound(
    state.networks.findByName(name),
    F,
    "NO_NETWORK",
    `no network with matching name '${name}'`,
  );
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
  const byName = (name: string) => networkByName(state, name);
  const byUUID = (uuid: string) =>
    orNotFound(
      state.networks.findByUUID(uuid),
      F,
      "NO_NETWORK",
      `no network with matching uuid '${uuid.toLowerCase()}'`,
    );
  return methodTable({
    ...networkListCalls(state.networks, "testConnectListAllNetworks", F),
    networkLookupByName: (name) => ref(byName(name)),
    networkLookupByUUID: (uuid) => ref(byUUID(uuid)),
    networkIsActive: (net) => byUUID(net.uuid).active,
    networkIsPersistent: (net) => byUUID(net.uuid).persistent,
    networkCreateXML: (xml, flags) => {
      checkFlags(flags, VIR.NETWORK_CREATE_VALIDATE, "testNetworkCreateXMLFlags", F);
      const validate = flags & VIR.NETWORK_CREATE_VALIDATE ? VIR.NETWORK_DEFINE_VALIDATE : 0;
      const obj = state.networks.assignDef(parseNetworkXML(xml, validate), true);
      obj.active = true;
      emit(state, ref(obj), VIR.NETWORK_EVENT_STARTED);
      return ref(obj);
    },
    networkDefineXMLFlags: (xml, flags) => {
      checkFlags(flags, VIR.NETWORK_DEFINE_VALIDATE, "testNetworkDefineXMLFlags", F);
      const obj = state.networks.assignDef(parseNetworkXML(xml, flags), false);
      emit(state, ref(obj), VIR.NETWORK_EVENT_DEFINED);
      return ref(obj);
    },
    networkUpdate: (net, command, section, parentIndex, xml, flags) => {
      const U = VIR.NETWORK_UPDATE_AFFECT_LIVE | VIR.NETWORK_UPDATE_AFFECT_CONFIG;
      checkFlags(flags, U, "testNetworkUpdate", F);
      updateNetworkObj(byUUID(net.uuid), command, section, parentIndex, xml, flags);
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
      emit(state, ref(obj), VIR.NETWORK_EVENT_STARTED);
    },
    networkDestroy: (net) => {
      const obj = byName(net.name);
      obj.active = false;
      emit(state, ref(obj), VIR.NETWORK_EVENT_STOPPED);
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
          `network '${obj.def.name}' does not have a bridge name.`,
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
