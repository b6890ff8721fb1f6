import { z } from "zod";
import { VirError } from "../../util/errors.ts";
import { children, element, type XmlElement } from "../../util/xml/mod.ts";
import { parseULongLong } from "./units.ts";

/** One direction of `<bandwidth>` (kilobytes per second, kilobytes). */
export const BandwidthRateSchema = z.strictObject({
  average: z.number().optional(),
  peak: z.number().optional(),
  floor: z.number().optional(),
  burst: z.number().optional(),
});
/** One direction of a bandwidth limit. */
export type BandwidthRate = z.infer<typeof BandwidthRateSchema>;

/** `<bandwidth>` (virNetDevBandwidth). */
export const BandwidthSchema = z.strictObject({
  inbound: BandwidthRateSchema.optional(),
  outbound: BandwidthRateSchema.optional(),
  /** The traffic class a network port's QoS got (network ports only). */
  classID: z.number().optional(),
});
/** A bandwidth limit. */
export type Bandwidth = z.infer<typeof BandwidthSchema>;

/** virNetDevBandwidthParseRate; its errors come from VIR_FROM_NONE, as all of netdev_bandwidth_conf.c's. */
function parseRate(el: XmlElement): BandwidthRate {
  const a = el.attributes;
  const number = (attr: "average" | "peak" | "burst" | "floor"): number | undefined => {
    const raw = a[attr];
    if (raw === undefined) return undefined;
    const v = parseULongLong(raw);
    if (v === undefined) {
      throw VirError.report(
        "NONE",
        "CONFIG_UNSUPPORTED",
        `could not convert bandwidth ${attr} value '${raw}'`,
      );
    }
    return Number(v);
  };
  const rate: BandwidthRate = {};
  if (a.average !== undefined) rate.average = number("average");
  else if (a.floor === undefined) {
    throw VirError.report("NONE", "XML_DETAIL", "Missing mandatory average or floor attributes");
  }
  if ((a.peak !== undefined || a.burst !== undefined) && a.average === undefined) {
    throw VirError.report(
      "NONE",
      "CONFIG_UNSUPPORTED",
      "'peak' and 'burst' require 'average' attribute",
    );
  }
  for (const attr of ["peak", "burst", "floor"] as const) {
    const v = number(attr);
    if (v !== undefined) rate[attr] = v;
  }
  return rate;
}

/**
 * libvirt's virNetDevBandwidthParse without a class ID (networks, port groups): `floor` only
 * where the caller supports it, and only on inbound.
 *
 * @example
 * ```ts
 * import { parseBandwidth } from "./bandwidth.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * parseBandwidth(parse("<bandwidth><inbound average='10'/></bandwidth>"));
 * // { inbound: { average: 10 } }
 * ```
 */
export function parseBandwidth(
  el: XmlElement,
  allowFloor = false,
  allowClassID = false,
): Bandwidth {
  const classID = el.attributes.classID;
  if (classID !== undefined && !allowClassID) {
    throw VirError.report(
      "NONE",
      "XML_DETAIL",
      "classID attribute not supported on <bandwidth> in this usage context",
    );
  }
  if (classID !== undefined && !(/^\d+$/.test(classID) && Number(classID) < 2 ** 32)) {
    throw VirError.report("NONE", "INTERNAL_ERROR", `Unable to parse class id '${classID}'`);
  }
  const only = (name: string) => {
    const list = children(el, name);
    if (list.length > 1) {
      throw VirError.report("NONE", "XML_DETAIL", `Only one child <${name}> element allowed`);
    }
    return list[0];
  };
  const inbound = only("inbound");
  const outbound = only("outbound");
  const bw: Bandwidth = classID !== undefined ? { classID: Number(classID) } : {};
  if (inbound) {
    bw.inbound = parseRate(inbound);
    if (bw.inbound.floor && !allowFloor) {
      throw VirError.report(
        "NONE",
        "CONFIG_UNSUPPORTED",
        "floor attribute is not supported for this config",
      );
    }
  }
  if (outbound) {
    bw.outbound = parseRate(outbound);
    if (bw.outbound.floor) {
      throw VirError.report(
        "NONE",
        "CONFIG_UNSUPPORTED",
        "'floor' attribute allowed only in <inbound> element",
      );
    }
  }
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
  // Zero means unset: a direction without average or floor is not written.
  const nz = (v: number | undefined) => v || undefined;
  const rate = (name: string, r: BandwidthRate | undefined) =>
    r && !!(r.average || r.floor) &&
    element(name, {
      average: nz(r.average),
      peak: nz(r.peak),
      floor: nz(r.floor),
      burst: nz(r.burst),
    });
  if (!bw.inbound && !bw.outbound) return undefined;
  const attrs = { classID: bw.classID ? String(bw.classID) : undefined };
  return {
    ...element("bandwidth", attrs, [rate("inbound", bw.inbound), rate("outbound", bw.outbound)]),
    keepOpen: true,
  };
}

/**
 * A network port's bandwidth parameters (`networkPortGetParameters`, and what
 * `virDomainNetBandwidthUpdate` sends to the port): a direction's parameters only when the port has it
 * (inbound: average, peak, floor, burst; outbound: average, peak, burst).
 *
 * @example
 * ```ts
 * import { portBandwidthParams } from "./bandwidth.ts";
 * portBandwidthParams({ outbound: { average: 5 } });
 * // { "outbound.average": 5, "outbound.peak": 0, "outbound.burst": 0 }
 * ```
 */
export function portBandwidthParams(bw: Bandwidth | undefined): Record<string, number> {
  const params: Record<string, number> = {};
  const put = (dir: "inbound" | "outbound", attrs: ("average" | "peak" | "floor" | "burst")[]) => {
    const rate = bw?.[dir];
    if (rate) { for (const a of attrs) params[`${dir}.${a}`] = rate[a] ?? 0; }
  };
  put("inbound", ["average", "peak", "floor", "burst"]);
  put("outbound", ["average", "peak", "burst"]);
  return params;
}
