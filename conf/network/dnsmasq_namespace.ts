/**
 * libvirt's network XML namespace for dnsmasq
 * (`xmlns:dnsmasq='http://libvirt.org/schemas/network/dnsmasq/1.0'`, bridge_driver.c's
 * `networkDnsmasqXMLNamespace`): `<dnsmasq:options>` whose `<dnsmasq:option value>`s are copied
 * into the network's dnsmasq configuration. Only the network driver registers it: the test
 * driver's parser never reads these elements, as libvirt's drops them.
 *
 * @module
 */
import { childrenInNamespace, enter } from "../common/metadata_ns.ts";
import { VirError } from "../../util/errors.ts";
import { element, type XmlElement } from "../../util/xml/mod.ts";
import type { NetworkDef } from "./model.ts";

/** The namespace URI, and the prefix libvirt writes it with. */
export const DNSMASQ_NS_URI = "http://libvirt.org/schemas/network/dnsmasq/1.0";
const PREFIX = "dnsmasq";

/**
 * networkDnsmasqDefNamespaceParse: the `value` of every `<dnsmasq:option>` of every
 * `<dnsmasq:options>`, found by namespace whatever their prefix, into `def.dnsmasqOptions` (left
 * unset when there is none); an option without a value is libvirt's internal error.
 *
 * @example
 * ```ts
 * import { readDnsmasqNamespace } from "./dnsmasq_namespace.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * const def = {} as import("./model.ts").NetworkDef;
 * readDnsmasqNamespace(parse("<network xmlns:d='http://libvirt.org/schemas/network/dnsmasq/1.0'>" +
 *   "<d:options><d:option value='foo=bar'/></d:options></network>"), def);
 * def.dnsmasqOptions; // ["foo=bar"]
 * ```
 */
export function readDnsmasqNamespace(root: XmlElement, def: NetworkDef): void {
  const top = { el: root, scope: enter(root, new Map()) };
  const values = childrenInNamespace(top, DNSMASQ_NS_URI, "options")
    .flatMap((options) => childrenInNamespace(options, DNSMASQ_NS_URI, "option"))
    .map(({ el }) => {
      const value = el.attributes.value;
      if (value === undefined) {
        throw VirError.report("NETWORK", "INTERNAL_ERROR", "No dnsmasq options value specified");
      }
      return value;
    });
  if (values.length) def.dnsmasqOptions = values;
}

/**
 * The `<network>` attribute declaring the namespace (virXMLNamespaceFormatNS), written first
 * when the definition holds options.
 *
 * @example
 * ```ts
 * import { dnsmasqNamespaceAttribute } from "./dnsmasq_namespace.ts";
 * dnsmasqNamespaceAttribute(); // { "xmlns:dnsmasq": "http://libvirt.org/schemas/network/dnsmasq/1.0" }
 * ```
 */
export function dnsmasqNamespaceAttribute(): Record<string, string> {
  return { [`xmlns:${PREFIX}`]: DNSMASQ_NS_URI };
}

/**
 * networkDnsmasqDefNamespaceFormatXML: `<dnsmasq:options>`, last in `<network>`.
 *
 * @example
 * ```ts
 * import { formatDnsmasqNamespace } from "./dnsmasq_namespace.ts";
 * formatDnsmasqNamespace(["foo=bar"]).children.length; // 1
 * ```
 */
export function formatDnsmasqNamespace(options: readonly string[]): XmlElement {
  return element(
    `${PREFIX}:options`,
    {},
    options.map((value) => element(`${PREFIX}:option`, { value })),
  );
}
