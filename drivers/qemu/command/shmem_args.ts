/**
 * Inter-VM shared memory as libvirt 9.0 starts it (`qemuBuildShmemCommandLine`): an
 * `ivshmem-plain` device on a shared memory file under `/dev/shm` named after the region, or an
 * `ivshmem-doorbell` device talking to an ivshmem server's socket (libvirt's
 * `/var/lib/libvirt/shmem-NAME-sock` when the definition names none). The legacy `ivshmem` model
 * is gone from QEMU 7.2: refused with libvirt's error.
 *
 * @module
 */
import { scaleInteger, ULLONG_MAX } from "../../../conf/common/mod.ts";
import { child, element, textOf, type XmlElement } from "../../../util/xml/mod.ts";
import { VirError } from "../../../util/errors.ts";
import { keyvalDevice, optValue } from "./escape.ts";
import { unsupportedDevice } from "./unsupported.ts";

/**
 * qemuValidateDomainDeviceDefShmem: QEMU 7.2 has the plain and doorbell models only.
 *
 * @example
 * ```ts
 * import { validateShmem } from "./shmem_args.ts";
 * import { parse } from "../../../util/xml/mod.ts";
 * validateShmem(parse("<shmem name='a'><model type='ivshmem-plain'/></shmem>")); // no error
 * ```
 */
export function validateShmem(shmem: XmlElement): void {
  const model = child(shmem, "model")?.attributes.type ?? "ivshmem";
  if (model === "ivshmem") {
    throw VirError.report(
      "QEMU",
      "CONFIG_UNSUPPORTED",
      "ivshmem device is not supported with this QEMU binary",
    );
  }
}

/**
 * qemuDomainShmemDefPostParse: a region without a size has 4 MiB (a doorbell's is its
 * server's); a doorbell device needs a server and takes its interrupts by MSI, with
 * ioeventfd unless it says otherwise, where a plain one has no server.
 *
 * @example
 * ```ts
 * import { shmemPostParse } from "./shmem_args.ts";
 * import { parse } from "../../../util/xml/mod.ts";
 * const shmem = parse("<shmem name='a'><model type='ivshmem-plain'/></shmem>");
 * shmemPostParse(shmem); // <size unit='M'>4</size> added after the model
 * ```
 */
export function shmemPostParse(shmem: XmlElement): void {
  const model = child(shmem, "model")?.attributes.type ?? "ivshmem";
  const doorbell = model === "ivshmem-doorbell";
  const size = child(shmem, "size");
  if (!doorbell && !size) {
    const at = shmem.children.findIndex((c) => c.type === "element" && c.name === "model") + 1;
    shmem.children.splice(at, 0, element("size", { unit: "M" }, ["4"]));
  }
  if (model === "ivshmem") return;
  const server = child(shmem, "server");
  const refuse = (what: string) =>
    VirError.report("QEMU", "CONFIG_UNSUPPORTED", `shmem model '${model}' ${what}`);
  if (!server) {
    if (doorbell) throw refuse("is supported only with server option enabled");
    return;
  }
  if (!doorbell) throw refuse("is supported only with server option disabled");
  if (size) throw refuse("does not support size setting");
  let msi = child(shmem, "msi");
  if (!msi) {
    msi = element("msi", {});
    shmem.children.splice(shmem.children.indexOf(server) + 1, 0, msi);
  }
  msi.attributes.ioeventfd ??= "on";
}

/** The region's size in bytes (libvirt writes it in MiB). */
function sizeOf(shmem: XmlElement): number {
  const size = child(shmem, "size");
  return Number(
    scaleInteger(BigInt(textOf(size) ?? 0), size?.attributes.unit, 1n << 20n, ULLONG_MAX),
  );
}

/**
 * The arguments of one `<shmem>` whose PCI placement (`,bus=…,addr=…`) is `at`.
 *
 * @example
 * ```ts
 * import { shmemArgs } from "./shmem_args.ts";
 * import { parse } from "../../../util/xml/mod.ts";
 * shmemArgs(
 *   parse(
 *     "<shmem name='a'><model type='ivshmem-plain'/><size unit='M'>4</size>" +
 *       "<alias name='shmem0'/></shmem>",
 *   ),
 *   ",bus=pci.0,addr=0x4",
 * );
 * // ["-object", '{"qom-type":"memory-backend-file","id":"shmmem-shmem0",…}',
 * //  "-device", "ivshmem-plain,id=shmem0,memdev=shmmem-shmem0,bus=pci.0,addr=0x4"]
 * ```
 */
export function shmemArgs(shmem: XmlElement, at: string): string[] {
  const model = child(shmem, "model")?.attributes.type;
  const alias = child(shmem, "alias")?.attributes.name;
  if (!alias || !at || (model !== "ivshmem-plain" && model !== "ivshmem-doorbell")) {
    throw unsupportedDevice(shmem, model);
  }
  const bytes = sizeOf(shmem);
  if (bytes & (bytes - 1)) {
    throw VirError.report("QEMU", "XML_ERROR", "shmem size must be a power of two");
  }
  const name = shmem.attributes.name;
  if (model === "ivshmem-doorbell") {
    const msi = child(shmem, "msi")?.attributes ?? {};
    const path = child(shmem, "server")?.attributes.path ?? `/var/lib/libvirt/shmem-${name}-sock`;
    const device = {
      driver: model,
      id: alias,
      chardev: `char${alias}`,
      ...(Number(msi.vectors ?? 0) > 0 ? { vectors: Number(msi.vectors) } : {}),
      ...(msi.ioeventfd ? { ioeventfd: msi.ioeventfd === "on" } : {}),
    };
    return [
      "-device",
      keyvalDevice(device) + at,
      "-chardev",
      `socket,id=${optValue(`char${alias}`)},path=${optValue(path)}`,
    ];
  }
  const memdev = `shmmem-${alias}`;
  const role = shmem.attributes.role;
  const object = {
    "qom-type": "memory-backend-file",
    id: memdev,
    "mem-path": `/dev/shm/${name}`,
    size: bytes,
    share: true,
  };
  const device = {
    driver: model,
    id: alias,
    memdev,
    ...(role ? { master: role === "master" ? "on" : "off" } : {}),
  };
  return ["-object", JSON.stringify(object), "-device", keyvalDevice(device) + at];
}
