/**
 * A disk's (or a backing chain member's) `<source>` as libvirt writes it back, by storage type:
 * NVMe and vhost-user sources have their own parsers; the others keep the attributes and
 * children the domain schema table lists for a disk source.
 *
 * @example
 * ```ts
 * import { diskSourceElement } from "./disk_source.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * diskSourceElement("file", parse("<source file='/a.img'/>"), {}).attributes; // { file: "/a.img" }
 * ```
 * @module
 */
import { VirError } from "../../util/errors.ts";
import { child, children, element, type XmlElement, type XmlNode } from "../../util/xml/mod.ts";
import { NETWORK_DEFAULT_PORTS, NETWORK_PARTS, nvmeSource } from "../common/disk_source.ts";
import { parseDeviceSeclabels } from "./seclabel.ts";
import { parseULongLong } from "../common/units.ts";
import { vhostUserSource } from "./disk_vhostuser.ts";
import { normalizeElement, type NormalizeOptions } from "./normalize.ts";

/** The canonical `source` of storage type `type` (checked already by checkDiskSource). */
export function diskSourceElement(
  type: string | undefined,
  source: XmlElement,
  options: NormalizeOptions,
): XmlElement {
  if (type === "vhostuser") return vhostUserSource(source);
  let out: XmlElement;
  if (type === "nvme") {
    out = nvmeSource(source);
    for (const name of ["auth", "encryption"]) {
      const el = child(source, name);
      const n = el && normalizeElement(el, "source", options, "disk");
      if (n) out.children.push(n);
    }
  } else {
    out = normalizeElement(source, "disk", options, "devices")!;
    const kept = TYPE_ATTRS[type ?? "file"] ?? [];
    for (const a of Object.keys(out.attributes)) {
      if (!kept.includes(a) && a !== "startupPolicy" && a !== "index") delete out.attributes[a];
    }
  }
  if (type === "network") networkParts(out);
  // virStorageSourceParse: the reservations, a storage slice and (but for a network source,
  // which libvirt does not write them for) the security labels.
  const extra: XmlElement[] = [];
  const slice = children(child(source, "slices"), "slice").find((s) =>
    s.attributes.type === "storage"
  );
  if (slice) extra.push(element("slices", {}, [storageSlice(slice)]));
  if (type !== "network") extra.push(...parseDeviceSeclabels(source, options.keepAliases ?? false));
  const reservations = child(source, "reservations");
  if (reservations) extra.push(reservationsElement(reservations));
  const order = ["slices", "seclabel", "auth", "encryption", "reservations"];
  const rank = (c: XmlNode) => c.type === "element" ? order.indexOf(c.name) : -1;
  const head = out.children.filter((c) => rank(c) < 0);
  const tail = [...out.children.filter((c) => rank(c) >= 0), ...extra];
  out.children = [...head, ...tail.sort((a, b) => rank(a) - rank(b))];
  return out;
}

/** The attributes virDomainStorageSourceParse reads for each storage type. */
const TYPE_ATTRS: Record<string, string[]> = {
  file: ["file", "fdgroup"],
  block: ["dev"],
  dir: ["dir"],
  network: ["protocol", "name", "query", "tls", "tlsHostname"],
  volume: ["pool", "volume", "mode"],
};

/** virDomainStorageSourceParseSlice: an offset and a size, both decimal numbers. */
function storageSlice(slice: XmlElement): XmlElement {
  const { offset, size } = slice.attributes;
  const err = (msg: string) => VirError.report("DOMAIN", "XML_ERROR", msg);
  if (!offset || !size) throw err("missing offset or size attribute of slice");
  const num = (name: string, v: string) => {
    const n = parseULongLong(v);
    if (n === undefined) throw err(`malformed value '${v}' of '${name}' attribute of slice`);
    return String(n);
  };
  return element("slice", {
    type: "storage",
    offset: num("offset", offset),
    size: num("size", size),
  });
}

/**
 * virStoragePRDefFormat: whether libvirt manages the helper, and the socket of a helper it
 * does not manage (a given one of a managed helper kept too, outside a migration).
 */
function reservationsElement(el: XmlElement): XmlElement {
  const path = child(el, "source")?.attributes.path || undefined;
  const source = path && element("source", { type: "unix", path, mode: "client" });
  return element("reservations", { managed: el.attributes.managed }, [source]);
}

/**
 * The protocol-specific parts of a network source as virDomainDiskSourceFormat writes them:
 * only for the protocols that read them, numbers as numbers, a zero read-ahead or timeout not
 * at all (the cookies are kept, and written only in a secure dump).
 */
function networkParts(source: XmlElement): void {
  const protocol = source.attributes.protocol ?? "";
  const parts = NETWORK_PARTS[protocol] ?? [];

  if (!parts.includes("query")) delete source.attributes.query;
  source.children = source.children.filter((c) => {
    if (c.type !== "element") return true;
    if (c.name === "cookies") return parts.includes("cookies") && c.children.length > 0;
    if (c.name === "ssl") return parts.includes("ssl") && c.attributes.verify !== undefined;
    // virDomainDiskSourceNetworkParse reads `<config file>` whatever the protocol.
    if (c.name === "config") return c.attributes.file !== undefined;
    // virDomainStorageNetworkParseNFS: an NFS source's user and group.
    if (c.name === "identity") return protocol === "nfs" && Object.keys(c.attributes).length > 0;
    if (c.name === "host") c.attributes = hostAttributes(c, protocol);
    const attr = c.name === "readahead" ? "size" : c.name === "timeout" ? "seconds" : undefined;
    if (!attr) return true;
    const n = parts.includes("readahead") ? parseULongLong(c.attributes[attr] ?? "") : undefined;
    if (!n) return false;
    c.attributes = { [attr]: String(n) };
    return true;
  });
}

/**
 * A `<host>` as virDomainDiskSourceFormatNetwork writes it: a unix socket without name and port,
 * another host's port as a number (none for 0, after virStorageSourceNetworkAssignDefaultPorts
 * gave a TCP host its protocol's), the transport unless TCP.
 */
function hostAttributes(host: XmlElement, protocol: string): Record<string, string> {
  const { name, port, transport, socket } = host.attributes;
  if (transport === "unix") return element("host", { transport, socket }).attributes;
  let n = Number(port?.trim() ?? 0);
  if (!n && (transport ?? "tcp") === "tcp") n = NETWORK_DEFAULT_PORTS[protocol] ?? 0;
  const shown = transport === "tcp" ? undefined : transport;
  return element("host", { name, port: n || undefined, transport: shown }).attributes;
}
