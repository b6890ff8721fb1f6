/**
 * libvirt's `virNetworkObj` and `virNetworkObjList` (src/conf/virnetworkobj.c): a network's
 * live and persistent definitions and flags, the duplicate rules of `virNetworkObjAssignDef`,
 * the filters of `virNetworkObjListExport` and `virNetworkObjUpdate`.
 *
 * @module
 */
import type { NetworkDef } from "../network/model.ts";
import { updateNetworkSection } from "../network/update.ts";
import { formatNetworkXML } from "../network/format.ts";
import { parseNetworkXML } from "../network/parse.ts";
import { VIR } from "../../util/constants.ts";
import { VirError } from "../../util/errors.ts";
import { pairFilter } from "./list_filter.ts";
import { UUIDObjList } from "./uuid_obj_list.ts";

const E = VIR;

/** A network (`virNetworkObj`). */
export interface NetworkObj {
  /** The live definition while active, else the persistent one. */
  def: NetworkDef;
  /** The persistent definition while a persistent network is active. */
  newDef?: NetworkDef;
  active: boolean;
  persistent: boolean;
  autostart: boolean;
}

/** Every filter `connectListAllNetworks` accepts (`VIR_CONNECT_LIST_NETWORKS_FILTERS_ALL`). */
export const NETWORK_LIST_FILTERS_ALL = E.CONNECT_LIST_NETWORKS_ACTIVE |
  E.CONNECT_LIST_NETWORKS_INACTIVE | E.CONNECT_LIST_NETWORKS_PERSISTENT |
  E.CONNECT_LIST_NETWORKS_TRANSIENT | E.CONNECT_LIST_NETWORKS_AUTOSTART |
  E.CONNECT_LIST_NETWORKS_NO_AUTOSTART;

/**
 * A driver's networks by UUID and name.
 *
 * @example
 * ```ts
 * import { NetworkObjList } from "./network_obj.ts";
 * declare const def: import("../network/model.ts").NetworkDef;
 * const nets = new NetworkObjList();
 * nets.assignDef(def, false).persistent; // true
 * ```
 */
export class NetworkObjList extends UUIDObjList<NetworkObj> {
  /**
   * `virNetworkObjAssignDef`: the network with this UUID (which must have this name) takes the
   * definition, else a new one is made unless another network has the name. A `live`
   * definition (create) refuses an active network and sets the configuration aside; a
   * configuration (define) makes the network persistent.
   */
  assignDef(def: NetworkDef, live: boolean): NetworkObj {
    const same = this.sameUUID(def, "network", "NETWORK", live);
    if (same) {
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
    return this.add({ def, active: false, persistent: !live, autostart: false });
  }

  /** `virNetworkObjListExport`: the networks matching the `VIR_CONNECT_LIST_NETWORKS_*` filters. */
  export(flags: number): NetworkObj[] {
    const pair = (yes: number, no: number, v: boolean) => pairFilter(flags, yes, no, v);
    return this.filter((n) =>
      pair(E.CONNECT_LIST_NETWORKS_ACTIVE, E.CONNECT_LIST_NETWORKS_INACTIVE, n.active) &&
      pair(E.CONNECT_LIST_NETWORKS_PERSISTENT, E.CONNECT_LIST_NETWORKS_TRANSIENT, n.persistent) &&
      pair(E.CONNECT_LIST_NETWORKS_AUTOSTART, E.CONNECT_LIST_NETWORKS_NO_AUTOSTART, n.autostart)
    );
  }
}

/** `virNetworkDefCopy`: a copy made by formatting and parsing, as libvirt copies definitions. */
const copyOf = (def: NetworkDef, xmlFlags: number) =>
  parseNetworkXML(formatNetworkXML(def, xmlFlags));

/**
 * `virNetworkObjUpdate` after the driver's AFFECT_CURRENT resolution (the live definition of a
 * running network, else its configuration). As libvirt's, each definition is updated on a
 * format/parse copy (what the XML cannot say, such as the forward devices of an isolated
 * network, is not in it) that must survive a second cycle, so that an update the parser would
 * refuse (a second forward device, DNS data in a disabled `<dns>`) is refused; both copies are
 * updated before either is kept, so a failing update changes no definition.
 *
 * @example
 * ```ts
 * import { updateNetworkObj } from "./network_obj.ts";
 * import { VIR } from "../../util/constants.ts";
 * declare const obj: import("./network_obj.ts").NetworkObj;
 * updateNetworkObj(obj, VIR.NETWORK_UPDATE_COMMAND_ADD_LAST, VIR.NETWORK_SECTION_IP_DHCP_HOST,
 *   -1, "<host mac='00:16:3e:77:e2:ed' ip='192.168.122.10'/>", 0);
 * ```
 */
export function updateNetworkObj(
  obj: NetworkObj,
  command: number,
  section: number,
  parentIndex: number,
  xml: string,
  flags: number,
): void {
  if ((flags & (E.NETWORK_UPDATE_AFFECT_LIVE | E.NETWORK_UPDATE_AFFECT_CONFIG)) === 0) {
    flags |= obj.active ? E.NETWORK_UPDATE_AFFECT_LIVE : E.NETWORK_UPDATE_AFFECT_CONFIG;
  }
  // virNetworkObjConfigChangeSetup
  if (flags & E.NETWORK_UPDATE_AFFECT_LIVE && !obj.active) {
    throw VirError.report("NETWORK", "OPERATION_INVALID", "network is not running");
  }
  if (flags & E.NETWORK_UPDATE_AFFECT_CONFIG) {
    if (!obj.persistent) {
      throw VirError.report(
        "NETWORK",
        "OPERATION_INVALID",
        "cannot change persistent config of a transient network",
      );
    }
    // The configuration is set apart before the update is tried, and stays so if it fails.
    if (obj.active && !obj.newDef) obj.newDef = copyOf(obj.def, E.NETWORK_XML_INACTIVE);
  }
  const updated = (def: NetworkDef, xmlFlags: number) => {
    const copy = copyOf(def, xmlFlags);
    updateNetworkSection(copy, command, section, parentIndex, xml);
    copyOf(copy, xmlFlags);
    return copy;
  };
  let config: NetworkDef | undefined;
  let live: NetworkDef | undefined;
  if (flags & E.NETWORK_UPDATE_AFFECT_LIVE) {
    live = updated(obj.def, 0);
    // libvirt's parser drops the count of connected guests, which its network driver then
    // loses; here it is kept (tests/drivers/network/known_differences.md).
    if (obj.def.connections !== undefined) live.connections = obj.def.connections;
  }
  // virNetworkObjGetPersistentDef: the set-apart configuration whenever there is one.
  if (flags & E.NETWORK_UPDATE_AFFECT_CONFIG) {
    config = updated(obj.newDef ?? obj.def, E.NETWORK_XML_INACTIVE);
  }
  if (config && obj.active) obj.newDef = config;
  else if (config) obj.def = config;
  if (live) obj.def = live;
}
