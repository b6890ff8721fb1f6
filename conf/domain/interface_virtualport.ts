/**
 * A domain interface's `<virtualport>`, as libvirt 9.0's virDomainNetDefParseXML reads it:
 * only the interface types that may carry one, each with its flags to
 * virNetDevVPortProfileParse (a network's port may leave its type to the network; a bridge's,
 * macvtap's or hostdev's names its type and all its parameters), the missing instance and
 * interface ids generated.
 *
 * @example
 * ```ts
 * import { parseInterfaceVirtualPort } from "./interface_virtualport.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * parseInterfaceVirtualPort(
 *   parse("<interface type='bridge'><virtualport type='openvswitch'/></interface>"),
 * )?.attributes; // { type: "openvswitch" }, with a generated interfaceid in <parameters>
 * ```
 * @module
 */
import { formatVirtualPort, parseVirtualPort, type VirtualPortFlags } from "../common/mod.ts";
import { VirError } from "../../util/errors.ts";
import { child, type XmlElement } from "../../util/xml/mod.ts";

const FULL = { requireType: true, generateMissing: true, requireAll: true };

/** The virtualport flags of each interface type that takes one; any other refuses it. */
const FLAGS: Record<string, VirtualPortFlags & { requireType: boolean }> = {
  network: { requireType: false, generateMissing: true },
  bridge: FULL,
  direct: FULL,
  hostdev: FULL,
};

/**
 * The first `<virtualport>` of interface `dev` as libvirt writes it back; undefined without
 * one. Throws libvirt's error for a type that takes none, or a port it refuses.
 */
export function parseInterfaceVirtualPort(dev: XmlElement): XmlElement | undefined {
  const el = child(dev, "virtualport");
  if (!el) return undefined;
  const type = dev.attributes.type ?? "";
  const flags = FLAGS[type];
  if (!flags) {
    throw VirError.report(
      "DOMAIN",
      "CONFIG_UNSUPPORTED",
      `<virtualport> element unsupported for <interface type='${type}'>`,
    );
  }
  return formatVirtualPort(parseVirtualPort(el, flags.requireType, flags));
}
