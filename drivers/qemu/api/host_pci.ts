/**
 * `nodeDeviceDettach`, `nodeDeviceDetachFlags`, `nodeDeviceReAttach` and `nodeDeviceReset` of
 * libvirt's QEMU driver (`qemu_driver.c` → `hypervisor/domain_driver.c` → `virhostdev.c`): the
 * device is looked up and described by the host's node-device driver, must have a PCI
 * capability, and goes to the host device manager, which knows the PCI devices of running
 * domains. Only VFIO assignment exists in libvirt 9.0: `"kvm"` gets its "no longer supported"
 * answer, and detaching needs an IOMMU (`/sys/kernel/iommu_groups` not empty) and
 * `/dev/vfio/vfio`. The libvirt test driver has none of these calls (the simulator answers
 * "not supported" as it does).
 *
 * The connection options `sysfsRoot` and `devRoot` put a fake tree in place of `/sys` and
 * `/dev` (tests): every write then lands in a plain file. What only the kernel does cannot show
 * there: loading the `vfio-pci` module (`modprobe` runs only for the host's own `/sys`), the
 * rebinding that follows `drivers_probe`, and the effect of a reset on the hardware.
 *
 * @module
 */
import { checkFlags, VirError } from "../../../util/errors.ts";
import type { NodeDeviceRef } from "../../../util/driver.ts";
import { child, children, childText, parse } from "../../../util/xml/mod.ts";
import { parsePciAddress } from "../../../conf/common/pci_address.ts";
import { isActive } from "../../../conf/objects/domain_obj.ts";
import type { PciAddress } from "../../../util/pci/address.ts";
import { pciName } from "../../../util/pci/address.ts";
import { HostdevManager, type PciUser } from "../../../util/pci/hostdev_manager.ts";
import type { Sysfs } from "../../../util/sysfs.ts";
import type { QemuDriverState } from "../driver_state.ts";

/**
 * `virDomainDriverNodeDeviceGetPCIInfo` over the node-device driver's XML of `dev`: the
 * address of its PCI capability, or libvirt's "not a PCI device".
 */
async function pciAddressOf(state: QemuDriverState, dev: NodeDeviceRef): Promise<PciAddress> {
  // libvirt asks the node-device driver afresh, as split daemons need.
  const found = await state.secondaries.call("nodedev", "nodeDeviceLookupByName", dev.name);
  const xml = await state.secondaries.call("nodedev", "nodeDeviceGetXMLDesc", found, 0);
  const cap = children(parse(xml), "capability").find((c) => c.attributes.type === "pci");
  if (!cap) {
    throw VirError.report("DOMAIN", "INVALID_ARG", `device ${found.name} is not a PCI device`);
  }
  const num = (name: string) => Number(childText(cap, name) ?? 0);
  return { domain: num("domain"), bus: num("bus"), slot: num("slot"), function: num("function") };
}

/**
 * `qemuHostdevUpdateActivePCIDevices`: the PCI host devices of running domains, by sysfs name.
 */
function activePciDevices(state: QemuDriverState): Map<string, PciUser> {
  const out = new Map<string, PciUser>();
  for (const obj of state.domains) {
    if (!isActive(obj)) continue;
    for (const dev of obj.def.devices.other) {
      if (dev.name !== "hostdev" || dev.attributes.type !== "pci") continue;
      const address = child(child(dev, "source"), "address");
      if (!address) continue;
      out.set(pciName(parsePciAddress(address)), { driver: "QEMU", domain: obj.def.name });
    }
  }
  return out;
}

/**
 * The host device manager of a QEMU driver state, keeping its inactive list under `runDir`.
 *
 * @example
 * ```ts ignore
 * const mgr = hostdevManager(state, new Sysfs(), "/run/edgevirt/qemu/run");
 * ```
 */
export function hostdevManager(state: QemuDriverState, sys: Sysfs, runDir: string): HostdevManager {
  return new HostdevManager(sys, {
    active: () => activePciDevices(state),
    stateFile: `${runDir}/hostdevmgr/pci_inactive.json`,
  });
}

/** `qemuHostdevHostSupportsPassthroughVFIO`: an IOMMU and the VFIO container device. */
function supportsVFIO(sys: Sysfs, devRoot: string): boolean {
  if (!sys.list("/sys/kernel/iommu_groups").length) return false;
  try {
    Deno.statSync(`${devRoot}/vfio/vfio`);
    return true;
  } catch {
    return false;
  }
}

/**
 * `qemuNodeDeviceDetachFlags` (and `qemuNodeDeviceDettach`, which passes no driver name).
 *
 * @example
 * ```ts ignore
 * await detachFlags(state, { name: "pci_0000_03_00_0" }, "vfio", 0);
 * ```
 */
export async function detachFlags(
  state: QemuDriverState,
  dev: NodeDeviceRef,
  driverName: string | null,
  flags: number,
): Promise<void> {
  checkFlags(flags, 0, "qemuNodeDeviceDetachFlags", "QEMU");
  const driver = driverName ?? "vfio";
  if (driver !== "vfio" && driver !== "kvm") {
    throw VirError.report("QEMU", "INVALID_ARG", `unknown driver name '${driver}'`);
  }
  if (driver === "kvm" || !supportsVFIO(state.hostdevs.sys, state.devRoot)) {
    const what = driver === "kvm"
      ? "KVM device assignment is no longer supported on this system"
      : "VFIO device assignment is currently not supported on this system";
    throw VirError.report("QEMU", "ARGUMENT_UNSUPPORTED", what);
  }
  await state.hostdevs.detach(await pciAddressOf(state, dev), "vfio-pci");
}

/**
 * `qemuNodeDeviceReAttach`.
 *
 * @example
 * ```ts ignore
 * await reAttach(state, { name: "pci_0000_03_00_0" });
 * ```
 */
export async function reAttach(state: QemuDriverState, dev: NodeDeviceRef): Promise<void> {
  await state.hostdevs.reattach(await pciAddressOf(state, dev));
}

/**
 * `qemuNodeDeviceReset`.
 *
 * @example
 * ```ts ignore
 * await reset(state, { name: "pci_0000_03_00_0" });
 * ```
 */
export async function reset(state: QemuDriverState, dev: NodeDeviceRef): Promise<void> {
  await state.hostdevs.reset(await pciAddressOf(state, dev));
}
