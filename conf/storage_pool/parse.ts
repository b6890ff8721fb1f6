import { VIR } from "../../util/constants.ts";
import { VirError } from "../../util/errors.ts";
import { child, childText, parse, type XmlElement } from "../../util/xml/mod.ts";
import { generateUUID, parseUUID, sanitizePath, xmlPropEnum } from "../common/mod.ts";
import type { StoragePoolDef } from "./model.ts";
import { parseStoragePerms } from "./permissions.ts";
import { POOL_TYPE_INFO, POOL_TYPES, type PoolType } from "./pool_types.ts";
import { parsePoolSource, validateAdapter } from "./source.ts";
import { validateStoragePoolSchema } from "./rng_schema.ts";

const xmlErr = (msg: string) => VirError.report("STORAGE", "XML_ERROR", msg);

/**
 * Parses a `<pool>` element already read from a document (virStoragePoolDefParseXML).
 *
 * @example
 * ```ts
 * import { parseStoragePoolElement } from "./parse.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * parseStoragePoolElement(parse("<pool type='dir'><name>p</name><target><path>/p</path></target></pool>")).name;
 * // "p"
 * ```
 */
export function parseStoragePoolElement(root: XmlElement): StoragePoolDef {
  const type = xmlPropEnum(root, "type", POOL_TYPES, true) as PoolType;
  const info = POOL_TYPE_INFO[type];
  const source = parsePoolSource(child(root, "source"), type);
  // virXPathString: an empty name is no name, and the source's stands in where it may.
  const name = childText(root, "name") || (info.name ? source.name : undefined);
  if (name === undefined) {
    throw VirError.report("STORAGE", "XML_ERROR", "missing pool source name element");
  }
  if (name.includes("\n")) {
    throw VirError.report("STORAGE", "XML_DETAIL", "invalid char in name: \n");
  }
  const uuidText = childText(root, "uuid");
  // virStoragePoolDefParseXML generates the UUID itself when the document has none.
  let uuid = generateUUID();
  // virXPathString: an empty <uuid/> is none, and a UUID is generated.
  if (uuidText) {
    const u = parseUUID(uuidText);
    if (!u) throw VirError.report("STORAGE", "XML_ERROR", "malformed uuid element");
    uuid = u;
  }
  const cowEl = child(child(root, "features"), "cow");
  const cow = cowEl && xmlPropEnum(cowEl, "state", ["yes", "no"]);
  if (cow && type !== "fs" && type !== "dir") {
    throw VirError.report(
      "STORAGE",
      "NO_SUPPORT",
      "cow feature may only be used for 'fs' and 'dir' pools",
    );
  }
  if (info.host && !source.hosts.length) throw xmlErr("missing storage pool source host name");
  if (info.dir && source.dir === undefined) {
    if (type !== "gluster") throw xmlErr("missing storage pool source path");
    // gluster pools default to the volume's root directory
    source.dir = "/";
  }
  if (info.name && source.name === undefined) source.name = name;
  if (info.adapter) source.adapter = validateAdapter(child(child(root, "source"), "adapter"));
  const onlyDevice = info.device && !info.host && !info.dir && !info.adapter && !info.name &&
    !info.initiatorIqn;
  if (onlyDevice && !source.devices.length) throw xmlErr("missing storage pool source device name");
  const def: StoragePoolDef = {
    type,
    name,
    uuid,
    capacity: 0,
    allocation: 0,
    available: 0,
    source,
    target: { permissions: {} },
  };
  if (cow) def.cow = cow;
  if (!info.network) {
    const target = child(root, "target");
    let path: string | undefined;
    if (type === "logical") path = `/dev/${source.name}`;
    else if (type === "zfs") path = `/dev/zvol/${source.name}`;
    else path = childText(target, "path");
    if (path === undefined) throw xmlErr("missing storage pool target path");
    def.target.path = sanitizePath(path);
    def.target.permissions = parseStoragePerms(child(target, "permissions"));
  }
  if (type === "iscsi-direct" && source.initiatorIqn === undefined) {
    throw VirError.report("STORAGE", "CONFIG_UNSUPPORTED", "missing initiator IQN");
  }
  const alloc = child(child(root, "refresh"), "volume")?.attributes.allocation;
  if (alloc !== undefined) {
    if (alloc !== "default" && alloc !== "capacity") {
      throw VirError.report(
        "STORAGE",
        "CONFIG_UNSUPPORTED",
        `unknown storage pool volume refresh allocation type ${alloc}`,
      );
    }
    def.refreshVolumeAllocation = alloc;
  }
  return def;
}

/**
 * Parses a `<pool>` document like libvirt 9.0's virStoragePoolDefParseString. Sizes are
 * output-only in libvirt and start at 0; the UUID is '' when absent.
 * VIR_STORAGE_POOL_DEFINE_VALIDATE in `flags` first checks the document against the schema.
 *
 * @example
 * ```ts
 * import { parseStoragePoolXML } from "./parse.ts";
 * parseStoragePoolXML("<pool type='dir'><name>p</name><target><path>//p/</path></target></pool>")
 *   .target.path; // "/p"
 * ```
 */
export function parseStoragePoolXML(xml: string, flags = 0): StoragePoolDef {
  const root = parse(xml, {
    context: "(storage_pool_definition)",
    errorDomain: "STORAGE",
    expectRoot: "pool",
  });
  if (flags & VIR.STORAGE_POOL_DEFINE_VALIDATE) validateStoragePoolSchema(root);
  return parseStoragePoolElement(root);
}
