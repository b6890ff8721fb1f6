/**
 * A fake sysfs tree of PCI devices in a temp dir, as the kernel lays it out for
 * `/sys/bus/pci`: device directories under `/sys/devices/pci0000:00/…` with `config`,
 * `vendor`, `device`, `class`, `uevent`, `driver_override` and a `driver` link, the
 * `bus/pci/devices` links, driver directories with `bind`/`unbind`/`new_id`/`remove_id`, and
 * `drivers_probe`. Writes land in plain files the test reads back; {@link FakePciTree.probe}
 * plays the kernel's part (binding a probed device to its override or its own driver).
 *
 * @module
 */
import { dirname, join } from "node:path";

/** One fake device. */
export interface FakePci {
  /** `0000:03:00.0`. */
  name: string;
  /** The parent's sysfs name (a bridge), else the root complex. */
  parent?: string;
  /** The bound driver (also its own driver for {@link FakePciTree.probe}). */
  driver?: string;
  /** A PCI-to-PCI bridge with this secondary (and subordinate) bus. */
  bridgeBus?: number;
  /** A power-management capability; `noSoftReset` says D3hot→D0 does not reset. */
  pm?: { noSoftReset: boolean };
  /** A PCI Express capability advertising Function Level Reset. */
  flr?: boolean;
  /** The IOMMU group. */
  iommuGroup?: number;
}

const PM_AT = 0x40;
const EXP_AT = 0x50;

/** The 256-byte config space of `dev`. */
export function fakeConfig(dev: FakePci): Uint8Array {
  const c = new Uint8Array(256);
  const v = new DataView(c.buffer);
  v.setUint16(0, 0x8086, true);
  v.setUint16(2, 0x10d3, true);
  c[0x0e] = dev.bridgeBus === undefined ? 0 : 1;
  if (dev.bridgeBus !== undefined) {
    c[0x19] = dev.bridgeBus;
    c[0x1a] = dev.bridgeBus;
  }
  const caps: [number, (at: number) => void][] = [];
  if (dev.pm) {
    caps.push([PM_AT, (at) => {
      c[at] = 0x01;
      v.setUint32(at + 4, dev.pm!.noSoftReset ? 0x8 : 0, true);
    }]);
  }
  if (dev.flr !== undefined) {
    caps.push([EXP_AT, (at) => {
      c[at] = 0x10;
      v.setUint32(at + 4, dev.flr ? 1 << 28 : 0, true);
    }]);
  }
  if (caps.length) {
    v.setUint16(0x06, 0x10, true);
    c[0x34] = caps[0][0];
    caps.forEach(([at, fill], i) => {
      fill(at);
      c[at + 1] = caps[i + 1]?.[0] ?? 0;
    });
  }
  return c;
}

const DRIVER_FILES = ["bind", "unbind", "new_id", "remove_id"];

/**
 * A fake tree under a temp dir: `sys` stands for `/sys`, `dev` for `/dev`.
 *
 * @example
 * ```ts ignore
 * await using tree = await FakePciTree.create([{ name: "0000:03:00.0", driver: "e1000e" }], ["e1000e", "vfio-pci"]);
 * ```
 */
export class FakePciTree {
  private constructor(readonly root: string, readonly devices: FakePci[]) {}

  /** The directory standing for `/sys`. */
  get sys(): string {
    return join(this.root, "sys");
  }

  /** The directory standing for `/dev` (with `vfio/vfio`). */
  get dev(): string {
    return join(this.root, "dev");
  }

  /** Builds the tree with `devices` and the driver directories of `drivers`. */
  static async create(devices: FakePci[], drivers: string[]): Promise<FakePciTree> {
    const tree = new FakePciTree(await Deno.makeTempDir({ prefix: "evt-pci-" }), devices);
    const sys = tree.sys;
    const write = (path: string, data: string | Uint8Array) => {
      Deno.mkdirSync(dirname(join(sys, path)), { recursive: true });
      if (typeof data === "string") Deno.writeTextFileSync(join(sys, path), data);
      else Deno.writeFileSync(join(sys, path), data);
    };
    for (const d of drivers) for (const f of DRIVER_FILES) write(`bus/pci/drivers/${d}/${f}`, "");
    write("bus/pci/drivers_probe", "");
    Deno.mkdirSync(join(sys, "kernel/iommu_groups"), { recursive: true });
    for (const d of devices) {
      const path = tree.devicePath(d.name);
      const klass = d.bridgeBus === undefined ? "0x020000" : "0x060400";
      write(`${path}/config`, fakeConfig(d));
      write(`${path}/vendor`, "0x8086\n");
      write(`${path}/device`, "0x10d3\n");
      write(`${path}/class`, `${klass}\n`);
      write(`${path}/uevent`, `PCI_CLASS=${klass.slice(2)}\nPCI_SLOT_NAME=${d.name}\n`);
      write(`${path}/driver_override`, "(null)\n");
      Deno.symlinkSync(join(sys, "bus/pci"), join(sys, path, "subsystem"));
      Deno.mkdirSync(join(sys, "bus/pci/devices"), { recursive: true });
      Deno.symlinkSync(join(sys, path), join(sys, "bus/pci/devices", d.name));
      if (d.driver) tree.bind(d.name, d.driver);
      if (d.iommuGroup !== undefined) {
        const group = join(sys, "kernel/iommu_groups", String(d.iommuGroup), "devices");
        Deno.mkdirSync(group, { recursive: true });
        Deno.symlinkSync(join(sys, path), join(group, d.name));
        Deno.symlinkSync(
          join(sys, "kernel/iommu_groups", String(d.iommuGroup)),
          join(sys, path, "iommu_group"),
        );
      }
    }
    Deno.mkdirSync(join(tree.dev, "vfio"), { recursive: true });
    Deno.writeTextFileSync(join(tree.dev, "vfio/vfio"), "");
    return tree;
  }

  /** `devices/pci0000:00/…/NAME`, relative to the sys root. */
  devicePath(name: string): string {
    const d = this.devices.find((x) => x.name === name)!;
    return d.parent ? `${this.devicePath(d.parent)}/${name}` : `devices/pci0000:00/${name}`;
  }

  /** A file of a device's directory (relative to the device) or of the tree (absolute /sys/…). */
  read(path: string): string {
    return Deno.readTextFileSync(join(this.sys, path.replace(/^\/sys\//, "")));
  }

  /** What a device's file holds. */
  deviceFile(name: string, file: string): string {
    return Deno.readTextFileSync(join(this.sys, this.devicePath(name), file));
  }

  /** The bound driver's name, undefined when unbound. */
  driverOf(name: string): string | undefined {
    try {
      return Deno.readLinkSync(join(this.sys, this.devicePath(name), "driver")).split("/").pop();
    } catch {
      return undefined;
    }
  }

  /** Links the device to `driver` (the kernel's bind). */
  bind(name: string, driver: string): void {
    const link = join(this.sys, this.devicePath(name), "driver");
    try {
      Deno.removeSync(link);
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
    Deno.symlinkSync(join(this.sys, "bus/pci/drivers", driver), link);
  }

  /**
   * The kernel's answer to the driver writes since the last call: a device unbound through its
   * driver's `unbind` loses its link, and the device written to `drivers_probe` binds to its
   * `driver_override`, or without one to its own driver.
   */
  probe(): void {
    for (const d of this.devices) {
      const driver = this.driverOf(d.name);
      if (driver && this.read(`bus/pci/drivers/${driver}/unbind`).trim() === d.name) {
        Deno.removeSync(join(this.sys, this.devicePath(d.name), "driver"));
        Deno.writeTextFileSync(join(this.sys, `bus/pci/drivers/${driver}/unbind`), "");
      }
    }
    const probed = this.read("bus/pci/drivers_probe").trim();
    if (!probed) return;
    Deno.writeTextFileSync(join(this.sys, "bus/pci/drivers_probe"), "");
    const override = this.deviceFile(probed, "driver_override").trim();
    const own = this.devices.find((d) => d.name === probed)!.driver;
    const driver = override && override !== "(null)" ? override : own;
    if (driver) this.bind(probed, driver);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await Deno.remove(this.root, { recursive: true });
  }
}
