/**
 * virtiofs shares as libvirt 9.0 starts them with QEMU 7.2: a `vhost-user-fs-pci` device whose
 * vhost-user chardev connects to virtiofsd's socket (the one the driver runs, or an externally
 * launched daemon's `<source socket>`), `qemuBuildVHostUserFsCommandLine`. Before that, the
 * virtiofs checks of `qemuValidateDomainDeviceDefFS`, among them the shared guest memory
 * vhost-user needs (`qemuValidateDomainDefVhostUserRequireSharedMemory`).
 *
 * @module
 */
import type { DomainDef } from "../../../conf/domain/def.ts";
import { section } from "../../../conf/domain/tune_xml.ts";
import { child, children, type XmlElement } from "../../../util/xml/mod.ts";
import { keyvalDevice, optValue } from "./escape.ts";
import { unsupported } from "./unsupported.ts";
import { virtioProps } from "./virtio_options.ts";

/**
 * `qemuValidateDomainDefVhostUserRequireSharedMemory` for machines with a default RAM id (every
 * x86 machine of QEMU 7.2): the guest's memory, or each NUMA cell's, must be shared.
 *
 * @example
 * ```ts
 * import { requireSharedMemory } from "./virtiofs_args.ts";
 * declare const def: import("../../../conf/domain/def.ts").DomainDef;
 * requireSharedMemory(def, "virtiofs"); // throws "'virtiofs' requires shared memory" if not
 * ```
 */
export function requireSharedMemory(def: DomainDef, name: string): void {
  const access = child(section(def, "memoryBacking"), "access")?.attributes.mode;
  const cells = children(def.cpu?.extra.find((e) => e.name === "numa"), "cell");
  const shared = cells.length
    ? cells.every((c) => (c.attributes.memAccess ?? access) === "shared")
    : access === "shared";
  if (!shared) throw unsupported(`'${name}' requires shared memory`);
}

/**
 * The virtiofs branch of `qemuValidateDomainDeviceDefFS`, in its order: a share virtiofsd is run
 * for (no `<source socket>`) is writable, run by the privileged driver only, passthrough, with
 * no write policy; any share has no model, format, multidevs or file modes, and shared memory.
 * `privileged` undefined skips the driver's mode: a copy of a definition the driver already
 * parsed (a hotplug's placement) needs no second look at it.
 *
 * @example
 * ```ts
 * import { validateVirtiofs } from "./virtiofs_args.ts";
 * import { parse } from "../../../util/xml/mod.ts";
 * declare const def: import("../../../conf/domain/def.ts").DomainDef;
 * const fs = parse("<filesystem><driver type='virtiofs'/><source dir='/srv'/></filesystem>");
 * validateVirtiofs(fs, def, false); // "virtiofs is not yet supported in session mode"
 * ```
 */
export function validateVirtiofs(fs: XmlElement, def: DomainDef, privileged?: boolean): void {
  const a = fs.attributes;
  const driver = child(fs, "driver")?.attributes ?? {};
  if (child(fs, "source")?.attributes.socket === undefined) {
    if (child(fs, "readonly")) throw unsupported("virtiofs does not yet support read-only mode");
    if (privileged === false) throw unsupported("virtiofs is not yet supported in session mode");
    if ((a.accessmode ?? "passthrough") !== "passthrough") {
      throw unsupported("virtiofs only supports passthrough accessmode");
    }
    if (driver.wrpolicy) throw unsupported("virtiofs does not support wrpolicy");
  }
  if (a.model) throw unsupported("virtiofs does not support model");
  if (driver.format) throw unsupported("virtiofs does not support format");
  if (a.multidevs) throw unsupported("virtiofs does not support multidevs");
  if (a.fmode || a.dmode) throw unsupported("virtiofs does not support fmode and dmode");
  requireSharedMemory(def, "virtiofs");
}

/**
 * The socket QEMU connects to for share `fs` (`qemuDomainGetVHostUserFSSocketPath`): an
 * externally launched daemon's, else `ALIAS-fs.sock` in the domain's private folder `libDir`.
 *
 * @example
 * ```ts
 * import { virtiofsSocket } from "./virtiofs_args.ts";
 * import { parse } from "../../../util/xml/mod.ts";
 * virtiofsSocket(parse("<filesystem><alias name='fs0'/></filesystem>"), "/run/d");
 * // "/run/d/fs0-fs.sock"
 * ```
 */
export function virtiofsSocket(fs: XmlElement, libDir: string): string {
  return child(fs, "source")?.attributes.socket ??
    `${libDir}/${child(fs, "alias")?.attributes.name}-fs.sock`;
}

/**
 * The `vhost-user-fs-pci` properties of virtiofs share `fs` without its PCI placement
 * (`qemuBuildVHostUserFsDevProps`): virtio options, id, vhost-user chardev `chr-vu-ALIAS`,
 * queue size, mount tag, boot index.
 *
 * @example
 * ```ts
 * import { virtiofsDeviceProps } from "./virtiofs_args.ts";
 * import { parse } from "../../../util/xml/mod.ts";
 * virtiofsDeviceProps(
 *   parse("<filesystem><driver type='virtiofs'/><target dir='t'/><alias name='fs0'/></filesystem>"),
 * );
 * // { driver: "vhost-user-fs-pci", id: "fs0", chardev: "chr-vu-fs0", tag: "t" }
 * ```
 */
export function virtiofsDeviceProps(fs: XmlElement): Record<string, unknown> {
  const driver = child(fs, "driver");
  const alias = child(fs, "alias")?.attributes.name;
  const queue = driver?.attributes.queue;
  const boot = child(fs, "boot")?.attributes.order;
  return {
    driver: "vhost-user-fs-pci",
    ...virtioProps(driver),
    id: alias,
    chardev: `chr-vu-${alias}`,
    ...(queue ? { "queue-size": Number(queue) } : {}),
    tag: child(fs, "target")?.attributes.dir ?? "",
    ...(boot ? { bootindex: Number(boot) } : {}),
  };
}

/**
 * The arguments of one virtiofs `<filesystem>` placed at `at` (`,bus=…,addr=…`) whose daemon
 * listens on `socket`: the vhost-user chardev, then the device of {@link virtiofsDeviceProps}.
 *
 * @example
 * ```ts
 * import { virtiofsArgs } from "./virtiofs_args.ts";
 * import { parse } from "../../../util/xml/mod.ts";
 * virtiofsArgs(
 *   parse("<filesystem><driver type='virtiofs'/><target dir='t'/><alias name='fs0'/></filesystem>"),
 *   ",bus=pci.0,addr=0x3",
 *   "/run/fs0-fs.sock",
 * );
 * // ["-chardev", "socket,id=chr-vu-fs0,path=/run/fs0-fs.sock",
 * //  "-device", "vhost-user-fs-pci,id=fs0,chardev=chr-vu-fs0,tag=t,bus=pci.0,addr=0x3"]
 * ```
 */
export function virtiofsArgs(fs: XmlElement, at: string, socket: string): string[] {
  const props = virtiofsDeviceProps(fs);
  return [
    "-chardev",
    `socket,id=${optValue(String(props.chardev))},path=${optValue(socket)}`,
    "-device",
    keyvalDevice(props) + at,
  ];
}
