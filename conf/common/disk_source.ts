/**
 * The checks virDomainStorageSourceParse makes on a storage source's `<source>` (a domain's
 * disk or NVRAM, a snapshot's disk) for the types with their own parser:
 * virDomainDiskSourceNetworkParse's protocol, name and the `pool/image` form of gluster and rbd
 * names, an HTTP source's cookies and an HTTPS/FTPS one's `ssl verify`,
 * virDomainDiskSourceNVMeParse's type, namespace and PCI address, and the persistent
 * reservations (virStoragePRDefParseXML) of any type.
 *
 * @example
 * ```ts
 * import { checkDiskSource } from "./disk_source.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * checkDiskSource("network", parse("<source protocol='rbd' name='pool/image'/>")); // passes
 * ```
 * @module
 */
import { VirError } from "../../util/errors.ts";
import type { XmlElement } from "../../util/xml/mod.ts";
import { child, children, element, textOf } from "../../util/xml/mod.ts";
import { formatPciAddress, parsePciAddress } from "./pci_address.ts";
import { parseULongLong } from "./units.ts";
import { xmlPropEnum } from "./values.ts";

/** virStorageNetProtocol's names. */
const PROTOCOLS = (
  "none nbd rbd sheepdog gluster iscsi http https ftp ftps tftp ssh vxhs nfs"
).split(" ");

/** Throws libvirt's error for the first check `source`, of storage type `type`, fails. */
export function checkDiskSource(type: string | undefined, source: XmlElement): void {
  if (type === "network") checkNetwork(source);
  else if (type === "nvme") checkNvme(source);
  const reservations = child(source, "reservations");
  if (reservations) checkReservations(reservations);
}

/**
 * virStoragePRDefParseXML: persistent reservations are managed, or name their helper's socket
 * (a unix client).
 */
function checkReservations(el: XmlElement): void {
  const err = (msg: string) => VirError.report("STORAGE", "XML_ERROR", msg);
  const managed = xmlPropEnum(el, "managed", ["yes", "no"], true);
  // virXPathString: an empty attribute is no attribute.
  const src = child(el, "source")?.attributes ?? {};
  const [type, path, mode] = [src.type || undefined, src.path || undefined, src.mode || undefined];
  if (managed === "no" || type || path || mode) {
    if (!type) throw err("missing connection type for <reservations/>");
    if (!path) throw err("missing path for <reservations/>");
    if (!mode) throw err("missing connection mode for <reservations/>");
  }
  if (type && type !== "unix") {
    throw err(`unsupported connection type for <reservations/>: ${type}`);
  }
  if (mode && mode !== "client") {
    throw err(`unsupported connection mode for <reservations/>: ${mode}`);
  }
}

function checkNetwork(source: XmlElement): void {
  const protocol = xmlPropEnum(source, "protocol", PROTOCOLS, true);
  const name = source.attributes.name;
  if (name === undefined && protocol !== "nbd") {
    throw VirError.report("DOMAIN", "XML_ERROR", "missing name for disk source");
  }
  xmlPropEnum(source, "tls", ["yes", "no"]);
  if (
    name !== undefined && (protocol === "gluster" || protocol === "rbd") && !(name.indexOf("/") > 0)
  ) {
    throw VirError.report(
      "DOMAIN",
      "XML_ERROR",
      `can't split path '${name}' into pool name and image name`,
    );
  }
  for (const host of children(source, "host")) checkHost(host);
  const parts = NETWORK_PARTS[protocol!] ?? [];
  const ssl = child(source, "ssl");
  if (ssl && parts.includes("ssl")) xmlPropEnum(ssl, "verify", ["yes", "no"]);
  const cookies = child(source, "cookies");
  if (cookies && parts.includes("cookies")) checkCookies(cookies);
  if (parts.includes("readahead")) {
    for (const [name, attr] of [["readahead", "size"], ["timeout", "seconds"]]) {
      // virXPathULongLong: absent or empty is none, anything else must be a number.
      const v = child(source, name)?.attributes[attr];
      if (v && parseULongLong(v) === undefined) {
        throw VirError.report("DOMAIN", "XML_ERROR", "invalid readahead size or timeout");
      }
    }
  }
}

/**
 * virDomainStorageNetworkParseHost: a known transport; a unix socket for (and only for) the
 * unix transport; a name and a 16-bit port for the others.
 */
function checkHost(host: XmlElement): void {
  const { transport, socket, name, port } = host.attributes;
  const xmlError = (msg: string) => VirError.report("DOMAIN", "XML_ERROR", msg);
  if (transport !== undefined && !["tcp", "unix", "rdma"].includes(transport)) {
    throw VirError.report(
      "DOMAIN",
      "CONFIG_UNSUPPORTED",
      `unknown protocol transport type '${transport}'`,
    );
  }
  const unix = transport === "unix";
  if (unix && socket === undefined) throw xmlError("missing socket for unix transport");
  if (!unix && socket !== undefined) {
    throw xmlError(`transport '${transport ?? "(null)"}' does not support socket attribute`);
  }
  if (unix) return;
  if (name === undefined) throw xmlError("missing name for host");
  if (port === undefined) return;
  // virStringParsePort (virStrToLong_uip, base 10).
  const m = /^[ \t\n\v\f\r]*\+?([0-9]+)$/.exec(port);
  const n = m ? Number(m[1]) : NaN;
  if (!(n <= 0xffffffff)) {
    throw VirError.report("NONE", "INVALID_ARG", `failed to parse port number '${port}'`);
  }
  if (n > 0xffff) throw VirError.report("NONE", "INVALID_ARG", `port '${port}' out of range`);
}

/**
 * The parts of a network source that virDomainDiskSourceNetworkParse reads only for some
 * protocols (the others are dropped): the `query` attribute, `<ssl>`, `<cookies>`, and
 * `<readahead>` with `<timeout>`.
 */
export const NETWORK_PARTS: Record<string, readonly string[]> = {
  http: ["query", "cookies", "readahead"],
  https: ["query", "ssl", "cookies", "readahead"],
  ftp: ["readahead"],
  ftps: ["ssl", "readahead"],
};

/**
 * virStorageSourceNetworkDefaultPort: the port of a TCP `<host>` that names none (none for RBD
 * and NFS).
 *
 * @example
 * ```ts
 * import { NETWORK_DEFAULT_PORTS } from "./disk_source.ts";
 * NETWORK_DEFAULT_PORTS.gluster; // 24007
 * ```
 */
export const NETWORK_DEFAULT_PORTS: Readonly<Record<string, number>> = {
  http: 80,
  https: 443,
  ftp: 21,
  ftps: 990,
  tftp: 69,
  gluster: 24007,
  iscsi: 3260,
  nbd: 10809,
  ssh: 22,
  vxhs: 9999,
  sheepdog: 7000,
};

/** RFC 6265's characters no cookie value may hold (virStorageSourceCookieValueInvalidChars). */
const COOKIE_VALUE_BAD = ' ",;\\';
/** …and those no cookie name may hold besides. */
const COOKIE_NAME_BAD = COOKIE_VALUE_BAD + "()<>@:/[]?={}";

/** Whether `text` has a control character or one of `bad`. */
const hasBad = (text: string, bad: string) =>
  [...text].some((c) => c.charCodeAt(0) < 0x20 || bad.includes(c));

/** virDomainStorageNetCookiesParse and virStorageSourceNetCookiesValidate. */
function checkCookies(cookies: XmlElement): void {
  const err = (domain: "DOMAIN" | "STORAGE", msg: string) =>
    VirError.report(domain, "XML_ERROR", msg);
  // virXPathString: an empty name or value is none.
  const list = children(cookies, "cookie").map((c) => {
    const name = c.attributes.name;
    if (!name) throw err("DOMAIN", "missing cookie name");
    const value = textOf(c);
    if (!value) throw err("DOMAIN", `missing value for cookie '${name}'`);
    return { name, value };
  });
  list.forEach(({ name, value }, i) => {
    if (hasBad(name, COOKIE_NAME_BAD)) {
      throw err("STORAGE", `cookie name '${name}' contains invalid characters`);
    }
    // Optional quotes around the value, both or neither.
    let v = value;
    if (v.startsWith('"')) {
      if (!v.endsWith('"')) {
        throw err("STORAGE", `value of cookie '${name}' contains invalid characters`);
      }
      v = v.slice(1, -1);
    }
    if (hasBad(v, COOKIE_VALUE_BAD)) {
      throw err("STORAGE", `value of cookie '${name}' contains invalid characters`);
    }
    if (list.slice(i + 1).some((o) => o.name === name)) {
      throw err("STORAGE", `duplicate cookie '${name}'`);
    }
  });
}

function checkNvme(source: XmlElement): void {
  const err = (msg: string) => VirError.report("DOMAIN", "XML_ERROR", msg);
  const type = source.attributes.type;
  if (type === undefined) throw err("missing 'type' attribute to disk source");
  if (type !== "pci") throw err(`unsupported source type '${type}'`);
  const ns = source.attributes.namespace;
  if (ns === undefined) throw err("missing 'namespace' attribute to disk source");
  // virStrToLong_ull: base 10, a sign allowed (a negative one wraps), 64 bits.
  const m = /^[ \t\n\v\f\r]*[+-]?([0-9]+)$/.exec(ns);
  if (!m || BigInt(m[1]) > 18446744073709551615n) throw err(`malformed namespace '${ns}'`);
  xmlPropEnum(source, "managed", ["yes", "no"]);
  const address = child(source, "address");
  if (!address) throw err("NVMe disk source is missing address");
  parsePciAddress(address);
}

/**
 * The canonical `<source>` of an NVMe disk (checked by {@link checkDiskSource}): the PCI
 * controller, managed unless said otherwise (virDomainDiskDefPostParse), and the namespace.
 *
 * @example
 * ```ts
 * import { nvmeSource } from "./disk_source.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * nvmeSource(parse("<source type='pci' namespace='1'><address bus='1'/></source>")).attributes;
 * // { type: "pci", managed: "yes", namespace: "1" }
 * ```
 */
export function nvmeSource(source: XmlElement): XmlElement {
  const ns = BigInt.asUintN(64, BigInt(source.attributes.namespace!.trim()));
  return element("source", {
    type: "pci",
    managed: source.attributes.managed ?? "yes",
    namespace: String(ns),
  }, [formatPciAddress(parsePciAddress(child(source, "address")!), false)]);
}
