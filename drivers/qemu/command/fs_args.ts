/**
 * Host folders shared with the guest over virtio-9p, as libvirt 9.0 starts them
 * (`qemuBuildFSDevCommandLine`): an `-fsdev` with QEMU's local backend (the access mode as its
 * security model, the write policy, the multidevs policy, the modes of files and folders QEMU
 * makes, read-only), then the `virtio-9p-pci` device whose mount tag the guest mounts. Before
 * that, the checks of libvirt's `qemuValidateDomainDeviceDefFS` (virtiofs shares: see
 * `virtiofs_args.ts`).
 *
 * @module
 */
import { child, type XmlElement } from "../../../util/xml/mod.ts";
import { VirError } from "../../../util/errors.ts";
import type { DomainDef } from "../../../conf/domain/def.ts";
import { optValue } from "./escape.ts";
import { unsupportedDevice } from "./unsupported.ts";
import { validateVirtiofs, virtiofsArgs, virtiofsSocket } from "./virtiofs_args.ts";
import { virtioOptions } from "./virtio_options.ts";

/** QEMU's 9p device of each `<filesystem model>`. */
const FS_DEVICES: Record<string, string> = {
  virtio: "virtio-9p-pci",
  "virtio-transitional": "virtio-9p-pci-transitional",
  "virtio-non-transitional": "virtio-9p-pci-non-transitional",
};

/** QEMU's security model of each access mode. */
const SECURITY_MODELS: Record<string, string> = {
  mapped: "mapped",
  passthrough: "passthrough",
  squash: "none",
};

const refuse = (message: string) => VirError.report("QEMU", "CONFIG_UNSUPPORTED", message);

/**
 * `qemuValidateDomainDeviceDefFS` for what needs no QEMU probe, in its order (a sandbox off
 * virtiofs never gets here: the parser keeps `<binary>` for virtiofs only), in domain `def` of
 * a `privileged` (system) driver or not (undefined: not looked at, see `validateVirtiofs`).
 *
 * @example
 * ```ts
 * import { validateFilesystem } from "./fs_args.ts";
 * import { parse } from "../../../util/xml/mod.ts";
 * declare const def: import("../../../conf/domain/def.ts").DomainDef;
 * validateFilesystem(parse("<filesystem type='mount' accessmode='mapped' fmode='0644'/>"), def);
 * ```
 */
export function validateFilesystem(fs: XmlElement, def: DomainDef, privileged?: boolean): void {
  const a = fs.attributes;
  const driver = child(fs, "driver")?.attributes ?? {};
  if ((a.type ?? "mount") !== "mount") throw refuse("only supports mount filesystem type");
  if ((a.fmode || a.dmode) && a.accessmode !== "mapped") {
    throw refuse("fmode and dmode must be used with accessmode=mapped");
  }
  if (driver.type === "handle" && (a.accessmode ?? "passthrough") !== "passthrough") {
    throw refuse("only supports passthrough accessmode");
  }
  if (driver.type === "virtiofs") validateVirtiofs(fs, def, privileged);
  if (["loop", "nbd", "ploop"].includes(driver.type)) {
    // Without an address libvirt fails before, while placing it: no PCI bus takes a device of
    // these drivers' (empty) connection flags.
    if (!child(fs, "address")) {
      throw VirError.report(
        "DOMAIN",
        "INTERNAL_ERROR",
        "Cannot automatically add a new PCI bus for a device with connect flags 00",
      );
    }
    throw refuse("Filesystem driver type not supported");
  }
}

/**
 * The arguments of one `<filesystem>` whose PCI placement (`,bus=…,addr=…`) is `at`: a 9p
 * share's, or a virtiofs share's whose daemon's socket is in (or, run by the driver, goes to)
 * the domain's private folder `libDir`.
 *
 * @example
 * ```ts
 * import { filesystemArgs } from "./fs_args.ts";
 * import { parse } from "../../../util/xml/mod.ts";
 * filesystemArgs(
 *   parse(
 *     "<filesystem type='mount' accessmode='passthrough'><source dir='/srv'/>" +
 *       "<target dir='srv'/><alias name='fs0'/></filesystem>",
 *   ),
 *   ",bus=pci.0,addr=0x3",
 * );
 * // ["-fsdev", "local,security_model=passthrough,id=fsdev-fs0,path=/srv",
 * //  "-device", "virtio-9p-pci,id=fs0,fsdev=fsdev-fs0,mount_tag=srv,bus=pci.0,addr=0x3"]
 * ```
 */
export function filesystemArgs(fs: XmlElement, at: string, libDir = ""): string[] {
  const a = fs.attributes;
  const driver = child(fs, "driver");
  const type = driver?.attributes.type ?? "path";
  const alias = child(fs, "alias")?.attributes.name;
  const device = FS_DEVICES[a.model ?? "virtio"];
  const path = child(fs, "source")?.attributes.dir;
  const tag = child(fs, "target")?.attributes.dir;
  if (type === "virtiofs" && alias && at) return virtiofsArgs(fs, at, virtiofsSocket(fs, libDir));
  if (!alias || !device || !at || !path || !tag) throw unsupportedDevice(fs, device);
  const backend = type === "handle" ? ["handle"] : [
    "local",
    SECURITY_MODELS[a.accessmode ?? ""] && `security_model=${SECURITY_MODELS[a.accessmode]}`,
    a.multidevs && `multidevs=${a.multidevs}`,
    a.fmode && `fmode=${a.fmode}`,
    a.dmode && `dmode=${a.dmode}`,
  ];
  const fsdev = `fsdev-${alias}`;
  const opts = [
    ...backend,
    driver?.attributes.wrpolicy && `writeout=${driver.attributes.wrpolicy}`,
    `id=${optValue(fsdev)}`,
    `path=${optValue(path)}`,
    child(fs, "readonly") && "readonly",
  ].filter((o) => o);
  return [
    "-fsdev",
    opts.join(","),
    "-device",
    `${device}${virtioOptions(driver)},id=${optValue(alias)},fsdev=${optValue(fsdev)},mount_tag=${
      optValue(tag)
    }${at}`,
  ];
}
