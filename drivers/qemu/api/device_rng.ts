/**
 * Virtio RNGs plugged into and out of a running domain, as libvirt 9.0's
 * `qemuDomainAttachRNGDevice` and `qemuDomainRemoveRNGDevice` do it: the next `rng<N>` alias, a
 * PCI address as the start would give it, then the entropy daemon's chardev (`chardev-add`), the
 * backend object (`object-add`) and the device (`device_add`), each taken back if a later step
 * fails; on the way out, once QEMU let go of the device, its object and chardev.
 *
 * @module
 */
import { child, element, type XmlElement } from "../../../util/xml/mod.ts";
import { VirError } from "../../../util/errors.ts";
import { rngBackend, rngDeviceProps } from "../command/rng_args.ts";
import type { QemuDomainObj } from "../domain_private.ts";
import { qemuPostParse } from "../postparse.ts";
import { chardevAddBackend } from "./device_chardev.ts";
import { pciProps } from "./device_disk.ts";
import { insertParsedDevice } from "./device_parse.ts";
import { ensureQ35Port } from "./device_pci.ts";

/** `qemuAssignDeviceRNGAlias`: one more than the highest `rng<N>` in use. */
function nextRngAlias(obj: QemuDomainObj): string {
  const used = obj.def.devices.other.map((d) =>
    /^rng(\d+)$/.exec(child(d, "alias")?.attributes.name ?? "")?.[1]
  ).filter((n) => n !== undefined).map(Number);
  return `rng${used.length ? Math.max(...used) + 1 : 0}`;
}

/**
 * Plugs the RNG `dev` into the running domain `obj`.
 *
 * @example
 * ```ts
 * import { attachRngLive } from "./device_rng.ts";
 * import { parse } from "../../../util/xml/mod.ts";
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * await attachRngLive(obj, parse("<rng model='virtio'><backend model='random'/></rng>"));
 * ```
 */
export async function attachRngLive(obj: QemuDomainObj, dev: XmlElement): Promise<void> {
  if (!child(dev, "alias")) {
    // Before the address, where libvirt writes a device's alias.
    const at = dev.children.findIndex((c) => c.type === "element" && c.name === "address");
    const alias = element("alias", { name: nextRngAlias(obj) });
    if (at < 0) dev.children.push(alias);
    else dev.children.splice(at, 0, alias);
  }
  const alias = child(dev, "alias")!.attributes.name;
  // Placed in a copy, as libvirt's post-parse and address assignment would.
  const copy = structuredClone(obj.def);
  insertParsedDevice(copy, dev);
  qemuPostParse(copy, { live: true });
  ensureQ35Port(copy, dev);
  const address = child(dev, "address")?.attributes;
  if (address?.type !== "pci") {
    throw VirError.report("QEMU", "OPERATION_FAILED", "No more available PCI slots");
  }
  const { object, chardev } = rngBackend(dev, alias);
  const mon = obj.proc!.monitor;
  const undo: (() => Promise<unknown>)[] = [];
  try {
    if (chardev) {
      await mon.run("chardev-add", { id: `char${alias}`, backend: chardevAddBackend(chardev) });
      undo.push(() => mon.run("chardev-remove", { id: `char${alias}` }));
    }
    await mon.run("object-add", object);
    undo.push(() => mon.run("object-del", { id: object.id }));
    await mon.run("device_add", { ...rngDeviceProps(dev, alias), ...pciProps(copy, address) });
  } catch (err) {
    for (const step of undo.reverse()) await step().catch(() => {});
    throw err;
  }
  insertParsedDevice(obj.def, dev);
}

/**
 * `qemuDomainRemoveRNGDevice`: the RNG leaves the live definition, then its backend object and
 * its daemon's chardev leave QEMU.
 *
 * @example
 * ```ts
 * import { removeRngLive } from "./device_rng.ts";
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * declare const rng: import("../../../util/xml/mod.ts").XmlElement;
 * await removeRngLive(obj, rng);
 * ```
 */
export async function removeRngLive(obj: QemuDomainObj, rng: XmlElement): Promise<void> {
  const other = obj.def.devices.other;
  other.splice(other.indexOf(rng), 1);
  const alias = child(rng, "alias")?.attributes.name;
  const mon = obj.proc?.monitor;
  if (!mon || !alias) return;
  await mon.run("object-del", { id: `obj${alias}` });
  if (child(rng, "backend")?.attributes.model === "egd") {
    await mon.run("chardev-remove", { id: `char${alias}` });
  }
}
