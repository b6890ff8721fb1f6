/**
 * libvirt 9.0's PCI address set (conf/domain_addr.c): one bus per PCI controller, what each
 * bus accepts (`virDomainPCIAddressBusSetModel`), the functions in use of each slot, and the
 * search for the next free slot a device can plug into, growing the set with the controllers
 * it lacks on a dry run (`virDomainPCIAddressSetGrow`), with libvirt's errors.
 *
 * @example
 * ```ts
 * import { CONNECT, PciAddressSet } from "./pci_address_set.ts";
 * const set = new PciAddressSet(["pci-root"], false);
 * set.reserveNext(CONNECT.PCI_DEVICE | CONNECT.AUTOASSIGN); // { bus: 0, slot: 1, function: 0 }
 * ```
 * @module
 */
import { VirError } from "../../util/errors.ts";

/**
 * `virDomainPCIConnectFlags`: what a device plugs in as, or what a bus accepts.
 *
 * @example
 * ```ts
 * import { CONNECT } from "./pci_address_set.ts";
 * const virtioOnQ35 = CONNECT.PCIE_DEVICE | CONNECT.AUTOASSIGN;
 * ```
 */
export const CONNECT = {
  HOTPLUGGABLE: 1 << 0,
  AUTOASSIGN: 1 << 1,
  AGGREGATE_SLOT: 1 << 2,
  INTEGRATED: 1 << 3,
  PCI_DEVICE: 1 << 4,
  PCIE_DEVICE: 1 << 5,
  PCIE_ROOT_PORT: 1 << 6,
  PCIE_SWITCH_UPSTREAM_PORT: 1 << 7,
  PCIE_SWITCH_DOWNSTREAM_PORT: 1 << 8,
  DMI_TO_PCI_BRIDGE: 1 << 9,
  PCIE_EXPANDER_BUS: 1 << 10,
  PCI_EXPANDER_BUS: 1 << 11,
  PCI_BRIDGE: 1 << 12,
  PCIE_TO_PCI_BRIDGE: 1 << 13,
} as const;

const C = CONNECT;
const ENDPOINT = C.PCI_DEVICE | C.PCIE_DEVICE;
const TYPES_MASK = ENDPOINT | C.PCIE_ROOT_PORT | C.PCIE_SWITCH_UPSTREAM_PORT |
  C.PCIE_SWITCH_DOWNSTREAM_PORT | C.DMI_TO_PCI_BRIDGE | C.PCIE_EXPANDER_BUS |
  C.PCI_EXPANDER_BUS | C.PCI_BRIDGE | C.PCIE_TO_PCI_BRIDGE;

/** The last slot of a bus and function of a slot. */
const SLOT_LAST = 31;
const FUNCTION_LAST = 7;

/** What a bus of each controller model accepts downstream, and its slots. */
const BUS_MODELS: Record<string, { flags: number; minSlot: number; maxSlot: number }> = {
  "pci-root": {
    flags: C.AUTOASSIGN | C.PCI_DEVICE | C.PCI_BRIDGE | C.PCI_EXPANDER_BUS | C.HOTPLUGGABLE,
    minSlot: 1,
    maxSlot: SLOT_LAST,
  },
  "pci-bridge": {
    flags: C.AUTOASSIGN | C.PCI_DEVICE | C.PCI_BRIDGE | C.HOTPLUGGABLE,
    minSlot: 1,
    maxSlot: SLOT_LAST,
  },
  "pci-expander-bus": {
    flags: C.AUTOASSIGN | C.PCI_DEVICE | C.PCI_BRIDGE | C.HOTPLUGGABLE,
    minSlot: 0,
    maxSlot: SLOT_LAST,
  },
  // No hotplug, no auto-assignment but of integrated devices.
  "pcie-root": {
    flags: C.PCIE_DEVICE | C.PCIE_ROOT_PORT | C.DMI_TO_PCI_BRIDGE | C.PCIE_EXPANDER_BUS,
    minSlot: 1,
    maxSlot: SLOT_LAST,
  },
  "dmi-to-pci-bridge": { flags: C.PCI_DEVICE | C.PCI_BRIDGE, minSlot: 0, maxSlot: SLOT_LAST },
  // Slot 0 is the SHPC's.
  "pcie-to-pci-bridge": {
    flags: C.AUTOASSIGN | C.PCI_DEVICE | C.PCI_BRIDGE | C.HOTPLUGGABLE,
    minSlot: 1,
    maxSlot: SLOT_LAST,
  },
  "pcie-root-port": {
    flags: C.AUTOASSIGN | C.PCIE_DEVICE | C.PCIE_SWITCH_UPSTREAM_PORT | C.PCIE_TO_PCI_BRIDGE |
      C.HOTPLUGGABLE,
    minSlot: 0,
    maxSlot: 0,
  },
  "pcie-switch-upstream-port": {
    flags: C.PCIE_SWITCH_DOWNSTREAM_PORT,
    minSlot: 0,
    maxSlot: SLOT_LAST,
  },
  "pcie-expander-bus": {
    flags: C.PCIE_ROOT_PORT | C.DMI_TO_PCI_BRIDGE,
    minSlot: 0,
    maxSlot: SLOT_LAST,
  },
};
BUS_MODELS["pcie-switch-downstream-port"] = BUS_MODELS["pcie-root-port"];

/**
 * `virDomainPCIControllerModelToConnectType`: what a PCI controller of each model plugs in as
 * (the roots plug in nowhere).
 *
 * @example
 * ```ts
 * import { CONNECT, CONTROLLER_CONNECT } from "./pci_address_set.ts";
 * CONTROLLER_CONNECT["pci-bridge"] === CONNECT.PCI_BRIDGE; // true
 * ```
 */
export const CONTROLLER_CONNECT: Record<string, number> = {
  "pci-bridge": C.PCI_BRIDGE,
  "pci-expander-bus": C.PCI_EXPANDER_BUS,
  "pcie-expander-bus": C.PCIE_EXPANDER_BUS,
  "dmi-to-pci-bridge": C.DMI_TO_PCI_BRIDGE,
  "pcie-to-pci-bridge": C.PCIE_TO_PCI_BRIDGE,
  "pcie-root-port": C.PCIE_ROOT_PORT | C.AGGREGATE_SLOT,
  "pcie-switch-upstream-port": C.PCIE_SWITCH_UPSTREAM_PORT,
  "pcie-switch-downstream-port": C.PCIE_SWITCH_DOWNSTREAM_PORT,
};

/** The connection each error names, in virDomainPCIAddressFlagsCompatible's order. */
const CONNECT_NAMES: [number, string][] = [
  [C.PCI_DEVICE, "standard PCI device"],
  [C.PCIE_DEVICE, "PCI Express device"],
  [C.PCIE_ROOT_PORT, "pcie-root-port"],
  [C.PCIE_SWITCH_UPSTREAM_PORT, "pcie-switch-upstream-port"],
  [C.PCIE_SWITCH_DOWNSTREAM_PORT, "pcie-switch-downstream-port"],
  [C.DMI_TO_PCI_BRIDGE, "dmi-to-pci-bridge"],
  [C.PCIE_TO_PCI_BRIDGE, "pcie-to-pci-bridge"],
  [C.PCI_EXPANDER_BUS, "pci-expander-bus"],
  [C.PCIE_EXPANDER_BUS, "pcie-expander-bus"],
  [C.PCI_BRIDGE, "pci-bridge"],
];

/** A guest PCI address of domain 0. */
export interface PciAddr {
  bus: number;
  slot: number;
  function: number;
}

interface Bus {
  model: string;
  flags: number;
  minSlot: number;
  maxSlot: number;
  /** Per slot: the functions in use (a bit each), and whether devices may share it. */
  slots: { functions: number; aggregate: boolean }[];
}

/**
 * `virPCIDeviceAddressAsString`: `0000:BB:SS.F`.
 *
 * @example
 * ```ts
 * import { addrString } from "./pci_address_set.ts";
 * addrString({ bus: 1, slot: 2, function: 3 }); // "0000:01:02.3"
 * ```
 */
export function addrString(a: PciAddr): string {
  const hex = (n: number) => n.toString(16).padStart(2, "0");
  return `0000:${hex(a.bus)}:${hex(a.slot)}.${a.function.toString(16)}`;
}

const domainError = (code: "XML_ERROR" | "INTERNAL_ERROR", message: string) =>
  VirError.report("DOMAIN", code, message);

/**
 * libvirt's `virDomainPCIAddressSet` for domain 0.
 *
 * @example
 * ```ts
 * import { CONNECT, PciAddressSet } from "./pci_address_set.ts";
 * const dry = new PciAddressSet(["pcie-root"], true);
 * dry.reserveNext(CONNECT.PCIE_DEVICE | CONNECT.AUTOASSIGN); // { bus: 1, slot: 0, function: 0 }
 * dry.buses[1].model; // "pcie-root-port", added by the dry run
 * ```
 */
export class PciAddressSet {
  /** The buses, by controller index. */
  readonly buses: Bus[] = [];

  /**
   * A set of buses of these models (`virDomainPCIAddressBusSetModel`); `hotplug[i]` false for a
   * controller with `hotplug='off'`. A dry run grows the set where a device finds no slot.
   */
  constructor(models: string[], readonly dryRun: boolean, hotplug: boolean[] = []) {
    models.forEach((m, i) => this.buses.push(newBus(m, hotplug[i] ?? true)));
  }

  /** `virDomainPCIAddressSlotInUse`. */
  slotInUse(a: PciAddr): boolean {
    return this.buses[a.bus].slots[a.slot].functions !== 0;
  }

  /** `virDomainPCIAddressBusIsFullyReserved` of every bus. */
  fullyReserved(): boolean {
    return this.buses.every((b) => {
      for (let s = b.minSlot; s <= b.maxSlot; s++) if (!b.slots[s].functions) return false;
      return true;
    });
  }

  /** Whether any device uses a function of this slot other than function 0. */
  multifunction(a: PciAddr): boolean {
    const f = this.buses[a.bus]?.slots[a.slot]?.functions ?? 0;
    return (f & (f - 1)) !== 0;
  }

  /**
   * `virDomainPCIAddressReserveAddrInternal`: marks `a` in use for a device that plugs in as
   * `flags`; `fromConfig` for an address the XML gave (XML errors, PCI and PCIe mixed freely).
   */
  reserve(a: PciAddr, flags: number, fromConfig: boolean): void {
    const str = addrString(a);
    if (this.dryRun) this.grow(a, flags);
    this.validate(a, flags, fromConfig, str);
    const slot = this.buses[a.bus].slots[a.slot];
    if (slot.functions & (1 << a.function)) {
      throw domainError(
        fromConfig ? "XML_ERROR" : "INTERNAL_ERROR",
        `Attempted double use of PCI Address ${str}`,
      );
    }
    if (!slot.functions && flags & C.AGGREGATE_SLOT) slot.aggregate = true;
    slot.functions |= 1 << a.function;
  }

  /**
   * `virDomainPCIAddressReserveNextAddr`: the first free slot (or, for any function, a free
   * function of a shared slot) of the first bus that takes the device, reserved; function `fn`
   * of it when given.
   */
  reserveNext(flags: number, fn?: number): PciAddr {
    const a = this.nextAddr(flags, fn);
    this.reserve(a, flags, false);
    return a;
  }

  private nextAddr(flags: number, fn?: number): PciAddr {
    if (!this.buses.length) throw domainError("XML_ERROR", "No PCI buses available");
    for (let bus = 0; bus < this.buses.length; bus++) {
      const b = this.buses[bus];
      const a = { bus, slot: b.minSlot, function: fn ?? 0 };
      if (!compatible(a, "", b.flags, flags, false)) continue;
      for (; a.slot <= b.maxSlot; a.slot++) {
        const slot = b.slots[a.slot];
        if (slot.functions === 0) return a;
        if (!(flags & C.AGGREGATE_SLOT) || !slot.aggregate) continue;
        if (fn !== undefined) {
          if (!(slot.functions & (1 << fn))) return a;
          continue;
        }
        for (a.function = 0; a.function <= FUNCTION_LAST; a.function++) {
          if (!(slot.functions & (1 << a.function))) return a;
        }
        a.function = 0;
      }
    }
    if (this.dryRun) {
      const a = { bus: this.buses.length, slot: 0, function: fn ?? 0 };
      this.grow(a, flags);
      a.slot = this.buses[a.bus].minSlot;
      return a;
    }
    throw domainError("INTERNAL_ERROR", "No more available PCI slots");
  }

  /** `virDomainPCIAddressSetGrow`: the buses up to `a.bus`, of the model a device needs. */
  private grow(a: PciAddr, flags: number): void {
    let add = a.bus - this.buses.length + 1;
    if (add <= 0) return;
    let model: string;
    let bridge = false;
    if (flags & C.PCI_DEVICE) {
      model = "pci-bridge";
      // A pure PCIe guest needs a pcie-root-port and a pcie-to-pci-bridge in it first.
      bridge = !this.buses.some((b) => b.flags & C.PCI_BRIDGE);
      if (bridge && add === 1) {
        add++;
        a.bus++;
      }
    } else if (flags & (C.PCIE_DEVICE | C.PCIE_SWITCH_UPSTREAM_PORT)) {
      model = "pcie-root-port";
    } else {
      const named = Object.entries(CONTROLLER_CONNECT).find(([, f]) => flags & f & TYPES_MASK);
      throw domainError(
        "INTERNAL_ERROR",
        named
          ? `a PCI slot is needed to connect a PCI controller model='${
            named[0]
          }', but none is available, and it cannot be automatically added`
          : `Cannot automatically add a new PCI bus for a device with connect flags ${
            flags.toString(16).padStart(2, "0")
          }`,
      );
    }
    const start = this.buses.length;
    if (bridge) {
      // Its root port takes only the bridge, so the spare port for hotplug is another one.
      const port = newBus("pcie-root-port", true);
      port.flags = C.PCIE_TO_PCI_BRIDGE;
      this.buses.push(port, newBus("pcie-to-pci-bridge", true));
    }
    while (this.buses.length < start + add) this.buses.push(newBus(model, true));
  }

  /**
   * `virDomainPCIAddressValidate`: that bus `a.bus` exists, takes a device plugging in as
   * `flags` and has the slot and function.
   */
  validate(a: PciAddr, flags: number, fromConfig: boolean, str = addrString(a)): void {
    const code = fromConfig ? "XML_ERROR" : "INTERNAL_ERROR";
    if (!this.buses.length) throw domainError(code, "No PCI buses available");
    if (a.bus >= this.buses.length) {
      throw domainError(
        code,
        `Invalid PCI address ${str}. Only PCI buses up to ${this.buses.length - 1} are available`,
      );
    }
    const bus = this.buses[a.bus];
    compatible(a, str, bus.flags, flags, true, fromConfig);
    if (bus.minSlot && a.slot < bus.minSlot) {
      throw domainError(code, `Invalid PCI address ${str}. slot must be >= ${bus.minSlot}`);
    }
    if (a.slot > bus.maxSlot) {
      throw domainError(code, `Invalid PCI address ${str}. slot must be <= ${bus.maxSlot}`);
    }
    if (a.function > FUNCTION_LAST) {
      throw domainError(code, `Invalid PCI address ${str}. function must be <= ${FUNCTION_LAST}`);
    }
  }
}

function newBus(model: string, hotplug: boolean): Bus {
  const m = BUS_MODELS[model];
  if (!m) throw domainError("INTERNAL_ERROR", "PCI controller model was not set correctly");
  return {
    model,
    flags: hotplug ? m.flags : m.flags & ~C.HOTPLUGGABLE,
    minSlot: m.minSlot,
    maxSlot: m.maxSlot,
    slots: Array.from({ length: SLOT_LAST + 1 }, () => ({ functions: 0, aggregate: false })),
  };
}

/**
 * `virDomainPCIAddressFlagsCompatible`: whether a bus accepting `busFlags` takes a device
 * plugging in as `devFlags` at `a`; with `report`, libvirt's error instead of false.
 */
function compatible(
  a: PciAddr,
  str: string,
  busFlags: number,
  devFlags: number,
  report: boolean,
  fromConfig = false,
): boolean {
  const code = fromConfig ? "XML_ERROR" : "INTERNAL_ERROR";
  const fail = (message: string) => {
    if (report) throw domainError(code, message);
    return false;
  };
  if (devFlags & C.INTEGRATED) {
    if (a.bus !== 0) {
      return fail(`The device at PCI address ${str} needs to be an integrated device (bus=0)`);
    }
    busFlags |= C.AUTOASSIGN;
  }
  if (fromConfig) {
    if (busFlags & ENDPOINT) busFlags |= ENDPOINT;
    if (devFlags & C.PCI_BRIDGE) devFlags |= C.PCI_DEVICE;
  } else if (devFlags & C.AUTOASSIGN && !(busFlags & C.AUTOASSIGN)) {
    return fail(
      `The device at PCI address ${str} was auto-assigned this address, but the PCI controller with index='${a.bus}' doesn't allow auto-assignment`,
    );
  }
  if (devFlags & C.HOTPLUGGABLE && !(busFlags & C.HOTPLUGGABLE)) {
    return fail(
      `The device at PCI address ${str} requires hotplug capability, but the PCI controller with index='${a.bus}' doesn't support hotplug`,
    );
  }
  if (!(devFlags & busFlags & TYPES_MASK)) {
    const name = CONNECT_NAMES.find(([f]) => devFlags & f)?.[1];
    return fail(
      name
        ? `The device at PCI address ${str} cannot be plugged into the PCI controller with index='${a.bus}'. It requires a controller that accepts a ${name}.`
        : `The device at PCI address ${str} has unrecognized connection type flags 0x${
          (devFlags & TYPES_MASK).toString(16).padStart(2, "0")
        }`,
    );
  }
  return true;
}
