/**
 * The domain as libvirt's snapshot code aligns disks against it: after the QEMU driver's disk
 * post-parse, which makes a read-only disk (a cdrom among them) `snapshot='no'` unless it
 * says otherwise.
 *
 * @module
 */
import type { DomainDef } from "../../../conf/domain/def.ts";
import { child } from "../../../util/xml/mod.ts";

/**
 * A copy of `dom` with libvirt's snapshot defaults of read-only disks.
 *
 * @example
 * ```ts
 * import { snapshotView } from "./snapshot_view.ts";
 * declare const dom: import("../../../conf/domain/def.ts").DomainDef;
 * snapshotView(dom).devices.other.filter((d) => d.attributes.snapshot === "no");
 * ```
 */
export function snapshotView(dom: DomainDef): DomainDef {
  const view = structuredClone(dom);
  for (const d of view.devices.other) {
    if (d.name !== "disk" || d.attributes.snapshot) continue;
    if (child(d, "readonly") || d.attributes.device === "cdrom") d.attributes.snapshot = "no";
  }
  return view;
}
