/**
 * A virtio RNG on the command line as libvirt 9.0 writes it (`qemuBuildRNGCommandLine`): the
 * backend object `obj<alias>` (`rng-random` reading the host file, `rng-builtin`, or `rng-egd`
 * talking to an entropy daemon over the chardev `char<alias>`), then the device, rate-limited by
 * `<rate>` (a period of 1000 ms when only the bytes are given).
 *
 * @module
 */
import { child, textOf, type XmlElement } from "../../../util/xml/mod.ts";
import { VirError } from "../../../util/errors.ts";
import { keyvalDevice } from "./escape.ts";
import { chardevBackend } from "./chardev_args.ts";
import { unsupportedDevice } from "./unsupported.ts";
import { virtioProps } from "./virtio_options.ts";

/** QEMU's device for each virtio RNG model. */
const RNG_DEVICES: Record<string, string> = {
  virtio: "virtio-rng-pci",
  "virtio-transitional": "virtio-rng-pci-transitional",
  "virtio-non-transitional": "virtio-rng-pci-non-transitional",
};

/** The backend object of an RNG named `alias` and, for an entropy daemon, its chardev. */
export interface RngBackend {
  object: Record<string, string>;
  /** The `<backend>` element of an `egd` backend, whose chardev is `char<alias>`. */
  chardev?: XmlElement;
}

/**
 * `qemuBuildRNGBackendProps`: the backend object `obj<alias>` of an `<rng>`.
 *
 * @example
 * ```ts
 * import { rngBackend } from "./rng_args.ts";
 * import { parse } from "../../../util/xml/mod.ts";
 * rngBackend(parse("<rng model='virtio'><backend model='builtin'/></rng>"), "rng0").object;
 * // { "qom-type": "rng-builtin", id: "objrng0" }
 * ```
 */
export function rngBackend(dev: XmlElement, alias: string): RngBackend {
  const backend = child(dev, "backend");
  const id = `obj${alias}`;
  switch (backend?.attributes.model) {
    case "random":
      return { object: { "qom-type": "rng-random", id, filename: textOf(backend)?.trim() ?? "" } };
    case "builtin":
      return { object: { "qom-type": "rng-builtin", id } };
    case "egd":
      return { object: { "qom-type": "rng-egd", id, chardev: `char${alias}` }, chardev: backend };
    default:
      throw VirError.report("QEMU", "CONFIG_UNSUPPORTED", "unknown rng-random backend");
  }
}

/**
 * `qemuBuildRNGDevProps` without the address: the device, its virtio options, its backend and
 * its rate limit (a period of 1000 ms when only the bytes are given).
 *
 * @example
 * ```ts
 * import { rngDeviceProps } from "./rng_args.ts";
 * import { parse } from "../../../util/xml/mod.ts";
 * rngDeviceProps(parse("<rng model='virtio'><rate bytes='1024'/></rng>"), "rng0");
 * // { driver: "virtio-rng-pci", rng: "objrng0", id: "rng0", "max-bytes": 1024, period: 1000 }
 * ```
 */
export function rngDeviceProps(dev: XmlElement, alias: string): Record<string, unknown> {
  const driver = RNG_DEVICES[dev.attributes.model];
  if (!driver) throw unsupportedDevice(dev, driver);
  const rate = child(dev, "rate")?.attributes;
  const bytes = Number(rate?.bytes ?? 0);
  return {
    driver,
    ...virtioProps(child(dev, "driver")),
    rng: `obj${alias}`,
    id: alias,
    ...(bytes > 0 ? { "max-bytes": bytes, period: Number(rate?.period ?? 0) || 1000 } : {}),
  };
}

/**
 * The arguments of one `<rng>` whose PCI placement (`,bus=…,addr=…`) is `at`.
 *
 * @example
 * ```ts
 * import { rngArgs } from "./rng_args.ts";
 * import { parse } from "../../../util/xml/mod.ts";
 * rngArgs(
 *   parse("<rng model='virtio'><backend model='builtin'/><alias name='rng0'/></rng>"),
 *   ",bus=pci.0,addr=0x5",
 * );
 * // ["-object", '{"qom-type":"rng-builtin","id":"objrng0"}',
 * //  "-device", "virtio-rng-pci,rng=objrng0,id=rng0,bus=pci.0,addr=0x5"]
 * ```
 */
export function rngArgs(dev: XmlElement, at: string): string[] {
  const alias = child(dev, "alias")?.attributes.name;
  if (!alias || !at) throw unsupportedDevice(dev, RNG_DEVICES[dev.attributes.model]);
  const { object, chardev } = rngBackend(dev, alias);
  return [
    ...(chardev ? ["-chardev", chardevBackend(chardev, `char${alias}`)] : []),
    "-object",
    JSON.stringify(object),
    "-device",
    keyvalDevice(rngDeviceProps(dev, alias)) + at,
  ];
}
