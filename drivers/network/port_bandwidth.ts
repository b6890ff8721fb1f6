/**
 * A network port's bandwidth as libvirt's network driver handles it (`networkCheckBandwidth`,
 * `networkPortGetParameters`, `networkPortSetParameters`). The tap's own shaping is the
 * hypervisor driver's; what the network adds is `floor`, a guaranteed share of the network's
 * inbound QoS, which this driver checks as libvirt does but does not plug (see
 * {@link checkPortFloor}).
 *
 * @module
 */
import type { Bandwidth } from "../../conf/common/bandwidth.ts";
import type { NetworkDef } from "../../conf/network/mod.ts";
import type { TypedParams } from "../../util/driver.ts";
import { VirError } from "../../util/errors.ts";

/** `virNetDevBandwidthSupportsFloor`: the forward modes whose bridge the network shapes. */
const FLOOR_MODES = new Set(["none", "nat", "route", "open"]);

/**
 * `networkCheckBandwidth` for this driver's networks: a floor where the forward mode or the
 * network's missing inbound QoS allows none, or one that would overcommit the network's inbound
 * (no floor is ever plugged here, so the port's own is the sum), gets libvirt's refusal; any
 * other floor would need a class of its own on the bridge (`virNetDevBandwidthPlug`), which
 * this driver does not make, and is refused as unsupported.
 *
 * @example
 * ```ts
 * import { checkPortFloor } from "./port_bandwidth.ts";
 * import type { NetworkDef } from "../../conf/network/mod.ts";
 * declare const def: NetworkDef;
 * checkPortFloor(def, "52:54:00:00:00:01", { inbound: { average: 10 } }); // no floor: fine
 * ```
 */
export function checkPortFloor(def: NetworkDef, mac: string, bw: Bandwidth | undefined): void {
  const floor = bw?.inbound?.floor;
  if (!floor) return;
  const prefix = `Invalid use of 'floor' on interface with MAC address ${mac} - `;
  const net = def.bandwidth?.inbound;
  if (!FLOOR_MODES.has(def.forward.mode) || !net) {
    const message = FLOOR_MODES.has(def.forward.mode)
      ? `${prefix}network '${def.name}' has no inbound QoS set`
      : `${prefix}'floor' is only supported for interface type 'network' with forward type 'nat', 'route', 'open' or none`;
    throw VirError.report("NETWORK", "OPERATION_UNSUPPORTED", message);
  }
  const [limit, name] = net.peak ? [net.peak, "peak"] : [net.average ?? 0, "average"];
  if (floor > limit) {
    throw VirError.report(
      "NETWORK",
      "OPERATION_INVALID",
      `Cannot plug '${mac}' interface into '${def.bridge.name}' because new combined inbound floor=${floor} would overcommit ${name}=${limit} on network '${def.name}'`,
    );
  }
  throw VirError.report(
    "NETWORK",
    "CONFIG_UNSUPPORTED",
    `network '${def.name}': a port's inbound floor (its own class on the bridge) is not supported by this network driver`,
  );
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
