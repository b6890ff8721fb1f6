/**
 * The images of a disk as its block nodes open them, for every source type the driver starts
 * (`virStorageSourceGetActualType`, `qemuBlockStorageSourceGetBackendProps`): a file (QEMU's
 * `file` driver), a host block device (`host_device`: `type='block'`, or a volume whose pool
 * gives a block device), or a network source (the protocol's driver, see `disk_backend.ts`).
 * The start's command line and a hot-plug both build a disk's nodes from these layers.
 *
 * @module
 */
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
