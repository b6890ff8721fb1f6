/**
 * The first checks of virDomainDiskSourceNetworkParse on a network disk's `<source>` (in a
 * domain or a snapshot): its protocol, its name, and the `pool/image` form gluster and rbd
 * names have.
 *
 * @example
 * ```ts
 * import { checkNetworkDiskSource } from "./network_disk_source.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * checkNetworkDiskSource(parse("<source protocol='rbd' name='pool/image'/>")); // passes
 * ```
 * @module
 */
import { VirError } from "../../util/errors.ts";
import type { XmlElement } from "../../util/xml/mod.ts";
import { xmlPropEnum } from "./values.ts";

/** virStorageNetProtocol's names. */
const PROTOCOLS = (
  "none nbd rbd sheepdog gluster iscsi http https ftp ftps tftp ssh vxhs nfs"
).split(" ");

/** Throws libvirt's error for the first of these checks `source` fails. */
export function checkNetworkDiskSource(source: XmlElement): void {
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
}
