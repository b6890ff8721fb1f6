/**
 * A NIC's `<filterref>` at start and hotplug (libvirt's `virDomainConfNWFilterInstantiate`,
 * called once the tap exists). libvirt's QEMU driver opens the nwfilter driver of its own
 * privilege, `nwfilter:///system` or `nwfilter:///session`, and has it instantiate the filter on
 * the tap. edgevirt has no nwfilter driver that instantiates rules, so a filtered NIC is refused
 * with the answer libvirt gives when that open fails: the session's nwfilter driver refuses its
 * URI (recorded from libvirt 9.0's session daemon: 1/33), a daemon without an nwfilter driver
 * has no connection driver for `nwfilter:///system` (`virConnectOpen`'s 5/0). The NIC never runs
 * unfiltered while its XML names a filter.
 *
 * @module
 */
import type { DomainInterface } from "../../../conf/domain/def.ts";
import { VirError } from "../../../util/errors.ts";

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
 * Instantiates the NIC's filter on its tap, which here is libvirt's refusal to open the
 * nwfilter driver of the daemon's privilege; a NIC without a filter passes.
 *
 * @example
 * ```ts
 * import { instantiateNicFilter } from "./nwfilter.ts";
 * instantiateNicFilter({ type: "bridge", extra: [] }, true); // no filter, no error
 * ```
 */
export function instantiateNicFilter(net: DomainInterface, privileged: boolean): void {
  if (nicFilter(net) === undefined) return;
  if (privileged) throw VirError.report("NONE", "NO_CONNECT", "nwfilter:///system");
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
