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
import { optValue } from "./escape.ts";
import { chardevBackend } from "./chardev_args.ts";
import { unsupportedDevice } from "./unsupported.ts";
import { virtioOptions } from "./virtio_options.ts";

/** QEMU's device for each virtio RNG model. */
const RNG_DEVICES: Record<string, string> = {
  virtio: "virtio-rng-pci",
  "virtio-transitional": "virtio-rng-pci-transitional",
  "virtio-non-transitional": "virtio-rng-pci-non-transitional",
};

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
  const driver = RNG_DEVICES[dev.attributes.model];
  if (!alias || !driver || !at) throw unsupportedDevice(dev, driver);
  const backend = child(dev, "backend");
  const id = `obj${alias}`;
  const argv: string[] = [];
  let object: Record<string, string>;
  switch (backend?.attributes.model) {
    case "random":
      object = { "qom-type": "rng-random", id, filename: textOf(backend)?.trim() ?? "" };
      break;
    case "builtin":
      object = { "qom-type": "rng-builtin", id };
      break;
    case "egd":
      argv.push("-chardev", chardevBackend(backend!, `char${alias}`));
      object = { "qom-type": "rng-egd", id, chardev: `char${alias}` };
      break;
    default:
      throw VirError.report("QEMU", "CONFIG_UNSUPPORTED", "unknown rng-random backend");
  }
  const rate = child(dev, "rate")?.attributes;
  const bytes = Number(rate?.bytes ?? 0);
  const limit = bytes > 0 ? `,max-bytes=${bytes},period=${Number(rate?.period ?? 0) || 1000}` : "";
  argv.push(
    "-object",
    JSON.stringify(object),
    "-device",
    `${driver}${virtioOptions(child(dev, "driver"))},rng=${optValue(id)},id=${
      optValue(alias)
    }${limit}${at}`,
  );
  return argv;
}
