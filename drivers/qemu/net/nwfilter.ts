/**
 * A NIC's `<filterref>` (libvirt's `virDomainConfNWFilterInstantiate` and
 * `virDomainConfNWFilterTeardown`, src/conf/domain_nwfilter.c): once the tap exists, the QEMU
 * driver opens the nwfilter driver of its own privilege and binds the filter to the tap
 * (`virNWFilterBindingCreateXML` of `virNWFilterBindingDefForNet`: the domain as owner, the tap
 * as port device, a macvtap's parent as link device, the NIC's MAC, filter and parameters); the
 * binding is deleted when the NIC goes. The nwfilter driver puts the rules on the tap, or refuses
 * with libvirt's error, and then the NIC never runs. A session's nwfilter driver refuses its URI
 * (recorded from libvirt 9.0's session daemon: 1/33); a daemon without an nwfilter driver has no
 * connection driver for `nwfilter:///system` (`virConnectOpen`'s 5/0).
 *
 * @module
 */
import type { DomainInterface } from "../../../conf/domain/def.ts";
import { formatNWFilterBindingXML, parseFilterParams } from "../../../conf/nwfilter/mod.ts";
import { VirError } from "../../../util/errors.ts";
import type { QemuSecondaries } from "../secondaries.ts";

/** The domain that owns a binding. */
export interface FilterOwner {
  name: string;
  uuid: string;
}

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
 * `virNWFilterBindingDefForNet` as the binding's XML.
 *
 * @example
 * ```ts
 * import { nicBindingXML } from "./nwfilter.ts";
 * import { element } from "../../../util/xml/mod.ts";
 * nicBindingXML({ name: "d", uuid: "5c6d49af-b071-6127-b4ec-6f8ed4b55335" }, {
 *   type: "bridge", mac: "52:54:00:00:00:01", target: "vnet0",
 *   extra: [element("filterref", { filter: "clean-traffic" })],
 * }, "vnet0");
 * ```
 */
export function nicBindingXML(owner: FilterOwner, net: DomainInterface, ifname: string): string {
  const filterref = net.extra.find((e) => e.name === "filterref")!;
  return formatNWFilterBindingXML({
    ownerName: owner.name,
    ownerUUID: owner.uuid,
    portdev: ifname,
    linkdev: net.type === "direct" ? net.source?.dev : undefined,
    mac: net.mac ?? "",
    filter: filterref.attributes.filter!,
    params: parseFilterParams(filterref),
  });
}

/**
 * Binds the NIC's filter to its tap `ifname`; the port device bound, undefined for a NIC without
 * a filter.
 *
 * @example
 * ```ts
 * import { instantiateNicFilter } from "./nwfilter.ts";
 * import { QemuSecondaries } from "../secondaries.ts";
 * await instantiateNicFilter({ name: "d", uuid: "5c6d49af-b071-6127-b4ec-6f8ed4b55335" },
 *   { type: "bridge", extra: [] }, "vnet0", true, new QemuSecondaries(undefined)); // undefined
 * ```
 */
export async function instantiateNicFilter(
  owner: FilterOwner,
  net: DomainInterface,
  ifname: string | undefined,
  privileged: boolean,
  secondaries: QemuSecondaries,
): Promise<string | undefined> {
  if (nicFilter(net) === undefined) return undefined;
  if (!privileged) {
    throw VirError.report(
      "NWFILTER",
      "INTERNAL_ERROR",
      "unexpected nwfilter URI path '/session', try nwfilter:///system",
    );
  }
  const portdev = ifname ?? "";
  await secondaries.call(
    "nwfilter",
    "nwfilterBindingCreateXML",
    nicBindingXML(owner, net, portdev),
    0,
  );
  return portdev;
}

/**
 * `virDomainConfNWFilterTeardownImpl`: the binding of `portdev` deleted; a binding that is gone
 * already is no error.
 *
 * @example
 * ```ts ignore
 * await teardownNicFilter("vnet0", secondaries);
 * ```
 */
export async function teardownNicFilter(
  portdev: string,
  secondaries: QemuSecondaries,
): Promise<void> {
  let ref;
  try {
    ref = await secondaries.call("nwfilter", "nwfilterBindingLookupByPortDev", portdev);
  } catch {
    return;
  }
  await secondaries.call("nwfilter", "nwfilterBindingDelete", ref);
}

/**
 * libvirt's `qemuDomainChangeNetFilter` for a live update that changes a running NIC's filter:
 * the old binding goes, the new one is made; when that fails, the old one is made again and
 * libvirt's words are reported over the nwfilter error.
 *
 * @example
 * ```ts ignore
 * await changeNicFilter(owner, old, net, true, secondaries);
 * ```
 */
export async function changeNicFilter(
  owner: FilterOwner,
  old: DomainInterface,
  net: DomainInterface,
  privileged: boolean,
  secondaries: QemuSecondaries,
): Promise<void> {
  if (nicFilter(old) !== undefined && old.target) await teardownNicFilter(old.target, secondaries);
  try {
    await instantiateNicFilter(owner, net, old.target, privileged, secondaries);
  } catch {
    const e = VirError.report(
      "QEMU",
      "OPERATION_FAILED",
      `failed to add new filter rules to '${
        old.target ?? "(null)"
      }' - attempting to restore old rules`,
    );
    await instantiateNicFilter(owner, old, old.target, privileged, secondaries).catch(() => {});
    throw e;
  }
}
