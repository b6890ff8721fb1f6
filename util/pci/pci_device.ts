/**
 * One host PCI device as `virpci.c`'s `virPCIDevice` handles it through sysfs: its driver, the
 * stub binding (`driver_override`, `unbind`, `drivers_probe`), its header type and config
 * space. Every path is a `/sys/…` path of a {@link Sysfs}, so a test's fake tree stands for the
 * host's; what the kernel does in answer to the writes (rebinding, loading `vfio-pci`) a fake
 * tree cannot show.
 *
 * @module
 */
import { VirError } from "../errors.ts";
import { strerror } from "../strerror.ts";
import type { Sysfs } from "../sysfs.ts";
import { type PciAddress, pciName } from "./address.ts";
import { ConfigSpace } from "./config_space.ts";

/** libvirt's `PCI_SYSFS`. */
export const PCI_SYSFS = "/sys/bus/pci";

const PCI_HEADER_TYPE = 0x0e;
const PCI_HEADER_TYPE_MASK = 0x7f;
/** `virPCIHeader`: endpoint, pci-bridge, cardbus-bridge. */
const HEADER_TYPES = 3;

/** `virReportSystemError`: the message, then the failed call's strerror. */
function systemError(message: string, e: unknown): VirError {
  return VirError.bare("NONE", "SYSTEM_ERROR", `${message}: ${strerror(e)}`);
}

/**
 * A PCI device of a sysfs tree.
 *
 * @example
 * ```ts
 * import { PciDevice } from "./pci_device.ts";
 * import { Sysfs } from "../sysfs.ts";
 * const dev = PciDevice.open(new Sysfs(), { domain: 0, bus: 0, slot: 0, function: 0 });
 * dev.driver()?.name; // the bound driver's name, if any
 * ```
 */
export class PciDevice {
  /** `0000:00:1f.2`. */
  readonly name: string;

  private constructor(readonly sys: Sysfs, readonly address: PciAddress) {
    this.name = pciName(address);
  }

  /**
   * `virPCIDeviceNew`: the device at `address`, refused as libvirt refuses one without a config
   * space or with unreadable vendor/product IDs.
   */
  static open(sys: Sysfs, address: PciAddress): PciDevice {
    const dev = new PciDevice(sys, address);
    const config = dev.path("config");
    try {
      Deno.statSync(sys.file(config));
    } catch (e) {
      throw systemError(`Device ${dev.name} not found: could not access ${config}`, e);
    }
    // The ID files read "0xNNNN\n"; libvirt wants the 0x.
    const id = (name: string) => sys.text(dev.path(name))?.startsWith("0x");
    if (!id("vendor") || !id("device")) {
      throw VirError.report(
        "NONE",
        "INTERNAL_ERROR",
        `Failed to read product/vendor ID for ${dev.name}`,
      );
    }
    return dev;
  }

  /** `virPCIFile`: a file of this device's sysfs directory. */
  path(file: string): string {
    return `${PCI_SYSFS}/devices/${this.name}/${file}`;
  }

  /**
   * `virPCIDeviceGetDriverPathAndName`: the bound driver's `/sys/bus/pci/drivers/…` path and
   * name, undefined when unbound.
   */
  driver(): { path: string; name: string } | undefined {
    const link = this.path("driver");
    if (!this.sys.exists(link)) return undefined;
    let isLink = false;
    try {
      isLink = Deno.lstatSync(this.sys.file(link)).isSymlink;
    } catch {
      // Gone since: libvirt's lstat fails the same way.
    }
    if (!isLink) {
      throw VirError.report(
        "NONE",
        "INTERNAL_ERROR",
        `Invalid device ${this.name} driver file ${link} is not a symlink`,
      );
    }
    const path = this.sys.resolve(link);
    if (path === undefined) {
      throw VirError.report(
        "NONE",
        "INTERNAL_ERROR",
        `Unable to resolve device ${this.name} driver symlink ${link}`,
      );
    }
    return { path, name: path.split("/").pop()! };
  }

  /** `virPCIDeviceConfigOpenInternal`: the config space, refused when it cannot be opened. */
  openConfig(write: boolean): ConfigSpace {
    try {
      return new ConfigSpace(
        Deno.openSync(this.sys.file(this.path("config")), { read: true, write }),
      );
    } catch (e) {
      throw systemError(`Failed to open config space file '${this.path("config")}'`, e);
    }
  }

  /** `virPCIDeviceConfigOpenTry`: the config space read-only, or undefined. */
  tryConfig(): ConfigSpace | undefined {
    const file = this.sys.open(this.path("config"));
    return file && new ConfigSpace(file);
  }

  /** `virPCIGetHeaderType`: 0 endpoint, 1 PCI bridge, 2 CardBus bridge. */
  headerType(): number {
    const cfg = this.openConfig(false);
    const type = (cfg.read(PCI_HEADER_TYPE, 1) ?? 0) & PCI_HEADER_TYPE_MASK;
    cfg.close();
    if (type >= HEADER_TYPES) {
      throw VirError.report(
        "NONE",
        "INTERNAL_ERROR",
        `Unknown PCI header type '${type}' for device '${this.name}'`,
      );
    }
    return type;
  }

  /** `virPCIDeviceReadClass`: the class and subclass (`0x0604` for a PCI bridge). */
  deviceClass(): number {
    let text: string;
    try {
      // "0xNNNNNN\n": libvirt reads 9 bytes and keeps 8.
      text = Deno.readTextFileSync(this.sys.file(this.path("class"))).slice(0, 8);
    } catch (e) {
      throw systemError(`Failed to open file '${this.path("class")}'`, e);
    }
    if (!/^\s*(0[xX])?[0-9a-fA-F]+\s*$/.test(text)) {
      throw VirError.report(
        "NONE",
        "INTERNAL_ERROR",
        `Unusual value in ${PCI_SYSFS}//devices/${this.name}/class: ${text}`,
      );
    }
    return (parseInt(text, 16) >> 8) & 0xffff;
  }

  /** `virPCIDeviceUnbind`: unbinds the device from its driver, if any. */
  unbind(): void {
    const driver = this.driver();
    if (!driver) return;
    const unbind = this.path("driver/unbind");
    if (!this.sys.exists(unbind)) return;
    writeSysfs(
      this.sys,
      unbind,
      this.name,
      `Failed to unbind PCI device '${this.name}' from ${driver.name}`,
    );
  }

  /**
   * `virPCIDeviceBindWithDriverOverride`: makes `driverName` the only driver that may bind the
   * device (`"\n"` lifts that), unbinds it and asks the kernel to probe it again.
   */
  bindWithDriverOverride(driverName: string): void {
    writeSysfs(
      this.sys,
      this.path("driver_override"),
      driverName,
      `Failed to add driver '${driverName}' to driver_override  interface of PCI device '${this.name}'`,
    );
    this.unbind();
    writeSysfs(
      this.sys,
      `${PCI_SYSFS}/drivers_probe`,
      this.name,
      `Failed to trigger a probe for PCI device '${this.name}'`,
    );
  }

  /** `virPCIDeviceBindToStub`: binds the device to `stub` unless it is bound to it already. */
  bindToStub(stub: string): void {
    const current = this.driver()?.path;
    if (current !== undefined && current === this.sys.resolve(`${PCI_SYSFS}/drivers/${stub}`)) {
      return;
    }
    this.bindWithDriverOverride(stub);
  }
}

/**
 * `virFileWriteStr(path, text, 0)`: writes a sysfs file that must exist (no O_CREAT), refused
 * with `message` and the failure's strerror.
 */
function writeSysfs(sys: Sysfs, path: string, text: string, message: string): void {
  try {
    const file = Deno.openSync(sys.file(path), { write: true, truncate: true });
    try {
      file.writeSync(new TextEncoder().encode(text));
    } finally {
      file.close();
    }
  } catch (e) {
    throw systemError(message, e);
  }
}
