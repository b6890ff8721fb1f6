/**
 * virtiofs shares plugged into and out of a running domain, as libvirt 9.0's
 * `qemuDomainAttachFSDevice`, `qemuDomainDetachPrepFS` and `qemuDomainRemoveFSDevice` do it: only
 * virtiofs shares (9p ones are refused both ways); the next `fs<N>` alias and a PCI address as
 * the start would give them; the driver's own virtiofsd started (a share of an externally
 * launched daemon needs none), then the vhost-user chardev (`chardev-add`) and the device
 * (`device_add`), each taken back if a later step fails; on the way out, once QEMU let go of the
 * device, its chardev and its virtiofsd.
 *
 * @module
 */
import type { DomainDef } from "../../../conf/domain/def.ts";
import { child, element, type XmlElement } from "../../../util/xml/mod.ts";
import { VirError } from "../../../util/errors.ts";
import { virtiofsDeviceProps, virtiofsSocket } from "../command/virtiofs_args.ts";
import type { QemuDomainObj } from "../domain_private.ts";
import type { QemuDriverState } from "../driver_state.ts";
import { qemuPostParse } from "../postparse.ts";
import {
  prepareShare,
  startShare,
  stopShare,
  vhostUserDirs,
  virtiofsDir,
  type VirtiofsdPlace,
  virtiofsdToCgroup,
} from "../virtiofsd.ts";
import { chardevAddBackend } from "./device_chardev.ts";
import { pciProps } from "./device_disk.ts";
import { insertParsedDevice, sameAddress } from "./device_parse.ts";
import { ensureQ35Port } from "./device_pci.ts";

const isVirtiofs = (fs: XmlElement) => child(fs, "driver")?.attributes.type === "virtiofs";
const notHotpluggable = () =>
  VirError.report("QEMU", "OPERATION_UNSUPPORTED", "only virtiofs filesystems can be hotplugged");
const placeOf = (s: QemuDriverState, obj: QemuDomainObj): VirtiofsdPlace => ({
  runDir: s.paths.runDir,
  id: obj.def.id,
  name: obj.def.name,
});

/** `qemuAssignDeviceFSAlias`: one more than the highest `fs<N>` in use. */
function nextFsAlias(obj: QemuDomainObj): string {
  const used = obj.def.devices.other.map((d) =>
    d.name === "filesystem" ? /^fs(\d+)$/.exec(child(d, "alias")?.attributes.name ?? "")?.[1] : ""
  ).filter((n) => n).map(Number);
  return `fs${used.length ? Math.max(...used) + 1 : 0}`;
}

/**
 * Plugs the virtiofs share `fs` into the running domain `obj`.
 *
 * @example
 * ```ts
 * import { attachFilesystemLive } from "./device_fs.ts";
 * import { parse } from "../../../util/xml/mod.ts";
 * declare const s: import("../driver_state.ts").QemuDriverState;
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * await attachFilesystemLive(
 *   s,
 *   obj,
 *   parse("<filesystem><driver type='virtiofs'/><source dir='/srv'/><target dir='t'/></filesystem>"),
 * );
 * ```
 */
export async function attachFilesystemLive(
  s: QemuDriverState,
  obj: QemuDomainObj,
  fs: XmlElement,
): Promise<void> {
  // Validated against the running definition first, as libvirt's device parse does.
  const copy = structuredClone(obj.def);
  insertParsedDevice(copy, fs);
  qemuPostParse(copy, { privileged: s.privileged, live: true });
  if (!isVirtiofs(fs)) throw notHotpluggable();
  ensureQ35Port(copy, fs);
  const address = child(fs, "address")?.attributes;
  if (address?.type !== "pci") {
    throw VirError.report("QEMU", "OPERATION_FAILED", "No more available PCI slots");
  }
  if (!child(fs, "alias")) {
    // Before the address, where libvirt writes a device's alias.
    const at = fs.children.findIndex((c) => c.type === "element" && c.name === "address");
    fs.children.splice(at, 0, element("alias", { name: nextFsAlias(obj) }));
  }
  const place = placeOf(s, obj);
  const own = child(fs, "source")?.attributes.socket === undefined;
  const props = virtiofsDeviceProps(fs);
  const mon = obj.proc!.monitor;
  const undo: (() => Promise<unknown>)[] = [];
  try {
    if (own) {
      await prepareShare(fs, vhostUserDirs(s.privileged));
      await startShare(place, fs);
      undo.push(() => stopShare(place, fs));
      if (obj.cgroup) await virtiofsdToCgroup(place, fs, obj.cgroup);
    }
    const socket = element("channel", { type: "unix" }, [
      element("source", { mode: "connect", path: virtiofsSocket(fs, virtiofsDir(place)) }),
    ]);
    await mon.run("chardev-add", { id: props.chardev, backend: chardevAddBackend(socket) });
    undo.push(() => mon.run("chardev-remove", { id: props.chardev }));
    await mon.run("device_add", { ...props, ...pciProps(copy, address) });
  } catch (err) {
    for (const step of undo.reverse()) await step().catch(() => {});
    throw err;
  }
  insertParsedDevice(obj.def, fs);
}

/**
 * `virDomainFSIndexByName`: the share of `def` with the target of `fs`.
 *
 * @example
 * ```ts
 * import { filesystemByTarget } from "./device_fs.ts";
 * import { parse } from "../../../util/xml/mod.ts";
 * declare const def: import("../../../conf/domain/def.ts").DomainDef;
 * filesystemByTarget(def, parse("<filesystem><target dir='t'/></filesystem>"));
 * ```
 */
export function filesystemByTarget(def: DomainDef, fs: XmlElement): XmlElement | undefined {
  const target = child(fs, "target")?.attributes.dir;
  return def.devices.other.find((d) =>
    d.name === "filesystem" && child(d, "target")?.attributes.dir === target
  );
}

/**
 * `qemuDomainDetachPrepFS`: the live share `wanted` names (by target, address and alias, as
 * `virDomainFSDefFind`), which must be a virtiofs one.
 *
 * @example
 * ```ts
 * import { findFilesystemToUnplug } from "./device_fs.ts";
 * import { parse } from "../../../util/xml/mod.ts";
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * findFilesystemToUnplug(obj, parse("<filesystem><target dir='t'/></filesystem>"));
 * ```
 */
export function findFilesystemToUnplug(obj: QemuDomainObj, wanted: XmlElement): XmlElement {
  const target = child(wanted, "target")?.attributes.dir;
  const at = child(wanted, "address");
  const alias = child(wanted, "alias")?.attributes.name;
  const fs = obj.def.devices.other.find((d) =>
    d.name === "filesystem" &&
    (target === undefined || child(d, "target")?.attributes.dir === target) &&
    (!at || sameAddress(at, child(d, "address"))) &&
    (alias === undefined || child(d, "alias")?.attributes.name === alias)
  );
  if (!fs) throw VirError.report("QEMU", "DEVICE_MISSING", "matching filesystem not found");
  if (!isVirtiofs(fs)) throw notHotpluggable();
  return fs;
}

/**
 * `qemuDomainRemoveFSDevice`: once QEMU let go of the device, its chardev leaves QEMU, the
 * driver's virtiofsd stops and the share leaves the live definition.
 *
 * @example
 * ```ts
 * import { removeFilesystemLive } from "./device_fs.ts";
 * declare const s: import("../driver_state.ts").QemuDriverState;
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * declare const fs: import("../../../util/xml/mod.ts").XmlElement;
 * await removeFilesystemLive(s, obj, fs);
 * ```
 */
export async function removeFilesystemLive(
  s: QemuDriverState,
  obj: QemuDomainObj,
  fs: XmlElement,
): Promise<void> {
  const alias = child(fs, "alias")?.attributes.name;
  if (obj.proc) await obj.proc.monitor.run("chardev-remove", { id: `chr-vu-${alias}` });
  if (child(fs, "source")?.attributes.socket === undefined) await stopShare(placeOf(s, obj), fs);
  const other = obj.def.devices.other;
  other.splice(other.indexOf(fs), 1);
}
