/**
 * `<launchSecurity>`: virDomainSecDefParseXML / virDomainSEVDefParseXML and
 * virDomainSecDefFormat (the SEV policy is a hexadecimal number, written as 0x%04x).
 *
 * @example
 * ```ts
 * import { parseLaunchSecurity } from "./launch_security.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * parseLaunchSecurity(parse("<launchSecurity type='sev'><policy>3</policy></launchSecurity>"));
 * // <launchSecurity type='sev'><policy>0x0003</policy></launchSecurity>
 * ```
 * @module
 */
import { VirError } from "../../util/errors.ts";
import type { XmlElement } from "../../util/xml/mod.ts";
import { childText, element } from "../../util/xml/mod.ts";
import { parseUInt, xmlPropEnum } from "../common/mod.ts";

const xmlErr = (msg: string) => VirError.report("DOMAIN", "XML_ERROR", msg);

/** virXPathUInt of a child's text: undefined when absent or empty, `bad` when not a number. */
function uintChild(el: XmlElement, name: string, bad: string): number | undefined {
  const text = childText(el, name);
  if (!text) return undefined;
  const n = parseUInt(text);
  if (n === undefined) throw xmlErr(bad);
  return n;
}

/** The `<launchSecurity>` libvirt keeps and writes. */
export function parseLaunchSecurity(el: XmlElement): XmlElement {
  const type = xmlPropEnum(el, "type", ["sev", "s390-pv"], true)!;
  if (type !== "sev") return element("launchSecurity", { type });
  const kernelHashes = xmlPropEnum(el, "kernelHashes", ["yes", "no"]);
  // virXPathUIntBase(16): absent, empty and malformed all fail the same way.
  const policyText = childText(el, "policy");
  const policy = policyText ? parseUInt(policyText, 16) : undefined;
  if (policy === undefined) throw xmlErr("failed to get launch security policy");
  const cbitpos = uintChild(el, "cbitpos", "Invalid format for launch security cbitpos");
  const reduced = uintChild(
    el,
    "reducedPhysBits",
    "Invalid format for launch security reduced-phys-bits",
  );
  const text = (name: string) => {
    const t = childText(el, name);
    return t ? element(name, {}, [t]) : undefined;
  };
  return element("launchSecurity", { type, kernelHashes }, [
    cbitpos !== undefined && element("cbitpos", {}, [String(cbitpos)]),
    reduced !== undefined && element("reducedPhysBits", {}, [String(reduced)]),
    element("policy", {}, [`0x${policy.toString(16).padStart(4, "0")}`]),
    text("dhCert"),
    text("session"),
  ]);
}
