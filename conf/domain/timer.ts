/**
 * virDomainTimerDefParseXML's checks of a `<clock><timer>`, which libvirt makes after the
 * clock's offset: the required name, then the other attributes and the catch-up limits.
 *
 * @example
 * ```ts
 * import { checkTimer } from "./timer.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * checkTimer(parse("<timer name='rtc' tickpolicy='catchup'/>")); // passes
 * ```
 * @module
 */
import { child, type XmlElement } from "../../util/xml/mod.ts";
import { parseULongLong } from "../common/units.ts";
import { xmlPropEnum } from "../common/values.ts";
import { VirError } from "../../util/errors.ts";

/** virXMLPropULongLong (base 10) with util/virxml.c's error. */
function ulonglong(el: XmlElement, attr: string): void {
  const v = el.attributes[attr];
  if (v !== undefined && parseULongLong(v) === undefined) {
    throw VirError.report(
      "XML",
      "XML_ERROR",
      `Invalid value for attribute '${attr}' in element '${el.name}': '${v}'. ` +
        "Expected non-negative integer value",
    );
  }
}

const NAMES = "platform pit rtc hpet tsc kvmclock hypervclock armvtimer".split(" ");

/** Throws libvirt's error for the first check `timer` fails. */
export function checkTimer(timer: XmlElement): void {
  xmlPropEnum(timer, "name", NAMES, true);
  xmlPropEnum(timer, "present", ["yes", "no"]);
  xmlPropEnum(timer, "tickpolicy", ["delay", "catchup", "merge", "discard"]);
  xmlPropEnum(timer, "track", ["boot", "guest", "wall", "realtime"]);
  ulonglong(timer, "frequency");
  xmlPropEnum(timer, "mode", ["auto", "native", "emulate", "paravirt", "smpsafe"]);
  const catchup = child(timer, "catchup");
  if (catchup) { for (const attr of ["threshold", "slew", "limit"]) ulonglong(catchup, attr); }
}
