import { VirError } from "../../util/errors.ts";
import { child, children, childText, element, type XmlElement } from "../../util/xml/mod.ts";
import {
  formatPciAddress,
  parseInt32,
  parsePciAddress,
  sanitizePath,
  xmlPropEnum,
  xmlPropInt,
} from "../common/mod.ts";
import type { StorageAdapter, StorageAuth, StoragePoolSource } from "./model.ts";
import { POOL_TYPE_INFO, type PoolType } from "./pool_types.ts";
import { formatSecretLookup, parseSecretLookup } from "./secret_lookup.ts";

const xmlErr = (msg: string) => VirError.report("STORAGE", "XML_ERROR", msg);
const unsupported = (msg: string) => VirError.report("STORAGE", "CONFIG_UNSUPPORTED", msg);

function parseAuth(el: XmlElement): StorageAuth {
  const { username, type } = el.attributes;
  if (username === undefined) throw xmlErr("missing username for auth");
  const auth: StorageAuth = { username, secret: {} };
  if (type !== undefined) {
    if (type !== "chap" && type !== "ceph") throw unsupported(`unknown auth type '${type}'`);
    auth.type = type;
  }
  const secret = child(el, "secret");
  if (!secret) throw xmlErr("Missing <secret> element in auth");
  auth.secret = parseSecretLookup(secret, secret.attributes.type);
  return auth;
}

/** virValidateWWN (util/virutil.c, hence VIR_FROM_NONE): 16 hex digits after an optional 0x. */
function checkWwn(wwn: string): string {
  if (!/^[0-9a-fA-F]{16}$/.test(wwn.replace(/^0x/, ""))) {
    throw VirError.report("NONE", "INTERNAL_ERROR", `Malformed wwn: ${wwn}`);
  }
  return wwn;
}

/** virStorageAdapterValidateFCHost's checks, in its order. */
function fcHost(el: XmlElement): StorageAdapter {
  const a = el.attributes;
  if (a.wwnn === undefined || a.wwpn === undefined) {
    throw xmlErr("'wwnn' and 'wwpn' must be specified for adapter type 'fchost'");
  }
  checkWwn(a.wwnn);
  checkWwn(a.wwpn);
  if (a.parent_wwnn !== undefined && a.parent_wwpn === undefined) {
    throw xmlErr(
      `when providing parent_wwnn='${a.parent_wwnn}', the parent_wwpn must also be provided`,
    );
  }
  if (a.parent_wwnn === undefined && a.parent_wwpn !== undefined) {
    throw xmlErr(
      `when providing parent_wwpn='${a.parent_wwpn}', the parent_wwnn must also be provided`,
    );
  }
  for (const p of [a.parent_wwnn, a.parent_wwpn, a.parent_fabric_wwn]) {
    if (p !== undefined) checkWwn(p);
  }
  const managedText = xmlPropEnum(el, "managed", ["yes", "no"] as const);
  return {
    type: "fc_host",
    parent: a.parent,
    parentWwnn: a.parent_wwnn,
    parentWwpn: a.parent_wwpn,
    parentFabricWwn: a.parent_fabric_wwn,
    managed: managedText === undefined ? undefined : managedText === "yes",
    wwnn: a.wwnn,
    wwpn: a.wwpn,
  };
}

/**
 * virStorageAdapterParseXML: the checks made while the source is read, for every pool type.
 * Without a type, only the legacy `name` form is accepted; an untyped adapter without a name
 * is no adapter at all. An `fc_host` adapter is read when it is validated.
 */
function parseAdapter(el: XmlElement): StorageAdapter | undefined {
  const a = el.attributes;
  const type = xmlPropEnum(el, "type", ["scsi_host", "fc_host"] as const);
  if (type === undefined) {
    if (a.wwnn !== undefined || a.wwpn !== undefined || a.parent !== undefined) {
      throw xmlErr(
        "Use of 'wwnn', 'wwpn', and 'parent' attributes requires use of the adapter 'type'",
      );
    }
    if (child(el, "parentaddr")) {
      throw xmlErr("Use of 'parentaddr' element requires use of the adapter 'type'");
    }
  } else if (type === "fc_host") {
    xmlPropEnum(el, "managed", ["yes", "no"] as const);
    return undefined;
  }
  const adapter: StorageAdapter = { type: "scsi_host", name: a.name };
  const pa = type && child(el, "parentaddr");
  if (pa) {
    const address = child(pa, "address");
    if (!address) throw xmlErr("Missing scsi_host PCI address element");
    const pci = parsePciAddress(address);
    const uniqueId = parseInt32(pa.attributes.unique_id);
    if (uniqueId === undefined || uniqueId < 0) {
      throw xmlErr("Missing or invalid scsi adapter 'unique_id' value");
    }
    adapter.parentAddr = { uniqueId, address: pci };
  }
  return type === undefined && a.name === undefined ? undefined : adapter;
}

/**
 * virStorageAdapterValidate, which libvirt runs on the `<adapter>` element `el` of a pool type
 * that uses one once the rest of the pool is read; other pools neither check nor keep it.
 *
 * @example
 * ```ts
 * import { validateAdapter } from "./source.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * validateAdapter(parse("<adapter name='host0'/>")); // { type: "scsi_host", name: "host0" }
 * ```
 */
export function validateAdapter(el: XmlElement | undefined): StorageAdapter {
  if (el?.attributes.type === "fc_host") return fcHost(el);
  const adapter = el && parseAdapter(el);
  if (adapter?.type !== "scsi_host") throw xmlErr("missing storage pool source adapter");
  if (adapter.name === undefined && !adapter.parentAddr) {
    throw xmlErr("Either 'name' or 'parent' must be specified for the 'scsi_host' adapter");
  }
  if (adapter.name !== undefined && adapter.parentAddr) {
    throw xmlErr("Both 'name' and 'parent' cannot be specified for the 'scsi_host' adapter");
  }
  return adapter;
}

/**
 * libvirt's virStoragePoolDefParseSource for a pool of `type`.
 *
 * @example
 * ```ts
 * import { parsePoolSource } from "./source.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * parsePoolSource(parse("<source><host name='h'/></source>"), "netfs").hosts[0].name; // "h"
 * ```
 */
export function parsePoolSource(el: XmlElement | undefined, type: PoolType): StoragePoolSource {
  const info = POOL_TYPE_INFO[type];
  const src: StoragePoolSource = { hosts: [], devices: [] };
  // virXPathString: an empty name is no name.
  src.name = childText(el, "name") || undefined;
  if (type === "rbd" && src.name === undefined) {
    throw xmlErr("element 'name' is mandatory for RBD pool");
  }
  if (info.formats) {
    // virXPathString: an empty type is no type.
    const format = child(el, "format")?.attributes.type || undefined;
    if (format !== undefined && !info.formats.includes(format)) {
      throw unsupported(`unknown pool format type ${format}`);
    }
    src.format = format ?? info.defaultFormat ?? info.formats[0];
  }
  for (const h of children(el, "host")) {
    const name = h.attributes.name;
    if (name === undefined) throw xmlErr("missing storage pool host name");
    src.hosts.push({ name, port: xmlPropInt(h, "port") });
  }
  src.initiatorIqn = child(child(el, "initiator"), "iqn")?.attributes.name;
  for (const d of children(el, "device")) {
    const path = d.attributes.path;
    if (path === undefined) throw xmlErr("missing storage pool source device path");
    const sep = d.attributes.part_separator;
    if (sep !== undefined && sep !== "yes" && sep !== "no") {
      throw VirError.report(
        "STORAGE",
        "CONFIG_UNSUPPORTED",
        `invalid part_separator setting '${sep}'`,
      );
    }
    src.devices.push({ path, partSeparator: sep === undefined ? undefined : sep === "yes" });
  }
  // virXPathString: an empty path is none.
  const dir = child(el, "dir")?.attributes.path;
  src.dir = dir ? sanitizePath(dir) : undefined;
  const adapter = child(el, "adapter");
  if (adapter) parseAdapter(adapter);
  const auth = child(el, "auth");
  if (auth) src.auth = parseAuth(auth);
  const ver = child(el, "protocol")?.attributes.ver || undefined;
  if (ver !== undefined) {
    // libvirt compares the format's number, whatever the pool type, with NFS's and auto's
    // (0 and 1 of the netfs formats), and names it as a netfs format.
    const index = info.formats && src.format !== undefined ? info.formats.indexOf(src.format) : 0;
    if (index > 1) {
      const name = ["auto", "nfs", "glusterfs", "cifs"][index] ?? "(null)";
      throw unsupported(`storage pool protocol ver unsupported for pool type '${name}'`);
    }
    if (ver.includes(",")) {
      throw VirError.report(
        "STORAGE",
        "XML_DETAIL",
        `storage pool protocol ver '${ver}' must not contain ','`,
      );
    }
    src.protocolVer = ver;
  }
  src.vendor = child(el, "vendor")?.attributes.name;
  src.product = child(el, "product")?.attributes.name;
  return src;
}

function formatAdapter(a: StorageAdapter): XmlElement {
  if (a.type === "fc_host") {
    return element("adapter", {
      type: a.type,
      parent: a.parent,
      parent_wwnn: a.parentWwnn,
      parent_wwpn: a.parentWwpn,
      parent_fabric_wwn: a.parentFabricWwn,
      managed: a.managed === undefined ? undefined : a.managed ? "yes" : "no",
      wwnn: a.wwnn,
      wwpn: a.wwpn,
    });
  }
  if (a.name !== undefined) return element("adapter", { type: a.type, name: a.name });
  return element("adapter", { type: a.type }, [
    a.parentAddr &&
    element("parentaddr", { unique_id: a.parentAddr.uniqueId }, [
      formatPciAddress(a.parentAddr.address, false),
    ]),
  ]);
}

/**
 * libvirt's virStoragePoolSourceFormat: only the parts the pool type uses, in libvirt's order.
 *
 * @example
 * ```ts
 * import { formatPoolSource } from "./source.ts";
 * formatPoolSource({ hosts: [], devices: [] }, "dir").keepOpen; // true
 * ```
 */
export function formatPoolSource(src: StoragePoolSource, type: PoolType): XmlElement {
  const info = POOL_TYPE_INFO[type];
  const el = element("source", {}, [
    ...(info.host ? src.hosts : []).map((h) =>
      element("host", { name: h.name, port: h.port || undefined })
    ),
    ...(info.device ? src.devices : []).map((d) =>
      element("device", {
        path: d.path,
        part_separator: d.partSeparator === undefined ? undefined : d.partSeparator ? "yes" : "no",
      })
    ),
    info.dir && src.dir !== undefined && element("dir", { path: src.dir }),
    info.adapter && src.adapter && formatAdapter(src.adapter),
    info.name && src.name !== undefined && element("name", {}, [src.name]),
    info.initiatorIqn && src.initiatorIqn !== undefined &&
    element("initiator", {}, [element("iqn", { name: src.initiatorIqn })]),
    info.formats && src.format !== undefined && element("format", { type: src.format }),
    src.auth &&
    element("auth", { type: src.auth.type, username: src.auth.username }, [
      formatSecretLookup(src.auth.secret),
    ]),
    src.protocolVer !== undefined && element("protocol", { ver: src.protocolVer }),
    src.vendor !== undefined && element("vendor", { name: src.vendor }),
    src.product !== undefined && element("product", { name: src.product }),
  ]);
  el.keepOpen = true;
  return el;
}
