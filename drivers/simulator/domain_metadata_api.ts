/**
 * Domain metadata of libvirt's test driver: `<description>`, `<title>` and the namespaced
 * elements under `<metadata>` (virDomainObjGetMetadata / virDomainObjSetMetadata), with the
 * METADATA_CHANGE event a successful change queues.
 *
 * @module
 */
import type { DomainDef } from "../../conf/domain/def.ts";
import {
  extractNamespaceXML,
  findChildByNamespace,
  injectNamespace,
  withoutNamespace,
} from "../../conf/common/metadata_ns.ts";
import type { DriverConnection } from "../../util/driver.ts";
import { VIR } from "../../util/constants.ts";
import { checkFlags, VirError } from "../../util/errors.ts";
import { parse, type XmlElement } from "../../util/xml/mod.ts";
import { domainFromRef } from "./domain_access.ts";
import { getDefs, getOneDef, refOf } from "../../conf/objects/domain_obj.ts";
import type { TestDriverState } from "./driver_state.ts";
import { methodTable } from "../../util/method_table.ts";

const AFFECT = VIR.DOMAIN_AFFECT_LIVE | VIR.DOMAIN_AFFECT_CONFIG;

function unknownType(type: number): VirError {
  return VirError.report("DOMAIN", "INVALID_ARG", `unknown metadata type '${type}'`);
}

function notFound(): VirError {
  return VirError.report(
    "DOMAIN",
    "NO_DOMAIN_METADATA",
    "Requested metadata element is not present",
  );
}

/** virDomainDefSetMetadata on one definition; `element` is the already namespaced tree. */
function setOn(
  def: DomainDef,
  type: number,
  text: string | null,
  element: XmlElement | undefined,
  uri: string | null,
): void {
  if (type === VIR.DOMAIN_METADATA_DESCRIPTION) def.description = text || undefined;
  else if (type === VIR.DOMAIN_METADATA_TITLE) def.title = text || undefined;
  else {
    // Every element of the namespace goes; the new one, if any, is appended after the rest.
    const kids = def.metadata ? withoutNamespace(def.metadata, uri!) : [];
    if (element) kids.push(structuredClone(element));
    def.metadata = kids.length
      ? { type: "element", name: "metadata", attributes: {}, children: kids }
      : undefined;
  }
}

/**
 * The metadata part of the test driver's hypervisor table.
 *
 * @example
 * ```ts
 * import { domainMetadataMethods } from "./domain_metadata_api.ts";
 * import { TestDriverState } from "./driver_state.ts";
 * const methods = domainMetadataMethods(new TestDriverState());
 * ```
 */
export function domainMetadataMethods(state: TestDriverState): Partial<DriverConnection> {
  return methodTable({
    domainGetMetadata: (ref, type, uri, flags) => {
      checkFlags(flags, AFFECT, "testDomainGetMetadata", "TEST");
      const { def } = getOneDef(domainFromRef(state, ref), flags);
      if (type === VIR.DOMAIN_METADATA_DESCRIPTION || type === VIR.DOMAIN_METADATA_TITLE) {
        const text = type === VIR.DOMAIN_METADATA_TITLE ? def.title : def.description;
        if (text === undefined) throw notFound();
        return text;
      }
      if (type !== VIR.DOMAIN_METADATA_ELEMENT) throw unknownType(type);
      const el = def.metadata && findChildByNamespace(def.metadata, uri!);
      if (!el) throw notFound();
      return extractNamespaceXML(el, uri!);
    },
    domainSetMetadata: (ref, type, metadata, key, uri, flags) => {
      checkFlags(flags, AFFECT, "testDomainSetMetadata", "TEST");
      const obj = domainFromRef(state, ref);
      const { live, config } = getDefs(obj, flags);
      if (type < VIR.DOMAIN_METADATA_DESCRIPTION || type > VIR.DOMAIN_METADATA_ELEMENT) {
        throw unknownType(type);
      }
      // Parsed once per definition in libvirt; the first failure stops before any change.
      const element = type === VIR.DOMAIN_METADATA_ELEMENT && metadata !== null
        ? injectNamespace(
          parse(metadata, { context: "(metadata_xml)", errorDomain: "DOMAIN" }),
          uri!,
          key!,
        )
        : undefined;
      for (const def of [live, config]) if (def) setOn(def, type, metadata, element, uri);
      state.emit({
        family: "domain",
        eventId: VIR.DOMAIN_EVENT_ID_METADATA_CHANGE,
        ref: refOf(obj),
        data: { type, nsuri: uri },
      });
    },
  });
}
