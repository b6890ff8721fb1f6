/**
 * A network port's bandwidth as libvirt's network driver handles it (`networkCheckBandwidth`,
 * `networkPlugBandwidth`, `networkUnplugBandwidth`, `networkUpdatePortBandwidth`,
 * `networkPortSetParameters`). The tap's own shaping is the hypervisor driver's; what the
 * network adds is `floor`, a guaranteed share of the network's inbound QoS: each port with one
 * gets its own HTB class `1:N` under the bridge's 1:1 (N from the network's class IDs), and the
 * default class 1:2 of unguaranteed traffic keeps what the floors leave of the network's rate.
 *
 * @module
 */
import type { Bandwidth } from "../../conf/common/bandwidth.ts";
import type { NetworkDef } from "../../conf/network/mod.ts";
import type { NetworkPortDef } from "../../conf/network_port/mod.ts";
import type { NetworkObj } from "../../conf/objects/network_obj.ts";
import type { TypedParams } from "../../util/driver.ts";
import { VirError } from "../../util/errors.ts";
import {
  plugBandwidth,
  unplugBandwidth,
  updateBandwidthRate,
} from "../../util/netdev_bandwidth.ts";
import { nextClassId } from "./floor_state.ts";
import type { NetworkState } from "./state.ts";

/** `virNetDevBandwidthSupportsFloor`: the forward modes whose bridge the network shapes. */
const FLOOR_MODES = new Set(["none", "nat", "route", "open"]);

const floorOf = (bw: Bandwidth | undefined) => bw?.inbound?.floor ?? 0;

/**
 * `networkCheckBandwidth`: whether `bw` (replacing `old`, for a port already plugged) fits the
 * network. A floor where the forward mode or the network's missing inbound QoS allows none,
 * or a sum of floors over the network's inbound peak (else average), gets libvirt's refusal;
 * without a floor, old or new, there is nothing to do (undefined); else the answer is the
 * rate the network's 1:2 class is computed from (its inbound peak, else average).
 *
 * @example
 * ```ts
 * import { checkBandwidth } from "./port_bandwidth.ts";
 * import type { NetworkDef } from "../../conf/network/mod.ts";
 * declare const def: NetworkDef;
 * checkBandwidth(def, 0, "52:54:00:00:00:01", { inbound: { average: 10 } }); // undefined
 * ```
 */
export function checkBandwidth(
  def: NetworkDef,
  floorSum: number,
  mac: string,
  bw: Bandwidth | undefined,
  old?: Bandwidth,
): number | undefined {
  const prefix = `Invalid use of 'floor' on interface with MAC address ${mac} - `;
  const net = def.bandwidth?.inbound;
  if (floorOf(bw) && !FLOOR_MODES.has(def.forward.mode)) {
    throw VirError.report(
      "NETWORK",
      "OPERATION_UNSUPPORTED",
      `${prefix}'floor' is only supported for interface type 'network' with forward type 'nat', 'route', 'open' or none`,
    );
  }
  if (floorOf(bw) && !net) {
    throw VirError.report(
      "NETWORK",
      "OPERATION_UNSUPPORTED",
      `${prefix}network '${def.name}' has no inbound QoS set`,
    );
  }
  if (!net || (!floorOf(bw) && !floorOf(old))) return undefined;
  const sum = floorSum - floorOf(old) + floorOf(bw);
  const [limit, name] = net.peak ? [net.peak, "peak"] : [net.average ?? 0, "average"];
  if (sum > limit) {
    throw VirError.report(
      "NETWORK",
      "OPERATION_INVALID",
      `Cannot plug '${mac}' interface into '${def.bridge.name}' because new combined inbound floor=${sum} would overcommit ${name}=${limit} on network '${def.name}'`,
    );
  }
  return limit;
}

/** The port's class on the bridge (libvirt's `class_id`; 0: none), kept with its bandwidth. */
function setClassId(port: NetworkPortDef, id: number): void {
  if (!port.bandwidth) return;
  if (id) port.bandwidth.classID = id;
  else delete port.bandwidth.classID;
}

/**
 * `virNetDevBandwidthUpdateRate` of the 1:2 class after a plug or unplug: a failure is only
 * libvirt's warning ("Unable to update rate for 1:2 class"), the port's class stays.
 */
async function updateDefaultRate(state: NetworkState, obj: NetworkObj, rate: number) {
  const def = obj.def;
  await updateBandwidthRate(state.tc, def.bridge.name!, 2, def.bandwidth!, rate).catch(() => {});
}

/**
 * `networkPlugBandwidthImpl`: the next class ID taken (and kept even when the plug fails, as
 * libvirt's bitmap keeps it), the class plugged (unplugged again on failure), the floor added
 * to the network's sum and saved in its status, the 1:2 class given what is left of `rate`.
 */
async function plugImpl(
  state: NetworkState,
  obj: NetworkObj,
  port: NetworkPortDef,
  rate: number,
): Promise<void> {
  const def = obj.def;
  const br = def.bridge.name!;
  const qos = state.qosOf(obj);
  const id = nextClassId(qos);
  try {
    await plugBandwidth(state.tc, br, def.bandwidth, port.mac, port.bandwidth!, id);
  } catch (e) {
    await unplugBandwidth(state.tc, br, id);
    throw e;
  }
  setClassId(port, id);
  qos.floorSum += floorOf(port.bandwidth);
  try {
    await state.saveStatus(obj);
  } catch (e) {
    qos.classIds.delete(id);
    qos.floorSum -= floorOf(port.bandwidth);
    setClassId(port, 0);
    await unplugBandwidth(state.tc, br, id);
    throw e;
  }
  await updateDefaultRate(state, obj, rate - qos.floorSum);
}

/**
 * `networkPlugBandwidth`: a new port's floor checked and, if the network has inbound QoS to
 * share, plugged into its own class on the bridge.
 *
 * @example
 * ```ts
 * import { plugPortBandwidth } from "./port_bandwidth.ts";
 * declare const state: import("./state.ts").NetworkState;
 * declare const obj: import("../../conf/objects/network_obj.ts").NetworkObj;
 * declare const port: import("../../conf/network_port/mod.ts").NetworkPortDef;
 * await plugPortBandwidth(state, obj, port);
 * ```
 */
export async function plugPortBandwidth(
  state: NetworkState,
  obj: NetworkObj,
  port: NetworkPortDef,
): Promise<void> {
  const rate = checkBandwidth(obj.def, state.qosOf(obj).floorSum, port.mac, port.bandwidth);
  if (rate !== undefined) await plugImpl(state, obj, port, rate);
}

/**
 * `networkUnplugBandwidth`: a port's class (if it has one) removed from the bridge, its floor
 * taken from the network's sum and its class ID freed, the 1:2 class given the rest back.
 *
 * @example
 * ```ts
 * import { unplugPortBandwidth } from "./port_bandwidth.ts";
 * declare const state: import("./state.ts").NetworkState;
 * declare const obj: import("../../conf/objects/network_obj.ts").NetworkObj;
 * declare const port: import("../../conf/network_port/mod.ts").NetworkPortDef;
 * await unplugPortBandwidth(state, obj, port);
 * ```
 */
export async function unplugPortBandwidth(
  state: NetworkState,
  obj: NetworkObj,
  port: NetworkPortDef,
): Promise<void> {
  const id = port.bandwidth?.classID;
  const net = obj.def.bandwidth?.inbound;
  // libvirt warns "Network … has no bandwidth but unplug requested" and goes on.
  if (!id || !net) return;
  const qos = state.qosOf(obj);
  await unplugBandwidth(state.tc, obj.def.bridge.name!, id);
  qos.floorSum -= floorOf(port.bandwidth);
  qos.classIds.delete(id);
  try {
    await state.saveStatus(obj);
  } catch (e) {
    qos.floorSum += floorOf(port.bandwidth);
    qos.classIds.add(id);
    throw e;
  }
  await updateDefaultRate(state, obj, (net.peak || net.average || 0) - qos.floorSum);
  setClassId(port, 0);
}

/**
 * `networkUpdatePortBandwidth`: a plugged port's bandwidth replaced by `bw`. Only a changed
 * floor concerns the network: a floor that changes moves its class's rate (put back if the
 * 1:2 class cannot follow), a new one is plugged, a removed one unplugged. The port takes `bw`
 * (with its class, if it keeps one) once the network has agreed.
 *
 * @example
 * ```ts
 * import { updatePortBandwidth } from "./port_bandwidth.ts";
 * declare const state: import("./state.ts").NetworkState;
 * declare const obj: import("../../conf/objects/network_obj.ts").NetworkObj;
 * declare const port: import("../../conf/network_port/mod.ts").NetworkPortDef;
 * await updatePortBandwidth(state, obj, port, { inbound: { floor: 100 } });
 * ```
 */
export async function updatePortBandwidth(
  state: NetworkState,
  obj: NetworkObj,
  port: NetworkPortDef,
  bw: Bandwidth,
): Promise<void> {
  const old = port.bandwidth;
  const [oldFloor, newFloor] = [floorOf(old), floorOf(bw)];
  const rate = oldFloor === newFloor
    ? undefined
    : checkBandwidth(obj.def, state.qosOf(obj).floorSum, port.mac, bw, old);
  const classID = old?.classID;
  if (rate === undefined) {
    port.bandwidth = classID ? { ...bw, classID } : bw;
  } else if (oldFloor && newFloor) {
    const def = obj.def;
    const br = def.bridge.name!;
    const qos = state.qosOf(obj);
    await updateBandwidthRate(state.tc, br, classID!, def.bandwidth!, newFloor);
    qos.floorSum += newFloor - oldFloor;
    try {
      await updateBandwidthRate(state.tc, br, 2, def.bandwidth!, rate - qos.floorSum);
      await state.saveStatus(obj);
    } catch (e) {
      qos.floorSum -= newFloor - oldFloor;
      await updateBandwidthRate(state.tc, br, classID!, def.bandwidth!, oldFloor).catch(() => {});
      throw e;
    }
    port.bandwidth = { ...bw, classID };
  } else if (newFloor) {
    port.bandwidth = bw;
    try {
      await plugImpl(state, obj, port, rate);
    } catch (e) {
      port.bandwidth = old;
      throw e;
    }
  } else {
    await unplugPortBandwidth(state, obj, port);
    port.bandwidth = bw;
  }
}

/**
 * `networkPortSetParameters`' bandwidth: a direction without an average (inbound: nor a
 * floor) is left out; it replaces the port's.
 *
 * @example
 * ```ts
 * import { portBandwidthOf } from "./port_bandwidth.ts";
 * portBandwidthOf({ "inbound.average": 10 }); // { inbound: { average: 10, peak: 0, burst: 0, floor: 0 } }
 * ```
 */
export function portBandwidthOf(params: TypedParams): Bandwidth {
  const num = (name: string) => Number(params[name] ?? 0);
  const inbound = {
    average: num("inbound.average"),
    peak: num("inbound.peak"),
    burst: num("inbound.burst"),
    floor: num("inbound.floor"),
  };
  const outbound = {
    average: num("outbound.average"),
    peak: num("outbound.peak"),
    burst: num("outbound.burst"),
  };
  const bw: Bandwidth = {};
  if (inbound.average || inbound.floor) bw.inbound = inbound;
  if (outbound.average) bw.outbound = outbound;
  return bw;
}
