/**
 * A disk's `<backingStore>` chain, as libvirt 9.0's virDomainDiskBackingStoreParse reads it and
 * virDomainDiskBackingStoreFormat writes it back: each member names its storage type and image
 * format and has a source; an element without a type ends the chain. Indexes are the running
 * domain's: a definition forgets them, as libvirt reads them only from a status.
 *
 * @example
 * ```ts
 * import { parseBackingStore } from "./backing_store.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * const disk = parse(
 *   "<disk><backingStore type='file' index='1'><format type='raw'/><source file='/b'/>" +
 *     "</backingStore></disk>",
 * );
 * parseBackingStore(disk, {})?.attributes; // { type: "file" }
 * ```
 * @module
 */
import { checkDiskSource } from "../common/disk_source.ts";
import { parseUInt } from "../common/mod.ts";
import { VirError } from "../../util/errors.ts";
import type { XmlElement } from "../../util/xml/mod.ts";
import { child, element } from "../../util/xml/mod.ts";
import type { NormalizeOptions } from "./normalize.ts";
import { diskSourceElement } from "./disk_source.ts";
import { scaledValue } from "./scaled.ts";

/** virStorageType names but none (0, refused as a member's type). */
const STORAGE_TYPES = ["file", "block", "dir", "network", "volume", "nvme", "vhostuser"];

/** virStorageFileFormat names but none (0, refused as a member's format). */
const STORAGE_FORMATS = (
  "raw dir bochs cloop dmg iso vpc vdi fat vhd ploop cow qcow qcow2 qed vmdk"
).split(" ");

const xmlError = (msg: string) => VirError.report("DOMAIN", "XML_ERROR", msg);

/**
 * A source's `<metadata_cache>` as libvirt writes it (a `<disk>`'s `<driver>` or a chain
 * member's `<format>` holds it): the bound in bytes.
 *
 * @example
 * ```ts
 * import { metadataCacheElement } from "./backing_store.ts";
 * metadataCacheElement(1048576n).children.length; // 1
 * ```
 */
export function metadataCacheElement(bytes: bigint): XmlElement {
  return element("metadata_cache", {}, [element("max_size", { unit: "bytes" }, [String(bytes)])]);
}

/**
 * The first `<backingStore>` of `parent` (a disk, or a member of its chain) as libvirt writes
 * it back, its own chain included; undefined without one. Throws libvirt's error for the first
 * member it refuses.
 */
export function parseBackingStore(
  parent: XmlElement,
  options: NormalizeOptions,
): XmlElement | undefined {
  const el = child(parent, "backingStore");
  if (!el) return undefined;
  const type = el.attributes.type;
  // The chain's terminator has no type.
  if (type === undefined) return element("backingStore", {});
  const index = options.keepAliases ? el.attributes.index : undefined;
  // virXPathString: an empty format is no format.
  const format = child(el, "format")?.attributes.type || undefined;
  if (format === undefined) throw xmlError("missing disk backing store format");
  const source = child(el, "source");
  if (!source) throw xmlError("missing disk backing store source");
  if (!STORAGE_TYPES.includes(type)) throw xmlError(`unknown storage source type '${type}'`);
  if (!STORAGE_FORMATS.includes(format)) {
    throw xmlError(`unknown storage source format '${format}'`);
  }
  if (index !== undefined && parseUInt(index) === undefined) {
    throw xmlError(`invalid storage source index '${index}'`);
  }
  const maxSize = scaledValue(
    child(child(child(el, "format"), "metadata_cache"), "max_size"),
    "./format/metadata_cache/max_size",
    1n,
  );
  checkDiskSource(type, source);
  const src = diskSourceElement(type, source, options);
  // virDomainDiskSourceFormat is given no startup policy for a chain member.
  delete src.attributes.startupPolicy;
  if (!options.keepAliases) delete src.attributes.index;
  const below = parseBackingStore(el, options);
  const cache = maxSize ? [metadataCacheElement(maxSize)] : [];
  return element("backingStore", { type, index }, [
    element("format", { type: format }, cache),
    src,
    ...(below ? [below] : []),
  ]);
}
