/**
 * The network port calls of libvirt's network driver (`networkPortCreateXML`,
 * `networkAllocatePort`, `networkReleasePort`, lookup, XML, parameters, delete): the port a
 * hypervisor driver asks for each guest NIC, filled in with how to plug it (`<plug
 * type='network' bridge='virbrN'/>` for the networks this driver makes, `type='bridge'` for
 * an existing host bridge), counted in the network's connections.
 *
 * @module
 */
import type { DriverConnection, NetworkPortRef, NetworkRef } from "../../util/driver.ts";
import { VIR } from "../../util/constants.ts";
import { checkFlags, VirError } from "../../util/errors.ts";
import { methodTable } from "../../util/method_table.ts";
import type { NetworkObj } from "../../conf/objects/network_obj.ts";
import {
  formatNetworkPortXML,
  type NetworkPortDef,
  parseNetworkPortXML,
} from "../../conf/network_port/mod.ts";
import { networkOf } from "./network_api.ts";
import type { NetworkState } from "./state.ts";
import {
  plugPortBandwidth,
  portBandwidthOf,
  unplugPortBandwidth,
  updatePortBandwidth,
} from "./port_bandwidth.ts";
import { portBandwidthParams } from "../../conf/common/bandwidth.ts";

const E = VIR;
const F = "NETWORK";

const notActive = (obj: NetworkObj) =>
  VirError.report(F, "OPERATION_INVALID", `network '${obj.def.name}' is not active`);

const unsupported = (msg: string) => VirError.report(F, "CONFIG_UNSUPPORTED", msg);

/** `networkAllocatePort` for the forward modes this driver runs. */
async function allocatePort(
  state: NetworkState,
  obj: NetworkObj,
  port: NetworkPortDef,
): Promise<void> {
  const def = obj.def;
  const group = def.portGroups.find((g) =>
    port.group !== undefined ? g.name === port.group : g.isDefault
  );
  if (!port.bandwidth && group?.bandwidth) port.bandwidth = structuredClone(group.bandwidth);
  if (!port.vlan?.tags.length) {
    const vlan = group?.vlan?.tags.length ? group.vlan : def.vlan;
    if (vlan?.tags.length) port.vlan = structuredClone(vlan);
  }
  port.trustGuestRxFilters ??= group?.trustGuestRxFilters ?? def.trustGuestRxFilters;
  port.isolatedPort ??= def.isolatedPort;
  port.virtualPort ??= group?.virtualPort ?? def.virtualPort;
  const mode = def.forward.mode;
  if (["none", "nat", "route", "open"].includes(mode)) {
    if (port.virtualPort) {
      throw unsupported(
        `<virtualport type='${port.virtualPort.type}'> not supported for network '${def.name}' which uses IP forwarding`,
      );
    }
    port.plug = {
      type: "network",
      bridge: def.bridge.name!,
      macTableManager: def.bridge.macTableManager,
    };
  } else if (mode === "bridge" && def.bridge.name) {
    if (port.virtualPort && port.virtualPort.type !== "openvswitch") {
      throw unsupported(
        `<virtualport type='${port.virtualPort.type}'> not supported for network '${def.name}' which uses a bridge device`,
      );
    }
    port.plug = {
      type: "bridge",
      bridge: def.bridge.name,
      macTableManager: def.bridge.macTableManager,
    };
  } else {
    throw unsupported(
      `network '${def.name}' with forward mode '${mode}' is not supported by this network driver`,
    );
  }
  // What the port asks but the host side here cannot set up is refused, not dropped (before
  // the floor is plugged, so that nothing is left of the port).
  if (port.vlan?.tags.length) {
    throw unsupported(
      `an interface connecting to network '${def.name}' is requesting a vlan tag, but that is not supported for this type of network`,
    );
  }
  if (port.virtualPort) {
    throw unsupported(
      `network port of '${port.ownerName}': <virtualport type='openvswitch'> is not supported by this network driver`,
    );
  }
  // networkPlugBandwidth: the tap's shaping is the hypervisor's, a floor the network's.
  await plugPortBandwidth(state, obj, port);
}

/** `networkNotifyPort`: a port a hypervisor already uses, taken back after a restart. */
function reclaimPort(obj: NetworkObj, port: NetworkPortDef): void {
  if (port.plug.type === "none") {
    throw VirError.report(F, "INTERNAL_ERROR", "Unexpectedly got a network port without a plug");
  }
  if ((port.plug.type === "network" || port.plug.type === "bridge") && !obj.def.bridge.name) {
    throw VirError.report(
      F,
      "INTERNAL_ERROR",
      "Unexpectedly got a network port without a network bridge",
    );
  }
}

/**
 * The network port calls of one network driver connection.
 *
 * @example
 * ```ts
 * import { portMethods } from "./port_api.ts";
 * declare const state: import("./state.ts").NetworkState;
 * const methods = portMethods(state);
 * ```
 */
export function portMethods(state: NetworkState): Partial<DriverConnection> {
  const ref = (obj: NetworkObj, uuid: string): NetworkPortRef => ({
    network: obj.def.name,
    uuid,
  });
  const portOf = (port: NetworkPortRef) => {
    const obj = state.networks.findByName(port.network);
    if (!obj) {
      throw VirError.report(F, "NO_NETWORK", `no network with matching name '${port.network}'`);
    }
    return { obj, port: lookup(obj, port.uuid) };
  };
  const lookup = (obj: NetworkObj, uuid: string) => {
    const p = state.portsOf(obj).get(uuid.toLowerCase());
    if (!p) {
      throw VirError.report(
        F,
        "NO_NETWORK_PORT",
        `Network port with UUID ${uuid.toLowerCase()} does not exist`,
      );
    }
    return p;
  };
  const active = (obj: NetworkObj) => {
    if (!obj.active) throw notActive(obj);
  };
  return methodTable({
    networkListAllPorts: (net: NetworkRef, flags) => {
      checkFlags(flags, 0, "networkListAllPorts", F);
      const obj = networkOf(state, net);
      active(obj);
      return [...state.portsOf(obj).keys()].map((uuid) => ref(obj, uuid));
    },
    networkPortLookupByUUID: (net: NetworkRef, uuid) => {
      const obj = networkOf(state, net);
      const port = lookup(obj, uuid);
      active(obj);
      return ref(obj, port.uuid);
    },
    networkPortCreateXML: async (net: NetworkRef, xml, flags) => {
      checkFlags(
        flags,
        E.NETWORK_PORT_CREATE_RECLAIM | E.NETWORK_PORT_CREATE_VALIDATE,
        "networkPortCreateXML",
        F,
      );
      const obj = networkOf(state, net);
      const port = parseNetworkPortXML(xml, flags);
      active(obj);
      const reclaim = (flags & E.NETWORK_PORT_CREATE_RECLAIM) !== 0;
      if (port.plug.type === "none" && reclaim) {
        throw VirError.report(F, "INVALID_ARG", "Port reclaim requested but plug type is none");
      }
      if (port.plug.type !== "none" && !reclaim) {
        throw VirError.report(
          F,
          "INVALID_ARG",
          "Port reclaim not requested but plug type is not none",
        );
      }
      if (reclaim) reclaimPort(obj, port);
      else await allocatePort(state, obj, port);
      try {
        await state.addPort(obj, port);
      } catch (e) {
        // networkReleasePort: the floor's class goes with the port that could not be kept.
        await unplugPortBandwidth(state, obj, port).catch(() => {});
        throw e;
      }
      obj.def.connections = (obj.def.connections ?? 0) + 1;
      await state.saveStatus(obj);
      return ref(obj, port.uuid);
    },
    networkPortGetXMLDesc: (p: NetworkPortRef, flags) => {
      checkFlags(flags, 0, "networkPortGetXMLDesc", F);
      const { obj, port } = portOf(p);
      active(obj);
      return formatNetworkPortXML(port);
    },
    networkPortGetParameters: (p: NetworkPortRef, flags) => {
      checkFlags(flags, 0, "networkPortGetParameters", F);
      const { obj, port } = portOf(p);
      active(obj);
      return portBandwidthParams(port.bandwidth);
    },
    networkPortSetParameters: async (p: NetworkPortRef, params, flags) => {
      checkFlags(flags, 0, "networkPortSetParameters", F);
      const { obj, port } = portOf(p);
      active(obj);
      await updatePortBandwidth(state, obj, port, portBandwidthOf(params));
      await state.savePort(obj, port);
    },
    networkPortDelete: async (p: NetworkPortRef, flags) => {
      checkFlags(flags, 0, "networkPortDelete", F);
      const { obj, port } = portOf(p);
      active(obj);
      // networkReleasePort: a port on the bridge gives its floor's class back.
      if (port.plug.type === "network" || port.plug.type === "bridge") {
        await unplugPortBandwidth(state, obj, port);
      }
      await state.deletePort(obj, port.uuid);
      obj.def.connections = Math.max(0, (obj.def.connections ?? 1) - 1);
      await state.saveStatus(obj);
    },
  });
}
