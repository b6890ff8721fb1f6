/**
 * The test driver's domain post-parse (`testDomainDefPostParse` plus the generic defaults) and
 * its interface name generator (`testDomainGenerateIfnames`).
 *
 * @example
 * ```ts
 * import { parseDomainXML } from "../../conf/mod.ts";
 * import { testDomainGenerateIfnames, testDomainPostParse } from "./domain_postparse.ts";
 * const def = parseDomainXML(
 *   "<domain type='test'><name>a</name><memory>8</memory><os><type>hvm</type></os></domain>",
 * );
 * testDomainPostParse(def);
 * testDomainGenerateIfnames(def);
 * def.os.arch; // "i686"
 * ```
 * @module
 */
import { generateUUID } from "../../conf/common/mod.ts";
import { type DomainDef, domainDefPostParse, testVideoDefault } from "../../conf/mod.ts";

/** A random MAC with libvirt's `52:54:00` prefix. */
function randomMac(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(3));
  return ["52", "54", "00", ...[...bytes].map((b) => b.toString(16).padStart(2, "0"))].join(":");
}

/** Applies the test driver's defaults, then libvirt's generic ones, to `def` in place. */
export function testDomainPostParse(def: DomainDef): void {
  if (!def.uuid) def.uuid = generateUUID();
  // The test driver's capabilities offer a single i686 guest, so that is the default arch.
  def.os.arch ??= "i686";
  for (const net of def.devices.interfaces) net.mac ??= randomMac();
  domainDefPostParse(def, { defaultVideo: testVideoDefault });
}

/**
 * Gives every interface without a target device the lowest free `testnetN` name, as the test
 * driver does when it defines or starts a domain.
 */
export function testDomainGenerateIfnames(def: DomainDef): void {
  const used = new Set(def.devices.interfaces.map((n) => n.target));
  let next = 0;
  for (const net of def.devices.interfaces) {
    if (net.target !== undefined) continue;
    while (used.has(`testnet${next}`)) next++;
    net.target = `testnet${next}`;
    used.add(net.target);
  }
}
