/**
 * `virDomainDetachDeviceFlags` of the QEMU driver (`qemuDomainDetachDeviceLiveAndConfig`) for
 * disks, NICs and chardevs, and the removal that follows QEMU's DEVICE_DELETED (`qemuDomainRemoveDiskDevice`),
 * whether the event comes while the detach waits (libvirt's 5 s unplug timeout) or later.
 *
 * @module
 */
import { removeOverlayFiles, takeTransientOverlays } from "./transient_disks.ts";
import type { DomainDef, DomainInterface } from "../../../conf/domain/def.ts";
import { VIR } from "../../../util/constants.ts";
import { VirError } from "../../../util/errors.ts";
import { child, textOf, type XmlElement } from "../../../util/xml/mod.ts";
import type { QemuDomainObj } from "../domain_private.ts";
import type { QemuDriverState } from "../driver_state.ts";
import { monitorErrorToVir, QmpCommandError } from "../monitor/errors.ts";
import { type DeviceCall, deviceCall } from "./device_config.ts";
import { findChardev, removeChardev } from "./device_chardev.ts";
import { detachDiskChain } from "./disk_plug.ts";
import { diskByTarget, refuseUnless, sameAddress, targetOf } from "./device_parse.ts";
import { removeRngLive } from "./device_rng.ts";
import { detachMemoryConfig, findMemoryToUnplug, removeMemoryLive } from "./device_memory.ts";
import { filesystemByTarget, findFilesystemToUnplug, removeFilesystemLive } from "./device_fs.ts";
import { findWatchdogToUnplug } from "./device_watchdog.ts";
import { detachNicConfig, findNic, nicOf } from "./device_nic.ts";
import { removeNicLive } from "./device_nic_live.ts";
import { checkPciUnplug } from "./device_pci.ts";
import { nicAlias } from "../net/link.ts";

/**
 * Detaches the device `xml` matches from the definitions `flags` select.
 *
 * @example
 * ```ts
 * import { detachDevice } from "./device_detach.ts";
 * declare const state: import("../driver_state.ts").QemuDriverState;
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * await detachDevice(state, obj, "<disk><target dev='vdb'/></disk>", 1);
 * ```
 */
export const detachDevice: DeviceCall = deviceCall(
  "qemuDomainDetachDeviceLiveAndConfig",
  false,
  detachConfig,
  detachLive,
);

/**
 * `qemuDomainDetachDeviceConfig`: the device `dev` names leaves `vmdef` (a disk by target, a
 * chardev as `qemuDomainChrRemove` finds it).
 *
 * @example
 * ```ts
 * import { detachConfig } from "./device_detach.ts";
 * import { element } from "../../../util/xml/mod.ts";
 * declare const vmdef: import("../../../conf/domain/def.ts").DomainDef;
 * detachConfig(vmdef, element("disk", {}, [element("target", { dev: "vdb" })]));
 * ```
 */
export function detachConfig(vmdef: DomainDef, dev: XmlElement): void {
  refuseUnless(dev, "persistent detach");
  if (dev.name === "interface") return detachNicConfig(vmdef, dev);
  if (dev.name === "memory") return detachMemoryConfig(vmdef, dev);
  let found: XmlElement | undefined;
  if (dev.name === "watchdog") {
    found = vmdef.devices.other.find((d) => d.name === "watchdog");
    if (!found) throw VirError.report("QEMU", "DEVICE_MISSING", "domain has no watchdog");
  } else if (dev.name === "rng") {
    found = vmdef.devices.other.find((d) => d.name === "rng" && sameRng(dev, d));
    if (!found) {
      throw VirError.report("QEMU", "DEVICE_MISSING", "no matching RNG device was found");
    }
  } else if (dev.name === "filesystem") {
    found = filesystemByTarget(vmdef, dev);
    if (!found) {
      throw VirError.report("QEMU", "DEVICE_MISSING", "no matching filesystem device was found");
    }
  } else if (dev.name === "disk") {
    found = diskByTarget(vmdef, targetOf(dev));
    if (!found) {
      throw VirError.report("QEMU", "DEVICE_MISSING", `no target device ${targetOf(dev)}`);
    }
  } else {
    if (dev.name === "console" && child(dev, "target")?.attributes.type === "serial") {
      throw VirError.report(
        "QEMU",
        "OPERATION_INVALID",
        "detaching serial console is not supported",
      );
    }
    found = findChardev(vmdef, dev);
    if (!found) {
      throw VirError.report("QEMU", "INVALID_ARG", "device not present in domain configuration");
    }
  }
  vmdef.devices.other.splice(vmdef.devices.other.indexOf(found), 1);
}

/**
 * `virDomainRNGFind`: the same model, rate, backend and backend source, and the same address
 * when the caller gives one.
 */
function sameRng(wanted: XmlElement, rng: XmlElement): boolean {
  const backendOf = (el: XmlElement) => {
    const b = child(el, "backend");
    // The parser's default source of a random backend (virDomainDefPostParse).
    const file = b?.attributes.model === "random" ? textOf(b)?.trim() || "/dev/random" : "";
    return JSON.stringify([
      b?.attributes.model,
      b?.attributes.type,
      child(b, "source")?.attributes,
      file,
    ]);
  };
  const rate = (el: XmlElement) => {
    const r = child(el, "rate")?.attributes;
    return `${Number(r?.bytes ?? 0)}/${Number(r?.bytes ? r?.period ?? 0 : 0)}`;
  };
  const at = child(wanted, "address");
  return (wanted.attributes.model === rng.attributes.model) && rate(wanted) === rate(rng) &&
    backendOf(wanted) === backendOf(rng) && (!at || sameAddress(at, child(rng, "address")));
}

/** `qemuDomainDetachPrepDisk`'s checks: which disks may leave a running guest. */
function checkDetachable(disk: XmlElement): void {
  const device = disk.attributes.device ?? "disk";
  const bus = child(disk, "target")?.attributes.bus;
  const hotBus = bus === "virtio" || bus === "usb" || bus === "scsi";
  if (device === "disk" || device === "lun") {
    if (!hotBus) {
      throw VirError.report(
        "QEMU",
        "OPERATION_UNSUPPORTED",
        "This type of disk cannot be hot unplugged",
      );
    }
    return;
  }
  if (device === "cdrom" && (bus === "usb" || bus === "scsi")) return;
  throw VirError.report(
    "QEMU",
    "OPERATION_UNSUPPORTED",
    `disk device type '${device}' cannot be detached`,
  );
}

/** A live device to unplug: what QEMU knows it by, and how it leaves once QEMU let go. */
interface Unplug {
  /** libvirt's `virDomainDeviceType` name, for the messages. */
  kind: string;
  alias?: string;
  /** The `<address>` attributes, if any. */
  address?: Record<string, string>;
  /** Whether QEMU not knowing the device removes it at once (the generic path) or fails. */
  goneIsRemoved: boolean;
  remove(): Promise<void>;
}

/** The live NIC `net` as a device to unplug. */
function nicUnplug(s: QemuDriverState, obj: QemuDomainObj, net: DomainInterface): Unplug {
  return {
    kind: "net",
    alias: nicAlias(net),
    address: net.extra.find((e) => e.name === "address")?.attributes,
    goneIsRemoved: true,
    remove: () => removeNicLive(s, obj, net),
  };
}

/** The live device `dev` names, with libvirt's error when there is none. */
function findUnplug(s: QemuDriverState, obj: QemuDomainObj, dev: XmlElement): Unplug {
  if (dev.name === "interface") {
    return nicUnplug(s, obj, obj.def.devices.interfaces[findNic(obj.def, nicOf(dev))]);
  }
  if (dev.name === "watchdog") {
    const watchdog = findWatchdogToUnplug(obj.def, dev);
    return {
      kind: "watchdog",
      alias: child(watchdog, "alias")?.attributes.name,
      address: child(watchdog, "address")?.attributes,
      goneIsRemoved: true,
      remove: () => removeLive(s, obj, watchdog),
    };
  }
  if (dev.name === "memory") {
    const mem = findMemoryToUnplug(obj.def, dev);
    return {
      kind: "memory",
      alias: child(mem, "alias")?.attributes.name,
      address: child(mem, "address")?.attributes,
      goneIsRemoved: true,
      remove: () => removeLive(s, obj, mem),
    };
  }
  if (dev.name === "rng") {
    const rng = obj.def.devices.other.find((d) => d.name === "rng" && sameRng(dev, d));
    if (!rng) {
      throw VirError.report("QEMU", "DEVICE_MISSING", "no matching RNG device was found");
    }
    return {
      kind: "rng",
      alias: child(rng, "alias")?.attributes.name,
      address: child(rng, "address")?.attributes,
      goneIsRemoved: true,
      remove: () => removeLive(s, obj, rng),
    };
  }
  if (dev.name === "filesystem") {
    const fs = findFilesystemToUnplug(obj, dev);
    return {
      kind: "filesystem",
      alias: child(fs, "alias")?.attributes.name,
      address: child(fs, "address")?.attributes,
      goneIsRemoved: true,
      remove: () => removeLive(s, obj, fs),
    };
  }
  const found = findLive(obj, dev);
  return {
    kind: dev.name === "disk" ? "disk" : "chr",
    alias: child(found, "alias")?.attributes.name,
    address: child(found, "address")?.attributes,
    goneIsRemoved: found.name === "disk",
    remove: () => removeLive(s, obj, found),
  };
}

/** The live disk or chardev `dev` names, with libvirt's error when there is none. */
function findLive(obj: QemuDomainObj, dev: XmlElement): XmlElement {
  if (dev.name !== "disk") {
    const chr = findChardev(obj.def, dev);
    if (chr) return chr;
    throw VirError.report(
      "QEMU",
      "DEVICE_MISSING",
      `chr type '${dev.name}' device not present in domain configuration`,
    );
  }
  const disk = diskByTarget(obj.def, targetOf(dev));
  if (!disk) throw VirError.report("QEMU", "DEVICE_MISSING", `disk ${targetOf(dev)} not found`);
  checkDetachable(disk);
  return disk;
}

/**
 * `qemuDomainDetachDeviceLive` / `qemuDomainDetachDeviceChr`: device_del, then wait for
 * QEMU's word (libvirt's unplug timeout).
 */
function detachLive(s: QemuDriverState, obj: QemuDomainObj, dev: XmlElement): Promise<void> {
  return unplug(obj, findLiveUnplug(s, obj, dev), false);
}

/** The live device `dev` names, of the kinds this driver can unplug. */
function findLiveUnplug(s: QemuDriverState, obj: QemuDomainObj, dev: XmlElement): Unplug {
  refuseUnless(dev, "live detach");
  return findUnplug(s, obj, dev);
}

/**
 * `qemuDomainDetachDeviceLive(..., async=true)` for the device `match` names (an element of
 * the live definition, or one of its NICs): device_del without waiting for DEVICE_DELETED,
 * whose late handling removes the device (`processDeviceDeletedEvent`).
 *
 * @example
 * ```ts
 * import { requestUnplug } from "./device_detach.ts";
 * declare const state: import("../driver_state.ts").QemuDriverState;
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * declare const disk: import("../../../util/xml/mod.ts").XmlElement;
 * await requestUnplug(state, obj, { element: disk });
 * ```
 */
export function requestUnplug(
  s: QemuDriverState,
  obj: QemuDomainObj,
  match: { element: XmlElement } | { nic: DomainInterface },
): Promise<void> {
  const found = "nic" in match
    ? nicUnplug(s, obj, match.nic)
    : findLiveUnplug(s, obj, match.element);
  return unplug(obj, found, true);
}

/** device_del of `found`; unless `async`, waiting for QEMU's DEVICE_DELETED to remove it. */
async function unplug(obj: QemuDomainObj, found: Unplug, async: boolean): Promise<void> {
  const alias = found.alias;
  if (!alias) {
    throw VirError.report(
      "QEMU",
      "INTERNAL_ERROR",
      `Cannot detach ${found.kind} device with no alias`,
    );
  }
  if (found.address?.type === "pci") checkPciUnplug(obj.def, found.kind, found.address);
  const ctx = obj.vcpus!.ctx;
  const removal = ctx.removal;
  if (!async) removal.mark(alias);
  try {
    try {
      await obj.proc!.monitor.execute("device_del", { id: alias });
    } catch (err) {
      // libvirt's qemuDomainDeleteDevice: an event already seen means the device is gone;
      // QEMU not knowing it removes a disk or NIC now, while the chardev path fails without
      // saying why (libvirt's monitor reports nothing for DeviceNotFound).
      const gone = err instanceof QmpCommandError && err.errorClass === "DeviceNotFound";
      if ((!async && removal.alias === undefined) || (gone && found.goneIsRemoved)) {
        return await found.remove();
      }
      if (gone) {
        throw VirError.bare(
          "NONE",
          "INTERNAL_ERROR",
          "An error occurred, but the cause is unknown",
        );
      }
      throw monitorErrorToVir(err);
    }
    if (async) return;
    const outcome = await removal.wait(ctx.unplugTimeoutMs);
    if (outcome === "rejected") {
      throw VirError.report(
        "QEMU",
        "OPERATION_FAILED",
        "unplug of device was rejected by the guest",
      );
    }
    // On a timeout the detach succeeds and the device stays until its DEVICE_DELETED comes.
    if (outcome === "removed") await found.remove();
  } finally {
    if (!async) removal.reset();
  }
}

/**
 * `qemuDomainRemoveDevice`: the device leaves the live definition with its backend (a disk's
 * block nodes, a chardev's `chardev-remove`), and DEVICE_REMOVED is emitted.
 */
async function removeLive(s: QemuDriverState, obj: QemuDomainObj, dev: XmlElement): Promise<void> {
  if (dev.name === "rng") await removeRngLive(obj, dev);
  else if (dev.name === "memory") await removeMemoryLive(obj, dev);
  else if (dev.name === "filesystem") await removeFilesystemLive(s, obj, dev);
  else if (dev.name === "watchdog") {
    obj.def.devices.other.splice(obj.def.devices.other.indexOf(dev), 1);
  } else if (dev.name !== "disk") await removeChardev(obj, dev);
  else {
    const other = obj.def.devices.other;
    other.splice(other.indexOf(dev), 1);
    if (obj.proc) await detachDiskChain(s, obj, dev);
    await removeOverlayFiles(takeTransientOverlays(obj, dev));
  }
  s.emitOther(obj, VIR.DOMAIN_EVENT_ID_DEVICE_REMOVED, {
    devAlias: child(dev, "alias")?.attributes.name,
  });
}

/**
 * A DEVICE_DELETED nobody waited for (`processDeviceDeletedEvent`): the disk, NIC or chardev
 * of that alias is removed now. False when no such device has it.
 *
 * @example
 * ```ts
 * import { removeDeviceAlias } from "./device_detach.ts";
 * declare const state: import("../driver_state.ts").QemuDriverState;
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * await removeDeviceAlias(state, obj, "virtio-disk1");
 * ```
 */
export async function removeDeviceAlias(
  s: QemuDriverState,
  obj: QemuDomainObj,
  alias: string,
): Promise<boolean> {
  const net = obj.def.devices.interfaces.find((n) => nicAlias(n) === alias);
  if (net) {
    await removeNicLive(s, obj, net);
    return true;
  }
  const dev = obj.def.devices.other.find((d) =>
    ["disk", "serial", "channel", "rng", "watchdog", "memory", "filesystem"].includes(d.name) &&
    child(d, "alias")?.attributes.name === alias
  );
  if (!dev) return false;
  await removeLive(s, obj, dev);
  return true;
}
