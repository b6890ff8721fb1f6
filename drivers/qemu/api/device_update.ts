/**
 * `virDomainUpdateDeviceFlags` of the QEMU driver for disks, NICs and graphics
 * (`qemuDomainUpdateDeviceConfig`, `qemuDomainChangeDiskLive`, `qemuDomainChangeNet`, the
 * latter in device_nic_update.ts, `qemuDomainChangeGraphics` in device_graphics.ts): the persistent disk is replaced; a running cdrom gets its new
 * medium through {@link changeMedia}, and nothing else of a live disk may change.
 *
 * @module
 */
import type { DomainDef } from "../../../conf/domain/def.ts";
import { VIR } from "../../../util/constants.ts";
import { checkFlags, VirError } from "../../../util/errors.ts";
import { child, type XmlElement } from "../../../util/xml/mod.ts";
import type { QemuDomainObj } from "../domain_private.ts";
import type { QemuDriverState } from "../driver_state.ts";
import { qemuPostParse } from "../postparse.ts";
import { changeDevice } from "./device_config.ts";
import { changeMedia } from "./device_media.ts";
import { diskByTarget, refuseUnless, targetOf } from "./device_parse.ts";
import { updateNicConfig } from "./device_nic.ts";
import { updateNicLive } from "./device_nic_update.ts";
import { changeGraphicsLive, updateGraphicsConfig } from "./device_graphics.ts";
import { updateMemoryLive } from "./device_memory.ts";

const ALLOWED = VIR.DOMAIN_AFFECT_LIVE | VIR.DOMAIN_AFFECT_CONFIG | VIR.DOMAIN_DEVICE_MODIFY_FORCE;

/**
 * Updates the device `xml` describes in the definitions `flags` select.
 *
 * @example
 * ```ts
 * import { updateDevice } from "./device_update.ts";
 * declare const state: import("../driver_state.ts").QemuDriverState;
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * await updateDevice(state, obj, "<disk device='cdrom'><source file='/b.iso'/><target dev='hdc'/></disk>", 1);
 * ```
 */
export async function updateDevice(
  s: QemuDriverState,
  obj: QemuDomainObj,
  xml: string,
  flags: number,
): Promise<void> {
  checkFlags(flags, ALLOWED, "qemuDomainUpdateDeviceFlags", "QEMU");
  const force = (flags & VIR.DOMAIN_DEVICE_MODIFY_FORCE) !== 0;
  await changeDevice(s, obj, xml, flags & ~VIR.DOMAIN_DEVICE_MODIFY_FORCE, {
    validate: true,
    config: updateConfig,
    live: (dev) => updateLive(s, obj, dev, force),
  });
}

function updateConfig(vmdef: DomainDef, dev: XmlElement): void {
  refuseUnless(dev, "persistent update");
  if (dev.name === "interface") return updateNicConfig(vmdef, dev);
  if (dev.name === "graphics") return updateGraphicsConfig(vmdef, dev);
  const old = diskByTarget(vmdef, targetOf(dev));
  if (!old) throw VirError.report("QEMU", "INVALID_ARG", `target ${targetOf(dev)} doesn't exist.`);
  vmdef.devices.other.splice(vmdef.devices.other.indexOf(old), 1, dev);
  qemuPostParse(vmdef);
}

/** What `qemuDomainDiskChangeSupported` compares first: a live disk keeps these. */
function checkUnchanged(disk: XmlElement, orig: XmlElement): void {
  const fields: [string, (d: XmlElement) => string | undefined][] = [
    ["device", (d) => d.attributes.device ?? "disk"],
    ["bus", (d) => child(d, "target")?.attributes.bus],
  ];
  for (const [name, get] of fields) {
    if (get(disk) !== get(orig)) {
      throw VirError.report(
        "QEMU",
        "OPERATION_UNSUPPORTED",
        `cannot modify field '${name}' of the disk`,
      );
    }
  }
}

async function updateLive(
  s: QemuDriverState,
  obj: QemuDomainObj,
  dev: XmlElement,
  force: boolean,
): Promise<void> {
  refuseUnless(dev, "live update");
  if (dev.name === "interface") return await updateNicLive(s, obj, dev);
  if (dev.name === "memory") return await updateMemoryLive(obj, dev);
  if (dev.name === "graphics") return await changeGraphicsLive(obj, dev);
  const orig = diskByTarget(obj.def, targetOf(dev));
  if (!orig) throw VirError.report("QEMU", "INTERNAL_ERROR", `disk '${targetOf(dev)}' not found`);
  checkUnchanged(dev, orig);
  const file = (d: XmlElement) => child(d, "source")?.attributes.file;
  if (file(dev) === file(orig)) return;
  const removable = dev.attributes.device === "cdrom" || dev.attributes.device === "floppy";
  if (!removable) {
    throw VirError.report(
      "QEMU",
      "CONFIG_UNSUPPORTED",
      "disk source can be changed only in removable drives",
    );
  }
  await changeMedia(s, obj, orig, dev, force);
}
