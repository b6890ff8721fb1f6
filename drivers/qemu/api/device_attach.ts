/**
 * `virDomainAttachDeviceFlags` of the QEMU driver (`qemuDomainAttachDeviceLiveAndConfig`): the
 * device goes into the persistent definition (AFFECT_CONFIG) and/or into the running QEMU
 * (AFFECT_LIVE: `qemuDomainAttachDeviceDiskLive` for disks, with the QMP sequence of libvirt
 * 9.0: `blockdev-add` of each layer's storage and format nodes, bottom first, and of the
 * copy-on-read filter, then `device_add`, rolled back on failure).
 *
 * @module
 */
import type { DomainDef } from "../../../conf/domain/def.ts";
import { checkBootOrder } from "../../../conf/domain/postparse.ts";
import { validateIOThreadUser } from "../iothread_validate.ts";
import { VIR } from "../../../util/constants.ts";
import { VirError } from "../../../util/errors.ts";
import { child, type XmlElement } from "../../../util/xml/mod.ts";
import { assignDeviceAliases } from "../alias.ts";
import type { QemuDomainObj } from "../domain_private.ts";
import type { QemuDriverState } from "../driver_state.ts";
import { qemuPostParse } from "../postparse.ts";
import { attachChardevLive } from "./device_chardev.ts";
import { changeMedia } from "./device_media.ts";
import { newSourceIndex } from "./block_chain.ts";
import { diskLayers } from "./disk_layers.ts";
import { plugDisk } from "./disk_plug.ts";
import { resolveVolumeDisk } from "../volume_disk.ts";
import { numberDiskChain, probeDiskChain } from "../disk_chains.ts";
import {
  checkUniqueAlias,
  diskByTarget,
  insertParsedDevice,
  refuseUnless,
  sameAddress,
  targetOf,
} from "./device_parse.ts";
import { type DeviceCall, deviceCall } from "./device_config.ts";
import { ensureQ35Port } from "./device_pci.ts";
import { attachNicConfig, giveNicMac } from "./device_nic.ts";
import { attachNicLive } from "./device_nic_live.ts";
import { attachRngLive } from "./device_rng.ts";
import { attachWatchdogLive } from "./device_watchdog.ts";
import { attachMemoryConfig, attachMemoryLive } from "./device_memory.ts";
import { attachFilesystemLive, filesystemByTarget } from "./device_fs.ts";

/**
 * Attaches the device `xml` describes to the definitions `flags` select.
 *
 * @example
 * ```ts
 * import { attachDevice } from "./device_attach.ts";
 * declare const state: import("../driver_state.ts").QemuDriverState;
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * await attachDevice(state, obj, "<disk type='file'><source file='/a.img'/><target dev='vdb'/></disk>", 1);
 * ```
 */
export const attachDevice: DeviceCall = deviceCall(
  "qemuDomainAttachDeviceLiveAndConfig",
  true,
  attachConfig,
  attachLive,
  giveNicMac,
);

/** `qemuDomainAttachDeviceConfig` followed by the definition's post-parse (addresses). */
function attachConfig(vmdef: DomainDef, dev: XmlElement, privileged: boolean): void {
  checkUniqueAlias(vmdef, dev);
  refuseUnless(dev, "persistent attach");
  if (dev.name === "interface") return attachNicConfig(vmdef, dev);
  if (dev.name === "memory") return attachMemoryConfig(vmdef, dev);
  if (dev.name === "disk" && diskByTarget(vmdef, targetOf(dev))) {
    throw VirError.report("QEMU", "OPERATION_INVALID", `target ${targetOf(dev)} already exists`);
  }
  if (dev.name === "filesystem" && filesystemByTarget(vmdef, dev)) {
    throw VirError.report("QEMU", "OPERATION_INVALID", "Target already exists");
  }
  if (dev.name === "watchdog" && vmdef.devices.other.some((d) => d.name === "watchdog")) {
    throw VirError.report("QEMU", "OPERATION_INVALID", "domain already has a watchdog");
  }
  const at = child(dev, "address");
  if (
    dev.name === "rng" && at &&
    vmdef.devices.other.some((d) => sameAddress(child(d, "address"), at))
  ) {
    throw VirError.report(
      "QEMU",
      "CONFIG_UNSUPPORTED",
      "a device with the same address already exists ",
    );
  }
  insertParsedDevice(vmdef, dev);
  // virDomainDefPostParse of the changed definition: its boot orders.
  checkBootOrder(vmdef);
  qemuPostParse(vmdef, { privileged });
  if (dev.name === "disk") ensureQ35Disk(vmdef, dev);
}

/**
 * `qemuDomainAttachDeviceLive`: disks and chardevs can be plugged into a running QEMU here;
 * the new device's alias is announced (DEVICE_ADDED).
 */
async function attachLive(s: QemuDriverState, obj: QemuDomainObj, dev: XmlElement): Promise<void> {
  checkUniqueAlias(obj.def, dev);
  refuseUnless(dev, "live attach");
  const device = dev.attributes.device;
  const orig = dev.name === "disk" ? diskByTarget(obj.def, targetOf(dev)) : undefined;
  if ((device === "cdrom" || device === "floppy") && orig) {
    return await changeMedia(s, obj, orig, dev, false);
  }
  let alias: string | undefined;
  if (dev.name === "interface") alias = await attachNicLive(s, obj, dev);
  else if (dev.name === "memory") alias = await attachMemoryLive(s, obj, dev);
  else {
    if (dev.name === "disk") await attachDiskLive(s, obj, dev);
    else if (dev.name === "rng") await attachRngLive(obj, dev);
    else if (dev.name === "watchdog") await attachWatchdogLive(obj, dev);
    else if (dev.name === "filesystem") await attachFilesystemLive(s, obj, dev);
    else await attachChardevLive(s, obj, dev);
    alias = child(dev, "alias")?.attributes.name;
  }
  s.emitOther(obj, VIR.DOMAIN_EVENT_ID_DEVICE_ADDED, { devAlias: alias });
}

/**
 * `qemuDomainAttachDeviceDiskLiveInternal`: the checks, a volume's path from the storage driver
 * (`virDomainDiskTranslateSourcePool`), the placement, then the QMP.
 */
async function attachDiskLive(
  s: QemuDriverState,
  obj: QemuDomainObj,
  disk: XmlElement,
): Promise<void> {
  // The device's own validation (libvirt's parse, against the running definition) comes first.
  validateIOThreadUser(obj.def, disk);
  if (disk.attributes.device === "floppy") {
    throw VirError.report("QEMU", "OPERATION_UNSUPPORTED", "floppy device hotplug isn't supported");
  }
  const volume = await resolveVolumeDisk(disk, s.secondaries);
  const def = obj.def;
  const dup = diskByTarget(def, targetOf(disk));
  if (dup) {
    const src = (d: XmlElement) => {
      const a = child(d, "source")?.attributes;
      return a?.file ?? a?.dev ?? a?.name ?? "<null>";
    };
    throw VirError.report(
      "DOMAIN",
      "XML_ERROR",
      `target '${targetOf(disk)}' duplicated for disk sources '${src(dup)}' and '${src(disk)}'`,
    );
  }
  const bus = child(disk, "target")?.attributes.bus;
  checkHotplugBus(def, disk, bus);
  // A network source's medium is its <source>; another disk's, its image.
  const empty = disk.attributes.type === "network"
    ? !child(disk, "source")
    : !diskLayers(disk, volume).length;
  if (empty) {
    throw VirError.report("QEMU", "OPERATION_UNSUPPORTED", "cannot hotplug a disk without medium");
  }
  // Placed and named in a copy, as libvirt's post-parse and alias assignment would.
  const copy = structuredClone(def);
  insertParsedDevice(copy, disk);
  qemuPostParse(copy, { live: true });
  ensureQ35Disk(copy, disk);
  if (bus === "usb" && child(disk, "address")?.attributes.type !== "usb") {
    throw VirError.report("QEMU", "INTERNAL_ERROR", "No free USB ports");
  }
  assignDeviceAliases(copy);
  // The chain is read and numbered as the start does; libvirt numbers the backing images when
  // it reads them (qemuDomainDetermineDiskChain), then the whole chain again from the top
  // (qemuDomainPrepareDiskSource), so each image below the top uses up two indexes.
  const next = () => newSourceIndex(obj);
  await probeDiskChain(disk, volume, next);
  numberDiskChain(disk, next);
  await plugDisk(s, obj, copy, disk, volume);
  insertParsedDevice(def, disk);
}

/** The bus checks of `qemuDomainAttachDeviceDiskLiveInternal` that stop the attach. */
function checkHotplugBus(def: DomainDef, disk: XmlElement, bus: string | undefined): void {
  const device = disk.attributes.device;
  if (bus === "usb") {
    if (device === "lun") {
      throw VirError.report(
        "QEMU",
        "CONFIG_UNSUPPORTED",
        "disk device='lun' is not supported for usb bus",
      );
    }
  } else if (bus === "virtio") {
    if (device === "cdrom") {
      throw VirError.report(
        "QEMU",
        "OPERATION_UNSUPPORTED",
        "cdrom device with virtio bus isn't supported",
      );
    }
  } else if (bus === "scsi") {
    const a = child(disk, "address")?.attributes;
    if (a && a.type !== "drive") {
      throw VirError.report("QEMU", "INTERNAL_ERROR", `unexpected disk address type ${a.type}`);
    }
    const controller = a?.controller ?? "0";
    const exists = def.devices.other.some((d) =>
      d.name === "controller" && d.attributes.type === "scsi" &&
      (d.attributes.index ?? "0") === controller
    );
    // libvirt would plug the controller first; edgevirt plugs disks onto existing ones only.
    if (!exists) {
      throw VirError.report(
        "QEMU",
        "OPERATION_UNSUPPORTED",
        `SCSI controller ${controller} must exist to hotplug a disk onto it`,
      );
    }
  }
  // Any other bus: libvirt reports "disk bus '…' cannot be hotplugged." but goes on, so what
  // the caller sees is the later failure: QEMU's refusal of the device, or no device at all.
}

/** A virtio disk is a PCI Express endpoint on q35: it takes a root port of its own. */
function ensureQ35Disk(def: DomainDef, disk: XmlElement): void {
  if (child(disk, "target")?.attributes.bus === "virtio") ensureQ35Port(def, disk);
}
