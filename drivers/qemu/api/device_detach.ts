/**
 * `virDomainDetachDeviceFlags` of the QEMU driver (`qemuDomainDetachDeviceLiveAndConfig`) for
 * disks, and the removal that follows QEMU's DEVICE_DELETED (`qemuDomainRemoveDiskDevice`),
 * whether the event comes while the detach waits (libvirt's 5 s unplug timeout) or later.
 *
 * @module
 */
import type { DomainDef } from "../../../conf/domain/def.ts";
import { VIR } from "../../../util/constants.ts";
import { checkFlags, VirError } from "../../../util/errors.ts";
import { child, type XmlElement } from "../../../util/xml/mod.ts";
import type { QemuDomainObj } from "../domain_private.ts";
import type { QemuDriverState } from "../driver_state.ts";
import { QmpCommandError } from "../monitor/errors.ts";
import { changeDevice } from "./device_config.ts";
import { diskNodes, sourceIndex } from "./device_disk.ts";
import { diskByTarget, refuseUnless, targetOf } from "./device_parse.ts";

const AFFECT = VIR.DOMAIN_AFFECT_LIVE | VIR.DOMAIN_AFFECT_CONFIG;

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
export async function detachDevice(
  s: QemuDriverState,
  obj: QemuDomainObj,
  xml: string,
  flags: number,
): Promise<void> {
  checkFlags(flags, AFFECT, "qemuDomainDetachDeviceFlags", "QEMU");
  await changeDevice(s, obj, xml, flags, {
    validate: false,
    config: detachConfig,
    live: (dev) => detachLive(s, obj, dev),
  });
}

/** `qemuDomainDetachDeviceConfig` for a disk: by target, or by source path. */
function detachConfig(vmdef: DomainDef, dev: XmlElement): void {
  refuseUnless(dev, ["disk"], "persistent detach");
  const name = targetOf(dev);
  const disk = diskByTarget(vmdef, name);
  if (!disk) throw VirError.report("QEMU", "DEVICE_MISSING", `no target device ${name}`);
  vmdef.devices.other.splice(vmdef.devices.other.indexOf(disk), 1);
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

/** `qemuDomainDetachDeviceLive` for a disk: device_del, then wait for QEMU's word. */
async function detachLive(s: QemuDriverState, obj: QemuDomainObj, dev: XmlElement): Promise<void> {
  refuseUnless(dev, ["disk"], "live detach");
  const disk = diskByTarget(obj.def, targetOf(dev));
  if (!disk) throw VirError.report("QEMU", "DEVICE_MISSING", `disk ${targetOf(dev)} not found`);
  checkDetachable(disk);
  const alias = child(disk, "alias")?.attributes.name;
  if (!alias) {
    throw VirError.report("QEMU", "INTERNAL_ERROR", "Cannot detach disk device with no alias");
  }
  const ctx = obj.vcpus!.ctx;
  const removal = ctx.removal;
  removal.mark(alias);
  try {
    try {
      await obj.proc!.monitor.qmp.execute("device_del", { id: alias });
    } catch (err) {
      // libvirt's qemuDomainDeleteDevice: QEMU no longer knowing the device means it is gone
      // (remove it now); an event already seen means the same; anything else is the error.
      const gone = err instanceof QmpCommandError && err.errorClass === "DeviceNotFound";
      if (gone || removal.alias === undefined) return await removeDisk(s, obj, disk);
      throw err instanceof QmpCommandError
        ? VirError.report("QEMU", "INTERNAL_ERROR", err.message)
        : err;
    }
    const outcome = await removal.wait(ctx.unplugTimeoutMs);
    if (outcome === "rejected") {
      throw VirError.report(
        "QEMU",
        "OPERATION_FAILED",
        "unplug of device was rejected by the guest",
      );
    }
    // On a timeout the detach succeeds and the disk stays until its DEVICE_DELETED comes.
    if (outcome === "removed") await removeDisk(s, obj, disk);
  } finally {
    removal.reset();
  }
}

/**
 * `qemuDomainRemoveDiskDevice`: the disk leaves the live definition, its hot-plugged block
 * nodes go (a disk from the command line takes its drive with it), and DEVICE_REMOVED is
 * emitted.
 */
async function removeDisk(s: QemuDriverState, obj: QemuDomainObj, disk: XmlElement): Promise<void> {
  const other = obj.def.devices.other;
  other.splice(other.indexOf(disk), 1);
  const n = sourceIndex(disk);
  if (n !== undefined && obj.proc) {
    const nodes = diskNodes(n);
    for (const node of [nodes.format, nodes.storage]) {
      await obj.proc.monitor.run("blockdev-del", { "node-name": node }).catch((err) =>
        s.log(`removing node '${node}' of '${obj.def.name}' failed: ${err?.message ?? err}`)
      );
    }
  }
  s.emitOther(obj, VIR.DOMAIN_EVENT_ID_DEVICE_REMOVED, {
    devAlias: child(disk, "alias")?.attributes.name,
  });
}

/**
 * A DEVICE_DELETED nobody waited for (`processDeviceDeletedEvent`): the disk of that alias is
 * removed now. False when no disk has it.
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
  const disk = obj.def.devices.other.find((d) =>
    d.name === "disk" && child(d, "alias")?.attributes.name === alias
  );
  if (!disk) return false;
  await removeDisk(s, obj, disk);
  return true;
}
