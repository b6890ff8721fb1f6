/**
 * The images of a disk as its block nodes open them, for every source type the driver starts
 * (`virStorageSourceGetActualType`, `qemuBlockStorageSourceGetBackendProps`): a file (QEMU's
 * `file` driver), a host block device (`host_device`: `type='block'`, or a volume whose pool
 * gives a block device), or a network source (the protocol's driver, see `disk_backend.ts`).
 * The start's command line and a hot-plug both build a disk's nodes from these layers.
 *
 * @module
 */
import { VirError } from "../../../util/errors.ts";
import { child, type XmlElement } from "../../../util/xml/mod.ts";
import { unsupported } from "../command/unsupported.ts";
import { diskChain, metadataCacheSize } from "./block_chain.ts";
import type { BlockLayer } from "./device_disk.ts";
import { networkBackend, type SourceAuth } from "./disk_backend.ts";
import { authOf } from "../disk_secret.ts";

/**
 * A disk's layers, top first (empty for a drive without a medium). `volume` is the host path
 * the storage driver gave a `type='volume'` disk, `auth` the credentials the start prepared for
 * a network source's `<auth>`; a volume disk without its path, a source with credentials
 * without them, and any source type the driver cannot open, is refused.
 *
 * @example
 * ```ts
 * import { diskLayers } from "./disk_layers.ts";
 * import { parse } from "../../../util/xml/mod.ts";
 * const disk = parse("<disk type='block'><source dev='/dev/loop0'/><target dev='vda'/></disk>");
 * diskLayers(disk)[0].hostDevice; // true
 * ```
 */
export function diskLayers(disk: XmlElement, volume?: string, auth?: SourceAuth): BlockLayer[] {
  const type = disk.attributes.type ?? "file";
  const source = child(disk, "source");
  refuseSourceParts(disk);
  if (type === "network") {
    if (!source) return [];
    // Credentials the caller did not prepare (a hot-plug) cannot reach QEMU: refused.
    if (authOf(disk) && !auth) {
      throw unsupported("disk source auth is not supported with this QEMU binary");
    }
    return [{
      file: source.attributes.name ?? "",
      format: child(disk, "driver")?.attributes.type ?? "raw",
      index: source.attributes.index === undefined ? undefined : Number(source.attributes.index),
      cacheSize: metadataCacheSize(child(disk, "driver")),
      backend: networkBackend(source, auth),
    }];
  }
  const top = type === "file"
    ? undefined
    : type === "block"
    ? source?.attributes.dev
    : type === "volume" && volume !== undefined
    ? volume
    : null;
  if (top === null) throw unsupported(`disk type '${type}' is not supported with this QEMU binary`);
  const hostDevice = type === "block" || (type === "volume" && isBlockDevice(volume!));
  return diskChain(disk, top).map((layer, i) =>
    i === 0 && hostDevice ? { ...layer, hostDevice } : layer
  );
}

function isBlockDevice(path: string): boolean {
  try {
    return Deno.statSync(path).isBlockDevice === true;
  } catch {
    return false;
  }
}

/**
 * The parts of a source (the disk's, or a chain member's) the driver cannot hand QEMU, refused
 * before any image opens: a file descriptor group (edgevirt has no `virDomainFDAssociate`, so
 * no group is ever associated, libvirt's `qemuProcessPrepareStorageSourceFD` error), a storage
 * slice (libvirt's extra raw node with its offset and size) and persistent reservations (the
 * `pr-manager-helper` object and its helper process).
 */
function refuseSourceParts(disk: XmlElement): void {
  for (let at: XmlElement | undefined = disk; at; at = child(at, "backingStore")) {
    const source = child(at, "source");
    const group = source?.attributes.fdgroup;
    if (group !== undefined) {
      throw VirError.report(
        "QEMU",
        "INVALID_ARG",
        `file descriptor group '${group}' was not associated with the domain`,
      );
    }
    if (child(source, "slices")) {
      throw unsupported("storage slices are not supported with this QEMU binary");
    }
    if (child(source, "reservations")) {
      throw unsupported("reservations not supported with this QEMU binary");
    }
  }
}
