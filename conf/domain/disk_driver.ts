/**
 * A disk's `<driver>` attributes as libvirt 9.0's virDomainDiskDefDriverParseXML reads them:
 * each enum and switch among its names (a `default` only where libvirt allows one), numbers as
 * numbers, and no `enospace` for reads.
 *
 * @example
 * ```ts
 * import { checkDiskDriver } from "./disk_driver.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * checkDiskDriver(parse("<driver cache='sometimes'/>"));
 * // throws "XML error: Invalid value for attribute 'cache' in element 'driver': 'sometimes'."
 * ```
 * @module
 */
import { VirError } from "../../util/errors.ts";
import type { XmlElement } from "../../util/xml/mod.ts";
import { xmlPropEnum, xmlPropUInt } from "../common/mod.ts";

const SWITCH = ["on", "off"];
const ERROR_POLICIES = ["stop", "report", "ignore", "enospace"];

/** libvirt's order of the enum attributes, with their names (VIR_XML_PROP_NONZERO: no default). */
const ENUMS: [string, string[]][] = [
  ["cache", ["default", "none", "writethrough", "writeback", "directsync", "unsafe"]],
  ["error_policy", ERROR_POLICIES],
  ["rerror_policy", ERROR_POLICIES],
  ["io", ["native", "threads", "io_uring"]],
  ["ioeventfd", SWITCH],
  ["event_idx", SWITCH],
  ["copy_on_read", SWITCH],
  ["discard", ["unmap", "ignore"]],
];

/** Throws libvirt's error for the first attribute of `driver` it refuses. */
export function checkDiskDriver(driver: XmlElement): void {
  for (const [attr, names] of ENUMS) {
    const v = xmlPropEnum(driver, attr, names);
    if (attr === "rerror_policy" && v === "enospace") {
      throw VirError.report(
        "DOMAIN",
        "CONFIG_UNSUPPORTED",
        "Invalid disk read error policy: 'enospace'",
      );
    }
  }
  xmlPropUInt(driver, "iothread", undefined, { nonZero: true });
  xmlPropEnum(driver, "detect_zeroes", ["off", "on", "unmap"]);
  xmlPropUInt(driver, "queues");
  xmlPropUInt(driver, "queue_size");
}
