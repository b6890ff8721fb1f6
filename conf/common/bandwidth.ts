import { z } from "zod";
import { VirError } from "../../util/errors.ts";
import { child, element, type XmlElement } from "../../util/xml/mod.ts";
import { parseULongLong } from "./units.ts";

/** One direction of `<bandwidth>` (kilobytes per second, kilobytes). */
export const BandwidthRateSchema = z.object({
  average: z.number().optional(),
  peak: z.number().optional(),
  floor: z.number().optional(),
  burst: z.number().optional(),
});
/** One direction of a bandwidth limit. */
export type BandwidthRate = z.infer<typeof BandwidthRateSchema>;

/** `<bandwidth>` (virNetDevBandwidth). */
export const BandwidthSchema = z.object({
  inbound: BandwidthRateSchema.optional(),
  outbound: BandwidthRateSchema.optional(),
});
/** A bandwidth limit. */
export type Bandwidth = z.infer<typeof BandwidthSchema>;

const RATE_ATTRS = ["average", "peak", "floor", "burst"] as const;

function parseRate(el: XmlElement, errorDomain: string, allowFloor: boolean): BandwidthRate {
  const rate: BandwidthRate = {};
  for (const attr of RATE_ATTRS) {
    const raw = el.attributes[attr];
    if (raw === undefined) continue;
    const v = parseULongLong(raw);
    if (v === undefined) {
      throw VirError.report(
        errorDomain,
        "CONFIG_UNSUPPORTED",
        `could not convert bandwidth ${attr} value '${raw}'`,
      );
    }
    rate[attr] = Number(v);
  }
  if (rate.average === undefined && rate.floor === undefined) {
    throw VirError.report(
      errorDomain,
      "XML_DETAIL",
      "Missing mandatory average or floor attributes",
    );
  }
  if ((rate.peak !== undefined || rate.burst !== undefined) && rate.average === undefined) {
    throw VirError.report(
      errorDomain,
      "XML_DETAIL",
      "'peak' and 'burst' require 'average' attribute",
    );
  }
  if (rate.floor !== undefined && !allowFloor) {
    throw VirError.report(
      errorDomain,
      "XML_DETAIL",
      "floor attribute isn't supported for this direction",
    );
  }
  return rate;
}

/**
 * libvirt's virNetDevBandwidthParse; `floor` is only accepted on inbound.
 *
 * @example
 * ```ts
 * import { parseBandwidth } from "./bandwidth.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * parseBandwidth(parse("<bandwidth><inbound average='10'/></bandwidth>"), "NETWORK");
 * // { inbound: { average: 10 } }
 * ```
 */
export function parseBandwidth(el: XmlElement, errorDomain: string): Bandwidth {
  const bw: Bandwidth = {};
  const inbound = child(el, "inbound");
  const outbound = child(el, "outbound");
  if (inbound) bw.inbound = parseRate(inbound, errorDomain, true);
  if (outbound) bw.outbound = parseRate(outbound, errorDomain, false);
  return bw;
}

/**
 * libvirt's virNetDevBandwidthFormat; undefined when there is nothing to print.
 *
 * @example
 * ```ts
 * import { formatBandwidth } from "./bandwidth.ts";
 * formatBandwidth({ inbound: { average: 10 } })?.name; // "bandwidth"
 * ```
 */
export function formatBandwidth(bw: Bandwidth): XmlElement | undefined {
  const rate = (name: string, r: BandwidthRate | undefined) =>
    r && element(name, { average: r.average, peak: r.peak, floor: r.floor, burst: r.burst });
  if (!bw.inbound && !bw.outbound) return undefined;
  return element("bandwidth", {}, [rate("inbound", bw.inbound), rate("outbound", bw.outbound)]);
}
