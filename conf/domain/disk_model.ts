/**
 * The typed JSON model of a `<disk>` (libvirt's `virDomainDiskDef`): its attributes, driver,
 * source (with its hosts), target, boot order, flags, identifiers, alias and address as fields;
 * every other child (`auth`, `backingStore`, `iotune`, `encryption`, `blockio`, …) in `extra`.
 * Attribute names inside `driver`, `source`, `target` and `boot` are libvirt's XML names.
 *
 * @example
 * ```ts
 * import { DISK_MODEL } from "./disk_model.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * DISK_MODEL.toModel(parse("<disk type='file' device='disk'><source file='/a.img'/></disk>"));
 * // { type: "file", device: "disk", source: { file: "/a.img" } }
 * ```
 * @module
 */
import { z } from "zod";
import { attr, deviceModel, kid, type ModelOf } from "./device_model.ts";
import { DEVICE_ENUMS } from "./devices.ts";
import { elementSpec } from "./schema.ts";

const spec = (parent: string, name: string, grandparent?: string) =>
  elementSpec(parent, name, grandparent)!;
const enumOf = (values: string[]) => z.enum(values as [string, ...string[]]);

const sourceAttrs = Object.fromEntries(
  spec("disk", "source").attrs.map((a) => [a, attr.string(z.string())]),
);
const sourceKids = { hosts: kid.attributes("host", spec("source", "host", "disk").attrs, true) };

/** `<disk><source>`: its attributes, its `<host>`s, and its other children in `extra`. */
export const DISK_SOURCE_MODEL = deviceModel(
  "source",
  sourceAttrs,
  sourceKids,
  spec("disk", "source").kids,
  { description: "The disk's <source>: a file, block device, directory, volume or network disk" },
);

const diskAttrs = {
  type: attr.string(enumOf(DEVICE_ENUMS.disk.type), true),
  device: attr.string(enumOf(DEVICE_ENUMS.disk.device), true),
  model: attr.string(z.string()),
  rawio: attr.string(z.string()),
  sgio: attr.string(z.string()),
  snapshot: attr.string(z.string()),
};

const diskKids = {
  driver: kid.attributes("driver", spec("disk", "driver").attrs),
  source: kid.model("source", DISK_SOURCE_MODEL),
  target: kid.attributes("target", spec("disk", "target").attrs),
  boot: kid.attributes("boot", spec("disk", "boot").attrs),
  readonly: kid.flag("readonly"),
  shareable: kid.flag("shareable"),
  transient: kid.flag("transient"),
  serial: kid.text("serial"),
  wwn: kid.text("wwn"),
  vendor: kid.text("vendor"),
  product: kid.text("product"),
  alias: kid.attribute("alias", "name"),
  address: kid.attributesByType(
    "address",
    (type) => elementSpec("disk", "address", "devices", type)?.attrs,
  ),
};

/** The model of `<disk>`; its attributes are exactly those conf keeps (checked by a test). */
export const DISK_MODEL = deviceModel(
  "disk",
  diskAttrs,
  diskKids,
  spec("devices", "disk").kids,
  {
    description: "A <disk>: typed fields, and every other child in extra",
    examples: [{
      type: "file",
      device: "disk",
      driver: { name: "qemu", type: "qcow2" },
      source: { file: "/var/lib/libvirt/images/web.qcow2" },
      target: { dev: "vda", bus: "virtio" },
    }, {
      type: "file",
      device: "cdrom",
      source: { file: "/srv/iso/install.iso" },
      target: { dev: "sda", bus: "sata" },
      readonly: true,
    }],
  },
);

/** A `<disk>` as JSON. */
export type DiskModel = ModelOf<typeof diskAttrs, typeof diskKids>;
