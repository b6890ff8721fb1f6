/**
 * libvirt's test driver XML namespace
 * (`xmlns:test='http://libvirt.org/schemas/domain/test/1.0'`, test_driver.c's
 * testDomainDefNamespaceParse): the run state a node file's domain starts in. libvirt's test
 * driver reads it from every domain it parses, so a define refuses the same bad values, and
 * never writes it back.
 *
 * @module
 */
import { childrenInNamespace, enter, type Scope } from "../../conf/common/metadata_ns.ts";
import { parseUIntPositive } from "../../conf/common/values.ts";
import { VIR } from "../../util/constants.ts";
import { VirError } from "../../util/errors.ts";
import { textOf, type XmlElement } from "../../util/xml/mod.ts";

const TEST_NS_URI = "http://libvirt.org/schemas/domain/test/1.0";

/** The run state the namespace asks for. */
export interface TestNamespace {
  runstate: number;
  transient: boolean;
  hasManagedSave: boolean;
}

function xmlError(detail: string): VirError {
  return VirError.report("TEST", "XML_ERROR", detail);
}

/**
 * testDomainDefNamespaceParse on a `<domain>` element, its namespace declarations resolved in
 * `outer` (a node file's, for a domain written inside it) and its own.
 *
 * @example
 * ```ts
 * import { parseTestNamespace } from "./test_namespace.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * parseTestNamespace(parse(
 *   "<domain xmlns:test='http://libvirt.org/schemas/domain/test/1.0'>" +
 *     "<test:runstate>5</test:runstate></domain>",
 * )).runstate; // 5
 * ```
 */
export function parseTestNamespace(dom: XmlElement, outer: Scope = new Map()): TestNamespace {
  const top = { el: dom, scope: enter(dom, outer) };
  const first = (local: string) => childrenInNamespace(top, TEST_NS_URI, local)[0]?.el;
  const ns: TestNamespace = {
    runstate: VIR.DOMAIN_RUNNING,
    transient: first("transient") !== undefined,
    hasManagedSave: first("hasmanagedsave") !== undefined,
  };
  // virXPathUInt on string(./test:runstate): an empty one is none, then virStrToLong_uip.
  const text = textOf(first("runstate"));
  if (text) {
    const v = parseUIntPositive(text);
    if (v === undefined) throw xmlError("invalid runstate");
    // libvirt prints the unsigned value with %d.
    if (v > VIR.DOMAIN_PMSUSPENDED) throw xmlError(`runstate '${v | 0}' out of range'`);
    ns.runstate = v;
  }
  if (ns.transient && ns.runstate === VIR.DOMAIN_SHUTOFF) {
    throw xmlError("transient domain cannot have runstate 'shutoff'");
  }
  if (ns.hasManagedSave && ns.runstate !== VIR.DOMAIN_SHUTOFF) {
    throw xmlError("domain with managedsave data can only have runstate 'shutoff'");
  }
  return ns;
}
