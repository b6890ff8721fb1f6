/**
 * The JSON model of a domain that the REST API exchanges: conf's {@link DomainDef} with typed
 * `devices.disks` and `devices.graphics` beside the typed `devices.interfaces`; every other
 * device stays a normalised element tree in `devices.other`. The conversions are exact both
 * ways: a model written back gives the same definition (a test checks libvirt's corpus).
 *
 * @example
 * ```ts
 * import { domainFromModel, domainToModel } from "./domain_model.ts";
 * import { parseDomainXML } from "./parse.ts";
 * const def = parseDomainXML(
 *   "<domain type='test'><name>a</name><memory>1024</memory><os><type>hvm</type></os>" +
 *     "<devices><disk type='file'><source file='/a.img'/><target dev='vda'/></disk></devices></domain>",
 * );
 * const model = domainToModel(def);
 * model.devices.disks[0].target; // { dev: "vda", bus: "virtio" }
 * domainFromModel(model); // equal to def
 * ```
 * @module
 */
import { z } from "zod";
import { DEVICE_ORDER } from "./devices.ts";
import { type DomainDef, DomainDefSchema, DomainDevicesSchema, XmlElementSchema } from "./def.ts";
import { DISK_MODEL } from "./disk_model.ts";
import { GRAPHICS_MODEL } from "./graphics_model.ts";
import type { XmlElement } from "../../util/xml/mod.ts";

/** `<devices>` in the REST model. */
export const DomainDevicesModelSchema = z.strictObject({
  emulator: DomainDevicesSchema.shape.emulator,
  disks: z.array(DISK_MODEL.schema),
  interfaces: DomainDevicesSchema.shape.interfaces,
  graphics: z.array(GRAPHICS_MODEL.schema),
  /** Every other device, as element trees (`controller`, `video`, `serial`, …). */
  other: z.array(XmlElementSchema),
});

/**
 * The domain's REST model: an unknown field, at any depth, is refused (as in every model).
 *
 * @example
 * ```ts
 * import { DomainModelSchema } from "./domain_model.ts";
 * DomainModelSchema.safeParse({}).success; // false
 * ```
 */
export const DomainModelSchema = z.strictObject({
  ...DomainDefSchema.shape,
  devices: DomainDevicesModelSchema,
});

/** A domain definition as the REST API exchanges it. */
export type DomainModel = z.infer<typeof DomainModelSchema>;

/** The REST model of a definition. */
export function domainToModel(def: DomainDef): DomainModel {
  const { other, ...devices } = def.devices;
  const of = (name: string) => other.filter((d) => d.name === name) as XmlElement[];
  return {
    ...def,
    devices: {
      ...("emulator" in devices ? { emulator: devices.emulator } : {}),
      disks: of("disk").map(DISK_MODEL.toModel),
      interfaces: devices.interfaces,
      graphics: of("graphics").map(GRAPHICS_MODEL.toModel),
      other: other.filter((d) => d.name !== "disk" && d.name !== "graphics"),
    },
  };
}

const rank = new Map(DEVICE_ORDER.map((n, i) => [n, i]));

/** The definition of a REST model (validated by {@link DomainModelSchema}). */
export function domainFromModel(model: DomainModel): DomainDef {
  const { disks, graphics, other, ...devices } = model.devices;
  const all = [
    ...disks.map(DISK_MODEL.fromModel),
    ...graphics.map(GRAPHICS_MODEL.fromModel),
    ...other,
  ] as XmlElement[];
  // libvirt writes devices by kind in DEVICE_ORDER; the sort is stable within a kind.
  all.sort((a, b) => (rank.get(a.name) ?? rank.size) - (rank.get(b.name) ?? rank.size));
  return { ...model, devices: { ...devices, other: all } };
}
