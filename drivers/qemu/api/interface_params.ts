/**
 * The interface bandwidth calls of libvirt's QEMU driver (`qemuDomainGetInterfaceParameters`,
 * `qemuDomainSetInterfaceParameters`): a NIC's `<bandwidth>` read from the definition, and
 * changed live (the tap shaped again with `tc`, a network NIC's port told) and in the
 * persistent definition.
 *
 * @module
 */
import type { Bandwidth } from "../../../conf/common/bandwidth.ts";
import { portBandwidthParams } from "../../../conf/common/bandwidth.ts";
import type { DomainInterface } from "../../../conf/domain/def.ts";
import { netFind } from "../../../conf/domain/device_lookup.ts";
import {
  BANDWIDTH_PARAM_TYPES,
  bandwidthChange,
  bandwidthParams,
  mergeConfigBandwidth,
  mergeLiveBandwidth,
  nicBandwidth,
  setNicBandwidth,
} from "../../../conf/domain/nic_bandwidth.ts";
import { getDefs, getOneDef } from "../../../conf/objects/domain_obj.ts";
import { VIR } from "../../../util/constants.ts";
import type { TypedParams } from "../../../util/driver.ts";
import { checkFlags, VirError } from "../../../util/errors.ts";
import { clearBandwidth, setBandwidth, setRootQdisc } from "../../../util/netdev_bandwidth.ts";
import { validateTypedParams } from "../../../util/typed_params.ts";
import type { QemuDomainObj } from "../domain_private.ts";
import type { QemuDriverState } from "../driver_state.ts";
import { sharesHostView } from "../net/nics.ts";

const AFFECT = VIR.DOMAIN_AFFECT_LIVE | VIR.DOMAIN_AFFECT_CONFIG;

/** `virNetDevSupportsBandwidth`: the interface types libvirt shapes (a host-side netdev). */
const SHAPED_TYPES = new Set(["bridge", "network", "direct", "ethernet"]);

/**
 * `qemuDomainGetInterfaceParameters`: the seven bandwidth parameters of the interface (MAC
 * or target name) in the definition `flags` select.
 *
 * @example
 * ```ts ignore
 * getInterfaceParameters(obj, "vnet0", 0)["inbound.average"]; // 1000
 * ```
 */
export function getInterfaceParameters(
  obj: QemuDomainObj,
  device: string,
  flags: number,
): TypedParams {
  checkFlags(
    flags,
    AFFECT | VIR.TYPED_PARAM_STRING_OKAY,
    "qemuDomainGetInterfaceParameters",
    "QEMU",
  );
  const { def } = getOneDef(obj, flags & ~VIR.TYPED_PARAM_STRING_OKAY);
  return bandwidthParams(nicBandwidth(netFind(def, device)));
}

/** `virDomainNetBandwidthUpdate`: a network NIC's port gets the new bandwidth. */
async function updatePort(state: QemuDriverState, net: DomainInterface, bw: Bandwidth) {
  const s = state.secondaries;
  const network = await s.call("network", "networkLookupByName", net.source?.network ?? "");
  const port = await s.call(
    "network",
    "networkPortLookupByUUID",
    network,
    net.source?.portid ?? "",
  );
  await s.call("network", "networkPortSetParameters", port, portBandwidthParams(bw), 0);
}

/**
 * A running NIC's bandwidth replaced by `next` (undefined: none), as libvirt's
 * `qemuDomainSetInterfaceParameters` and `qemuDomainChangeNet` do it: a network NIC's port told
 * first (`virDomainNetBandwidthUpdate`: the network plugs, moves or unplugs the floor's class),
 * the tap shaped anew or cleared (on failure the old shaping and port bandwidth are put back,
 * as far as they go), `noqueue` again when nothing shapes the guest's inbound, the new
 * bandwidth in the live XML.
 *
 * @example
 * ```ts ignore
 * await applyLiveBandwidth(state, net, { inbound: { average: 1000, floor: 200 } });
 * ```
 */
export async function applyLiveBandwidth(
  state: QemuDriverState,
  net: DomainInterface,
  next: Bandwidth | undefined,
): Promise<void> {
  const old = nicBandwidth(net);
  // A network NIC has a port (its live type may be the network's bridge).
  const port = net.source?.portid !== undefined;
  if (port) await updatePort(state, net, next ?? {});
  const taps = state.nicContext.taps;
  const tc = (args: readonly string[]) => taps.tc(args);
  const opts = { privileged: taps.privileged, swapped: !sharesHostView(net) };
  try {
    if (next) await setBandwidth(tc, net.target, next, opts);
    else if (taps.privileged && net.target) await clearBandwidth(tc, net.target);
  } catch (err) {
    await setBandwidth(tc, net.target, old, opts).catch(() => {});
    if (old && port) await updatePort(state, net, old).catch(() => {});
    throw err;
  }
  // qemuDomainInterfaceSetDefaultQDisc: the tap's egress is unshaped again.
  if (!next?.inbound?.average && taps.privileged && net.target) {
    await setRootQdisc(tc, net.target, "noqueue");
  }
  setNicBandwidth(net, next?.inbound || next?.outbound ? next : undefined);
}

/**
 * The live half of `qemuDomainSetInterfaceParameters`: a floor on a NIC without a port
 * refused, else the merged bandwidth applied ({@link applyLiveBandwidth}).
 */
async function setLive(
  state: QemuDriverState,
  net: DomainInterface,
  change: ReturnType<typeof bandwidthChange>,
): Promise<void> {
  if (net.source?.portid === undefined && change.bandwidth.inbound?.floor) {
    throw VirError.report(
      "QEMU",
      "OPERATION_UNSUPPORTED",
      `Invalid use of 'floor' on interface with MAC address ${net.mac} - 'floor' is only supported for interface type 'network' with forward type 'nat', 'route', 'open' or none`,
    );
  }
  await applyLiveBandwidth(state, net, mergeLiveBandwidth(nicBandwidth(net), change));
}

/**
 * `qemuDomainSetInterfaceParameters`: the interface must be in every definition `flags`
 * select and be of a type libvirt shapes; "average or floor are mandatory" for a direction to
 * be set (one named with zero is removed).
 *
 * @example
 * ```ts ignore
 * await setInterfaceParameters(state, obj, "vnet0", { "inbound.average": 1000 }, VIR.DOMAIN_AFFECT_LIVE);
 * ```
 */
export async function setInterfaceParameters(
  state: QemuDriverState,
  obj: QemuDomainObj,
  device: string,
  params: TypedParams,
  flags: number,
): Promise<void> {
  checkFlags(flags, AFFECT, "qemuDomainSetInterfaceParameters", "QEMU");
  validateTypedParams(params, BANDWIDTH_PARAM_TYPES);
  await obj.job.run(async () => {
    const { live, config } = getDefs(obj, flags);
    const net = live && netFind(live, device);
    const persistentNet = config && netFind(config, device);
    const unshaped = [net, persistentNet].find((n) => n && !SHAPED_TYPES.has(n.type));
    if (unshaped) {
      throw VirError.report(
        "QEMU",
        "CONFIG_UNSUPPORTED",
        `setting bandwidth on interfaces of type '${unshaped.type}' is not implemented yet`,
      );
    }
    const change = bandwidthChange(params);
    if (net) {
      await setLive(state, net, change);
      await state.saveStatus(obj);
    }
    if (persistentNet) {
      setNicBandwidth(persistentNet, mergeConfigBandwidth(nicBandwidth(persistentNet), change));
      await state.saveConfig(obj);
    }
  });
}
