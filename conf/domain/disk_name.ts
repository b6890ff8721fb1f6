import { child, type XmlElement } from "../../util/xml/mod.ts";

/**
 * virDiskNameToIndex: the letters after the bus prefix, base 26 ("hda" = 0, "sdaa" = 26);
 * -1 for a name libvirt cannot index.
 *
 * @example
 * ```ts
 * import { diskNameIndex } from "./disk_name.ts";
 * diskNameIndex("vdc"); // 2
 * ```
 */
export function diskNameIndex(dev: string | undefined): number {
  const letters = /^(?:hd|sd|vd|xvd|ubd|fd)([a-z]+)\d*$/.exec(dev ?? "")?.[1];
  if (!letters) return -1;
  let idx = 0;
  for (const c of letters) idx = idx * 26 + (c.charCodeAt(0) - 96);
  return idx - 1;
}

/**
 * virDomainDiskInsert: a disk goes before the first disk on its bus with a higher index, else
 * right after the last disk on its bus, else at the end — so disks on one bus end up sorted.
 *
 * @example
 * ```ts
 * import { element } from "../../util/xml/mod.ts";
 * import { insertDisk } from "./disk_name.ts";
 * const disk = (dev: string) => element("disk", {}, [element("target", { dev, bus: "virtio" })]);
 * const disks = [disk("vdb")];
 * insertDisk(disks, disk("vda")); // disks: vda, vdb
 * ```
 */
export function insertDisk(disks: XmlElement[], disk: XmlElement): void {
  const target = (d: XmlElement) => child(d, "target")?.attributes;
  const bus = target(disk)?.bus;
  const index = diskNameIndex(target(disk)?.dev);
  let at = -1;
  for (let i = disks.length - 1; i >= 0; i--) {
    const t = target(disks[i]);
    if (t?.bus !== bus) continue;
    if (diskNameIndex(t?.dev) > index) at = i;
    else if (at === -1) at = i + 1;
  }
  if (at === -1) disks.push(disk);
  else disks.splice(at, 0, disk);
}
