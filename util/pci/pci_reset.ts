/**
 * `virPCIDeviceReset`: only endpoints, never a device a domain uses, nothing for one bound to
 * vfio-pci (VFIO resets it itself), nothing either for one with Function Level Reset (KVM
 * does an FLR when a guest starts and stops), else a power-management reset (D3hot → D0), else
 * a secondary bus reset through the parent bridge when no other device on the bus is in use.
 * libvirt 9.0 does not use the kernel's sysfs `reset` file. In a fake sysfs tree the config
 * space writes land in a plain file: the reset itself (the device losing its state) is the
 * hardware's and shows only on a real host.
 *
 * @module
 */
import { VirError } from "../errors.ts";
import { parsePciName } from "./address.ts";
import type { ConfigSpace } from "./config_space.ts";
import { PCI_SYSFS, PciDevice } from "./pci_device.ts";

const PCI_CONF_LEN = 0x100;
const PCI_HEADER_TYPE = 0x0e;
const PCI_HEADER_TYPE_BRIDGE = 0x1;
const PCI_HEADER_TYPE_MASK = 0x7f;
const PCI_CLASS_BRIDGE_PCI = 0x0604;
const PCI_SECONDARY_BUS = 0x19;
const PCI_SUBORDINATE_BUS = 0x1a;
const PCI_BRIDGE_CONTROL = 0x3e;
const PCI_BRIDGE_CTL_RESET = 0x40;
const PCI_CAP_ID_EXP = 0x10;
const PCI_CAP_ID_PM = 0x01;
const PCI_CAP_ID_AF = 0x13;
const PCI_EXP_DEVCAP = 0x4;
const PCI_EXP_DEVCAP_FLR = 1 << 28;
const PCI_AF_CAP = 0x3;
const PCI_AF_CAP_FLR = 0x2;
const PCI_PM_CTRL = 4;
const PCI_PM_CTRL_STATE_MASK = 0x3;
const PCI_PM_CTRL_STATE_D3HOT = 0x3;
const PCI_PM_CTRL_NO_SOFT_RESET = 0x8;
/** libvirt's sleeps around a D-state change and a bus reset. */
const PM_SETTLE_MS = 10;
const BUS_RESET_SETTLE_MS = 200;

const internal = (message: string) => VirError.report("NONE", "INTERNAL_ERROR", message);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `virPCIDeviceDetectFunctionLevelReset`. */
function hasFlr(dev: PciDevice, cfg: ConfigSpace): boolean {
  const exp = cfg.capability(PCI_CAP_ID_EXP) ?? 0;
  if (exp && ((cfg.read(exp + PCI_EXP_DEVCAP, 4) ?? 0) & PCI_EXP_DEVCAP_FLR)) return true;
  const af = cfg.capability(PCI_CAP_ID_AF);
  if (af === undefined) return false;
  if (af && ((cfg.read(af + PCI_AF_CAP, 2) ?? 0) & PCI_AF_CAP_FLR)) return true;
  // A VF must have FLR even when it forgets to say so.
  return dev.sys.exists(dev.path("physfn"));
}

/** Reads the whole config space (to put back after a reset). */
function saveConfig(dev: PciDevice, cfg: ConfigSpace): Uint8Array {
  const saved = cfg.bytes(0, PCI_CONF_LEN);
  if (!saved) throw internal(`Failed to read PCI config space for ${dev.name}`);
  return saved;
}

function restoreConfig(dev: PciDevice, cfg: ConfigSpace, saved: Uint8Array): void {
  if (!cfg.writeBytes(0, saved)) {
    throw internal(`Failed to restore PCI config space for ${dev.name}`);
  }
}

/** `virPCIDeviceTryPowerManagementReset`: D3hot then D0. */
async function powerManagementReset(dev: PciDevice, cfg: ConfigSpace, pm: number) {
  const saved = saveConfig(dev, cfg);
  const ctl = (cfg.read(pm + PCI_PM_CTRL, 4) ?? 0) & ~PCI_PM_CTRL_STATE_MASK;
  cfg.write(pm + PCI_PM_CTRL, 4, (ctl | PCI_PM_CTRL_STATE_D3HOT) >>> 0);
  await sleep(PM_SETTLE_MS);
  cfg.write(pm + PCI_PM_CTRL, 4, ctl >>> 0);
  await sleep(PM_SETTLE_MS);
  restoreConfig(dev, cfg, saved);
}

/**
 * `virPCIDeviceIterDevices`: the devices of `/sys/bus/pci/devices` until `visit` says stop;
 * a device that cannot be opened ends the walk with its error.
 */
function eachDevice(dev: PciDevice, visit: (check: PciDevice) => boolean): void {
  for (const name of dev.sys.list(`${PCI_SYSFS}/devices`)) {
    const addr = parsePciName(name);
    if (addr && visit(PciDevice.open(dev.sys, addr))) return;
  }
}

/** `virPCIDeviceBusContainsActiveDevices`: another device on the bus libvirt has not detached. */
function busConflict(dev: PciDevice, inactive: ReadonlySet<string>): PciDevice | undefined {
  let conflict: PciDevice | undefined;
  try {
    eachDevice(dev, (check) => {
      const a = dev.address, b = check.address;
      if (a.domain !== b.domain || a.bus !== b.bus) return false;
      if (a.slot === b.slot && a.function === b.function) return false;
      if (inactive.has(check.name)) return false;
      conflict = check;
      return true;
    });
  } catch {
    // libvirt's walk fails silently here: no conflict found.
  }
  return conflict;
}

/** `virPCIDeviceGetParent`: the bridge whose secondary bus is the device's, else the tightest one. */
function parentBridge(dev: PciDevice): PciDevice | undefined {
  let exact: PciDevice | undefined;
  let best: { dev: PciDevice; secondary: number } | undefined;
  eachDevice(dev, (check) => {
    if (check.address.domain !== dev.address.domain) return false;
    const cfg = check.tryConfig();
    if (!cfg) return false;
    try {
      if (check.deviceClass() !== PCI_CLASS_BRIDGE_PCI) return false;
      const header = (cfg.read(PCI_HEADER_TYPE, 1) ?? 0) & PCI_HEADER_TYPE_MASK;
      if (header !== PCI_HEADER_TYPE_BRIDGE) return false;
      const secondary = cfg.read(PCI_SECONDARY_BUS, 1) ?? 0;
      const subordinate = cfg.read(PCI_SUBORDINATE_BUS, 1) ?? 0;
      if (dev.address.bus === secondary) {
        exact = check;
        return true;
      }
      // SR-IOV VFs may sit on a bus below their PF's: the most restrictive bridge wins.
      const inRange = dev.address.bus > secondary && dev.address.bus <= subordinate;
      if (inRange && (!best || secondary > best.secondary)) best = { dev: check, secondary };
      return false;
    } finally {
      cfg.close();
    }
  });
  return exact ?? best?.dev;
}

/** `virPCIDeviceTrySecondaryBusReset`: the parent bridge's bus reset bit, set then cleared. */
async function secondaryBusReset(dev: PciDevice, cfg: ConfigSpace, inactive: ReadonlySet<string>) {
  const conflict = busConflict(dev, inactive);
  if (conflict) {
    throw internal(`Active ${conflict.name} devices on bus with ${dev.name}, not doing bus reset`);
  }
  const parent = parentBridge(dev);
  if (!parent) throw internal(`Failed to find parent device for ${dev.name}`);
  const bridge = parent.openConfig(true);
  try {
    const saved = saveConfig(dev, cfg);
    const ctl = bridge.read(PCI_BRIDGE_CONTROL, 2) ?? 0;
    bridge.write(PCI_BRIDGE_CONTROL, 2, ctl | PCI_BRIDGE_CTL_RESET);
    await sleep(BUS_RESET_SETTLE_MS);
    bridge.write(PCI_BRIDGE_CONTROL, 2, ctl);
    await sleep(BUS_RESET_SETTLE_MS);
    restoreConfig(dev, cfg, saved);
  } finally {
    bridge.close();
  }
}

/**
 * Resets `dev` as `virPCIDeviceReset` does, with the names of the devices domains use
 * (`active`) and of those detached for them (`inactive`).
 *
 * @example
 * ```ts
 * import { resetPciDevice } from "./pci_reset.ts";
 * import { PciDevice } from "./pci_device.ts";
 * import { Sysfs } from "../sysfs.ts";
 * declare const dev: PciDevice; // of a test's fake sysfs tree, never the host's
 * await resetPciDevice(dev, new Set(), new Set());
 * ```
 */
export async function resetPciDevice(
  dev: PciDevice,
  active: ReadonlySet<string>,
  inactive: ReadonlySet<string>,
): Promise<void> {
  if (dev.headerType() !== 0) {
    throw internal(
      `Invalid attempt to reset PCI device ${dev.name}. Only PCI endpoint devices can be reset`,
    );
  }
  if (active.has(dev.name)) throw internal(`Not resetting active device ${dev.name}`);
  if (dev.driver()?.name === "vfio-pci") return;
  const cfg = dev.openConfig(true);
  try {
    if (hasFlr(dev, cfg)) return;
    const pm = cfg.capability(PCI_CAP_ID_PM) ?? 0;
    const pmReset = pm !== 0 && !((cfg.read(pm + PCI_PM_CTRL, 4) ?? 0) & PCI_PM_CTRL_NO_SOFT_RESET);
    let last: unknown;
    const attempt = async (reset: () => Promise<void>) => {
      try {
        await reset();
        return true;
      } catch (e) {
        last = e;
        return false;
      }
    };
    if (pmReset && await attempt(() => powerManagementReset(dev, cfg, pm))) return;
    // A bus reset is no option on the root bus.
    if (dev.address.bus !== 0 && await attempt(() => secondaryBusReset(dev, cfg, inactive))) {
      return;
    }
    const why = last instanceof Error ? last.message : "no FLR, PM reset or bus reset available";
    throw internal(`Unable to reset PCI device ${dev.name}: ${why}`);
  } finally {
    cfg.close();
  }
}
