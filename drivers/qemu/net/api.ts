/**
 * The QEMU driver's entry points about NICs on the host's networks.
 *
 * @module
 */
import { VIR } from "../../../util/constants.ts";
import { checkActive } from "../../../conf/objects/domain_obj.ts";
import { checkFlags, VirError } from "../../../util/errors.ts";
import type { QemuDomainObj } from "../domain_private.ts";
import type { QemuDriverState } from "../driver_state.ts";
import { agentInterfaces } from "../agent/agent_api.ts";
import { arpAddresses, leaseAddresses } from "./addresses.ts";

/**
 * libvirt's `qemuDomainInterfaceAddresses`: the domain must run; LEASE asks the network driver,
 * ARP reads the host's neighbour table, AGENT asks the guest agent.
 *
 * @example
 * ```ts
 * import { domainInterfaceAddresses } from "./api.ts";
 * import type { QemuDriverState } from "../driver_state.ts";
 * import type { QemuDomainObj } from "../domain_private.ts";
 * declare const state: QemuDriverState, obj: QemuDomainObj;
 * await domainInterfaceAddresses(state, obj, 0, 0);
 * ```
 */
export async function domainInterfaceAddresses(
  state: QemuDriverState,
  obj: QemuDomainObj,
  source: number,
  flags: number,
): Promise<unknown[]> {
  checkFlags(flags, 0, "qemuDomainInterfaceAddresses", "QEMU");
  checkActive(obj);
  switch (source) {
    case VIR.DOMAIN_INTERFACE_ADDRESSES_SRC_LEASE:
      return await leaseAddresses(obj.def, state.secondaries);
    case VIR.DOMAIN_INTERFACE_ADDRESSES_SRC_AGENT:
      return await agentInterfaces(obj);
    case VIR.DOMAIN_INTERFACE_ADDRESSES_SRC_ARP:
      return await arpAddresses(obj.def);
    default:
      throw VirError.report(
        "QEMU",
        "ARGUMENT_UNSUPPORTED",
        `Unknown IP address data source ${source}`,
      );
  }
}
