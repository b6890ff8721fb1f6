import { checkFlags, VirError } from "../../util/errors.ts";
import { child, children, childText, parse, type XmlElement } from "../../util/xml/mod.ts";
import { VIR } from "../../util/constants.ts";
import {
  LLONG_MAX,
  parseStorageSize,
  parseULongLong,
  scaleInteger,
  xpathString,
} from "../common/mod.ts";
import { parseStoragePerms, type StoragePoolDef } from "../storage_pool/mod.ts";
import { parseVolEncryption } from "./encryption.ts";
import { type StorageVolDef, VOL_TYPES } from "./model.ts";
import { volumeFormats } from "./vol_formats.ts";
import { validateStorageVolSchema } from "./rng_schema.ts";

/** libvirt's VIR_VOL_XML_PARSE_NO_CAPACITY | VIR_VOL_XML_PARSE_OPT_CAPACITY, and _VALIDATE. */
const VOL_XML_PARSE_CAPACITY = 0x3;
const VOL_XML_PARSE_VALIDATE = 0x4;

const xmlErr = (msg: string) => VirError.report("STORAGE", "XML_ERROR", msg);
const FEATURES = ["lazy_refcounts", "extended_l2"];

function parseFormat(formats: readonly string[] | undefined, el: XmlElement | undefined) {
  if (!formats) return undefined;
  // virXPathString: an empty type is no type.
  const type = child(el, "format")?.attributes.type || undefined;
  if (type === undefined) return formats[0];
  if (!formats.includes(type)) {
    throw VirError.report("STORAGE", "CONFIG_UNSUPPORTED", `unknown volume format type ${type}`);
  }
  return type;
}

function size(root: XmlElement, name: string): number | undefined {
  // virXPathString: an empty element or unit is none.
  const text = childText(root, name);
  if (!text) return undefined;
  return parseStorageSize(text, child(root, name)!.attributes.unit || undefined, "STORAGE");
}

/**
 * Parses a `<volume>` element for a volume of `pool` (virStorageVolDefParseXML).
 *
 * @example
 * ```ts
 * import { parseStorageVolElement } from "./parse.ts";
 * import { parseStoragePoolXML } from "../storage_pool/mod.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * const pool = parseStoragePoolXML("<pool type='dir'><name>p</name><target><path>/p</path></target></pool>");
 * parseStorageVolElement(pool, parse("<volume><name>v</name><capacity>1</capacity></volume>")).capacity; // 1
 * ```
 */
export function parseStorageVolElement(pool: StoragePoolDef, root: XmlElement): StorageVolDef {
  const formats = volumeFormats(pool.type);
  const name = xpathString(root, "name");
  if (name === undefined) {
    throw VirError.report("STORAGE", "XML_ERROR", "missing volume name element");
  }
  // libvirt 9.0's parser takes any name: the backends refuse what they cannot store (the
  // directory backend: "volume name 'x/y' cannot contain '/'").
  const typeText = root.attributes.type;
  if (typeText !== undefined && !(VOL_TYPES as readonly string[]).includes(typeText)) {
    throw VirError.report("STORAGE", "CONFIG_UNSUPPORTED", `unknown volume type '${typeText}'`);
  }
  const target = child(root, "target");
  const backing = child(root, "backingStore");
  const backingPath = childText(backing, "path");
  // virStorageVolDefParseXML reads the backing store before the sizes and the target.
  const backingStore = backingPath === undefined ? undefined : {
    path: backingPath,
    format: parseFormat(formats, backing),
    permissions: parseStoragePerms(child(backing, "permissions")),
  };
  const capacity = size(root, "capacity");
  if (capacity === undefined) throw xmlErr("missing capacity element");
  const vol: StorageVolDef = {
    name,
    key: childText(root, "key"),
    type: (typeText ?? "file") as StorageVolDef["type"],
    capacity,
    allocation: size(root, "allocation") ?? capacity,
    target: {
      path: childText(target, "path"),
      format: parseFormat(formats, target),
      permissions: parseStoragePerms(child(target, "permissions")),
    },
  };
  if (backingStore) vol.backingStore = backingStore;
  const enc = child(target, "encryption");
  if (enc) vol.target.encryption = parseVolEncryption(enc);
  const compat = childText(target, "compat");
  if (compat !== undefined) {
    const parts = compat.split(".");
    if (parts.length < 2 || !/^[0-9]+$/.test(parts[0]) || !/^[0-9]+$/.test(parts[1])) {
      throw xmlErr("forbidden characters in 'compat' attribute");
    }
    vol.target.compat = compat;
  }
  if (child(target, "nocow")) vol.target.nocow = true;
  const features = child(target, "features");
  if (features) {
    vol.target.compat ??= "1.1";
    vol.target.features = [];
    for (const f of children(features)) {
      if (!FEATURES.includes(f.name)) {
        throw VirError.report("STORAGE", "CONFIG_UNSUPPORTED", `unsupported feature ${f.name}`);
      }
      if (!vol.target.features.includes(f.name)) vol.target.features.push(f.name);
    }
    vol.target.features.sort((a, b) => FEATURES.indexOf(a) - FEATURES.indexOf(b));
  }
  const cluster = child(target, "clusterSize");
  const raw = childText(target, "clusterSize");
  // virXPathULongLong: an empty element is no value.
  if (cluster && raw) {
    const v = parseULongLong(raw);
    if (v === undefined) {
      throw xmlErr("could not parse element ./target/clusterSize");
    }
    vol.target.clusterSize = Number(scaleInteger(v, cluster.attributes.unit, 1n, LLONG_MAX));
  }
  return vol;
}

/**
 * Parses a `<volume>` document for a volume of `pool`, like libvirt 9.0's
 * virStorageVolDefParseString: the pool type decides which formats are valid and the default
 * (`raw` in file pools); sizes become bytes; a missing allocation equals the capacity.
 * VIR_STORAGE_VOL_CREATE_VALIDATE in `flags` checks the document against the schema, and then
 * refuses it as libvirt 9.0 does (its own parse flag is not one virStorageVolDefParseXML allows).
 *
 * @example
 * ```ts
 * import { parseStorageVolXML } from "./parse.ts";
 * import { parseStoragePoolXML } from "../storage_pool/mod.ts";
 * const pool = parseStoragePoolXML("<pool type='dir'><name>p</name><target><path>/p</path></target></pool>");
 * parseStorageVolXML(pool, "<volume><name>v</name><capacity unit='GB'>10</capacity></volume>")
 *   .capacity; // 10000000000
 * ```
 */
export function parseStorageVolXML(pool: StoragePoolDef, xml: string, flags = 0): StorageVolDef {
  const root = parse(xml, {
    context: "(storage_volume_definition)",
    errorDomain: "STORAGE",
    expectRoot: "volume",
  });
  if (flags & VIR.STORAGE_VOL_CREATE_VALIDATE) {
    validateStorageVolSchema(root);
    // libvirt 9.0 hands its parse flag for the schema (VIR_VOL_XML_PARSE_VALIDATE, 1 << 2) on
    // to virStorageVolDefParseXML, whose virCheckFlags allows only the capacity bits: every
    // volume that passes the schema is then refused.
    checkFlags(
      VOL_XML_PARSE_VALIDATE,
      VOL_XML_PARSE_CAPACITY,
      "virStorageVolDefParseXML",
      "STORAGE",
    );
  }
  return parseStorageVolElement(pool, root);
}
