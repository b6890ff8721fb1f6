/**
 * A NIC's `<filterref>` at start and hotplug (libvirt's `virDomainConfNWFilterInstantiate`,
 * called once the tap exists). libvirt's QEMU driver opens the nwfilter driver of its own
 * privilege, `nwfilter:///system` or `nwfilter:///session`, and has it instantiate the filter on
 * the tap (`virNWFilterBindingCreateXML`). edgevirt's nwfilter driver keeps filters and bindings
 * but has no tech driver to put rules on a device, so a filtered NIC is refused with libvirt's
 * answer for where it stops: the session's nwfilter driver refuses its URI (recorded from libvirt
 * 9.0's session daemon: 1/33), a daemon without an nwfilter driver has no connection driver for
 * `nwfilter:///system` (`virConnectOpen`'s 5/0), and one with it has no ebiptables tech driver
 * for the tap, which exists (1/33). The NIC never runs unfiltered while its XML names a filter.
 *
 * @module
 */
import type { DomainInterface } from "../../../conf/domain/def.ts";
import { VirError } from "../../../util/errors.ts";
import type { QemuSecondaries } from "../secondaries.ts";

/**
 * The filter a NIC names, if any.
 *
 * @example
 * ```ts
 * import { nicFilter } from "./nwfilter.ts";
 * nicFilter({ type: "bridge", extra: [] }); // undefined
 * ```
 */
export function nicFilter(net: DomainInterface): string | undefined {
  return net.extra.find((e) => e.name === "filterref")?.attributes.filter;
}

/**
 * Instantiates the NIC's filter on its tap, which here is libvirt's refusal at the step it
 * cannot pass (see the module notes); a NIC without a filter passes.
 *
 * @example
 * ```ts
 * import { instantiateNicFilter } from "./nwfilter.ts";
 * import { QemuSecondaries } from "../secondaries.ts";
 * await instantiateNicFilter({ type: "bridge", extra: [] }, true, new QemuSecondaries(undefined));
 * ```
 */
export async function instantiateNicFilter(
  net: DomainInterface,
  privileged: boolean,
  secondaries: QemuSecondaries,
): Promise<void> {
  if (nicFilter(net) === undefined) return;
  if (privileged) {
    // virConnectOpen("nwfilter:///system") fails without the driver.
    await secondaries.get("nwfilter");
    throw VirError.report(
      "NWFILTER",
      "INTERNAL_ERROR",
      "Could not get access to ACL tech driver 'ebiptables'",
    );
  }
  throw VirError.report(
    "NWFILTER",
    "INTERNAL_ERROR",
    "unexpected nwfilter URI path '/session', try nwfilter:///system",
  );
}

/**
 * libvirt's `qemuDomainChangeNetFilter` for a live update that gives a running NIC a filter:
 * the new filter cannot be instantiated, which libvirt reports over the nwfilter error.
 *
 * @example
 * ```ts
 * import { changeNicFilter } from "./nwfilter.ts";
 * changeNicFilter({ type: "bridge", extra: [] }, "vnet0"); // no filter, no error
 * ```
 */
export function changeNicFilter(net: DomainInterface, oldIfname: string | undefined): void {
  if (nicFilter(net) === undefined) return;
  throw VirError.report(
    "QEMU",
    "OPERATION_FAILED",
    `failed to add new filter rules to '${
      oldIfname ?? "(null)"
    }' - attempting to restore old rules`,
  );
}
