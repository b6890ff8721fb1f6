/**
 * libvirt's `virHostdevManager` for PCI node devices (`virhostdev.c`): the *active* devices
 * (assigned to running domains, given by the hypervisor driver as it knows its domains) and the
 * *inactive* ones (detached from their host driver and bound to the stub, waiting for a
 * domain). Detach binds a device to `vfio-pci` and adds it to the inactive list, reattach lifts
 * the stub binding (an empty `driver_override`, so the kernel's probe gives the device back to
 * its own driver) and removes it, reset resets it; a device a domain uses is refused. libvirt
 * keeps the inactive list in memory only; here it is kept in a state file, so a restarted
 * driver still knows what it detached.
 *
 * libvirt's ACS and IOMMU-group checks (`virPCIDeviceIsAssignable`, the group's devices) run
 * when a domain starts with a host device, not on these calls, so they are not here.
 *
 * @module
 */
import { VirError } from "../errors.ts";
import type { Sysfs } from "../sysfs.ts";
import type { PciAddress } from "./address.ts";
import { PCI_SYSFS, PciDevice } from "./pci_device.ts";
import { resetPciDevice } from "./pci_reset.ts";

/** Who uses an active device (libvirt's `used_by_drvname`, `used_by_domname`). */
export interface PciUser {
  /** The hypervisor driver (`QEMU`). */
  driver: string;
  /** The domain's name. */
  domain: string;
}

/** Where a {@link HostdevManager} keeps its state and learns what domains use. */
export interface HostdevManagerOptions {
  /** The PCI devices running domains use, by sysfs name (`0000:03:00.0`). */
  active: () => ReadonlyMap<string, PciUser>;
  /** The file the inactive list is kept in (libvirt's `hostdevmgr` state directory). */
  stateFile: string;
}

/** `modprobe -b NAME` (libvirt's `virKModLoad`): whether it succeeded. */
async function modprobe(name: string): Promise<boolean> {
  try {
    const out = await new Deno.Command("modprobe", { args: ["-b", name], stderr: "null" })
      .output();
    return out.success;
  } catch {
    return false;
  }
}

/** `virKModIsProhibited`: whether modprobe's configuration blacklists the module. */
async function prohibited(name: string): Promise<boolean> {
  try {
    const out = await new Deno.Command("modprobe", { args: ["-c"], stderr: "null" }).output();
    return new TextDecoder().decode(out.stdout).includes(
      `blacklist ${name.replaceAll("-", "_")}\n`,
    );
  } catch {
    return false;
  }
}

/**
 * The PCI part of a host device manager.
 *
 * @example
 * ```ts
 * import { HostdevManager } from "./hostdev_manager.ts";
 * import { Sysfs } from "../sysfs.ts";
 * const mgr = new HostdevManager(new Sysfs({ root: "/tmp/fake-sys" }), {
 *   active: () => new Map(),
 *   stateFile: "/tmp/hostdevmgr/pci_inactive.json",
 * });
 * mgr.inactive(); // the devices detached so far
 * ```
 */
export class HostdevManager {
  readonly #opts: HostdevManagerOptions;
  #inactive: Set<string>;

  constructor(readonly sys: Sysfs, options: HostdevManagerOptions) {
    this.#opts = options;
    let saved: unknown = [];
    try {
      saved = JSON.parse(Deno.readTextFileSync(options.stateFile));
    } catch {
      // No state yet (or a damaged one): nothing is detached as far as this manager knows.
    }
    this.#inactive = new Set(
      Array.isArray(saved) ? saved.filter((n) => typeof n === "string") : [],
    );
  }

  /** The names of the devices detached and not yet reattached. */
  inactive(): string[] {
    return [...this.#inactive].sort();
  }

  /** `virHostdevPCINodeDeviceDetach`: binds the device to `stub` (`vfio-pci`). */
  async detach(address: PciAddress, stub: string): Promise<void> {
    const dev = PciDevice.open(this.sys, address);
    this.#checkUnused(dev);
    await this.#probeStub(stub);
    dev.bindToStub(stub);
    this.#inactive.add(dev.name);
    await this.#save();
  }

  /** `virHostdevPCINodeDeviceReAttach`: gives the device back to its host driver. */
  async reattach(address: PciAddress): Promise<void> {
    const dev = PciDevice.open(this.sys, address);
    this.#checkUnused(dev);
    dev.bindWithDriverOverride("\n");
    this.#inactive.delete(dev.name);
    await this.#save();
  }

  /** `virHostdevPCINodeDeviceReset`. */
  async reset(address: PciAddress): Promise<void> {
    const dev = PciDevice.open(this.sys, address);
    await resetPciDevice(dev, new Set(this.#opts.active().keys()), this.#inactive);
  }

  /** `virHostdevIsPCINodeDeviceUsed`. */
  #checkUnused(dev: PciDevice): void {
    const user = this.#opts.active().get(dev.name);
    if (!user) return;
    throw VirError.report(
      "NONE",
      "OPERATION_INVALID",
      `PCI device ${dev.name} is in use by driver ${user.driver}, domain ${user.domain}`,
    );
  }

  /**
   * `virPCIProbeStubDriver`: the stub's driver directory, loading its module if needed. Only
   * for the host's own `/sys`: a fake tree has no kernel behind it to load a module into.
   */
  async #probeStub(stub: string): Promise<void> {
    const dir = `${PCI_SYSFS}/drivers/${stub}`;
    if (this.sys.exists(dir)) return;
    const host = this.sys.root === "/sys";
    if (host && await modprobe(stub) && this.sys.exists(dir)) return;
    const banned = host && await prohibited(stub);
    throw VirError.report(
      "NONE",
      "INTERNAL_ERROR",
      `Failed to load PCI stub module ${stub}${banned ? ": administratively prohibited" : ""}`,
    );
  }

  async #save(): Promise<void> {
    const file = this.#opts.stateFile;
    await Deno.mkdir(file.slice(0, file.lastIndexOf("/")) || "/", { recursive: true });
    await Deno.writeTextFile(`${file}.new`, JSON.stringify(this.inactive()) + "\n");
    await Deno.rename(`${file}.new`, file);
  }
}
