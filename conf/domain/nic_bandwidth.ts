/**
 * A domain interface's `<bandwidth>` as libvirt's drivers read and change it: the element in
 * the interface's `extra` as a {@link Bandwidth}, and the interface parameters of
 * `virDomainGetInterfaceParameters` / `virDomainSetInterfaceParameters`
 * (`VIR_DOMAIN_BANDWIDTH_*`: `inbound.average` … in kilobytes per second and kilobytes).
 *
 * libvirt keeps a bandwidth whose directions were all removed as an empty structure, printed
 * `<bandwidth>` `</bandwidth>`: a bandwidth here may be `{}` for the same reason.
 *
 * @module
 */
import { type Bandwidth, formatBandwidth, parseBandwidth } from "../common/bandwidth.ts";
import type { TypedParams } from "../../util/contract/types.ts";
import type { TypedParamType } from "../../util/typed_params.ts";
import type { DomainInterface, XmlElementJSON } from "./def.ts";
import { element } from "../../util/xml/mod.ts";

/** The interface parameters in libvirt's order: direction, attribute. */
export const BANDWIDTH_PARAMS: readonly (readonly ["inbound" | "outbound", string])[] = [
  ["inbound", "average"],
  ["inbound", "peak"],
  ["inbound", "burst"],
  ["inbound", "floor"],
  ["outbound", "average"],
  ["outbound", "peak"],
  ["outbound", "burst"],
];

/** Every interface parameter is an unsigned int (`virTypedParamsValidate`'s table). */
export const BANDWIDTH_PARAM_TYPES: Record<string, TypedParamType> = Object.fromEntries(
  BANDWIDTH_PARAMS.map(([d, a]) => [`${d}.${a}`, "uint"]),
);

/**
 * The interface's `<bandwidth>`, undefined without one (`floor` is the network's business:
 * accepted here, as libvirt's domain parser does for any interface it might reach).
 *
 * @example
 * ```ts
 * import { nicBandwidth } from "./nic_bandwidth.ts";
 * nicBandwidth({ type: "bridge", extra: [] }); // undefined
 * ```
 */
export function nicBandwidth(net: DomainInterface): Bandwidth | undefined {
  const el = net.extra.find((e) => e.name === "bandwidth");
  return el && parseBandwidth(el, true);
}

/**
 * Puts `bw` into the interface as libvirt formats it (an empty bandwidth as an open and a
 * close tag), or removes the element for undefined.
 *
 * @example
 * ```ts
 * import { setNicBandwidth } from "./nic_bandwidth.ts";
 * const net = { type: "bridge" as const, extra: [] };
 * setNicBandwidth(net, { inbound: { average: 10 } });
 * net.extra[0].name; // "bandwidth"
 * ```
 */
export function setNicBandwidth(net: DomainInterface, bw: Bandwidth | undefined): void {
  const at = net.extra.findIndex((e) => e.name === "bandwidth");
  const el = bw && (formatBandwidth(bw) ?? { ...element("bandwidth"), keepOpen: true });
  if (at >= 0 && el) net.extra[at] = el as XmlElementJSON;
  else if (at >= 0) net.extra.splice(at, 1);
  // The formatter puts it in libvirt's place among the interface's children.
  else if (el) net.extra.push(el as XmlElementJSON);
}

/**
 * Removes an interface's `<bandwidth>` without a direction, as parsing it again does (libvirt
 * keeps such a bandwidth only until the definition is copied or reloaded).
 *
 * @example
 * ```ts
 * import { dropEmptyBandwidth, setNicBandwidth } from "./nic_bandwidth.ts";
 * const net = { type: "bridge" as const, extra: [] };
 * setNicBandwidth(net, {});
 * dropEmptyBandwidth(net);
 * net.extra.length; // 0
 * ```
 */
export function dropEmptyBandwidth(net: DomainInterface): void {
  const bw = nicBandwidth(net);
  if (bw && !bw.inbound && !bw.outbound) setNicBandwidth(net, undefined);
}

/**
 * `qemuDomainGetInterfaceParameters`' answer: all seven, zero where unset.
 *
 * @example
 * ```ts
 * import { bandwidthParams } from "./nic_bandwidth.ts";
 * bandwidthParams({ inbound: { average: 10 } })["inbound.average"]; // 10
 * ```
 */
export function bandwidthParams(bw: Bandwidth | undefined): TypedParams {
  return Object.fromEntries(
    BANDWIDTH_PARAMS.map(([dir, attr]) => [
      `${dir}.${attr}`,
      (bw?.[dir] as Record<string, number> | undefined)?.[attr] ?? 0,
    ]),
  );
}

/** What a set of interface parameters asks for. */
export interface BandwidthChange {
  /** The directions given with an average (or an inbound floor); the others are absent. */
  bandwidth: Bandwidth;
  /** Whether an inbound average or floor was named (even zero: it then removes inbound). */
  inboundSpecified: boolean;
  /** Whether an outbound average was named. */
  outboundSpecified: boolean;
}

/**
 * The bandwidth of `virDomainSetInterfaceParameters`' parameters: a direction without an
 * average (inbound: nor a floor) is dropped, as "average or floor are mandatory".
 *
 * @example
 * ```ts
 * import { bandwidthChange } from "./nic_bandwidth.ts";
 * bandwidthChange({ "inbound.peak": 5 }).bandwidth; // {}
 * ```
 */
export function bandwidthChange(params: TypedParams): BandwidthChange {
  const rate = (dir: string) =>
    Object.fromEntries(
      BANDWIDTH_PARAMS.filter(([d, a]) => d === dir && params[`${d}.${a}`] !== undefined)
        .map(([d, a]) => [a, Number(params[`${d}.${a}`])]),
    );
  const inbound = rate("inbound");
  const outbound = rate("outbound");
  const bandwidth: Bandwidth = {};
  if (inbound.average || inbound.floor) bandwidth.inbound = inbound;
  if (outbound.average) bandwidth.outbound = outbound;
  return {
    bandwidth,
    inboundSpecified: "average" in inbound || "floor" in inbound,
    outboundSpecified: "average" in outbound,
  };
}

/**
 * The persistent interface's bandwidth after a set (`qemuDomainSetInterfaceParameters`'
 * persistent part): a direction given replaces the old one, one named with zero removes it,
 * others stay.
 *
 * @example
 * ```ts
 * import { bandwidthChange, mergeConfigBandwidth } from "./nic_bandwidth.ts";
 * mergeConfigBandwidth({ outbound: { average: 5 } }, bandwidthChange({ "inbound.average": 9 }));
 * // { outbound: { average: 5 }, inbound: { average: 9 } }
 * ```
 */
export function mergeConfigBandwidth(
  old: Bandwidth | undefined,
  change: BandwidthChange,
): Bandwidth {
  if (!old) return change.bandwidth;
  const next: Bandwidth = { ...old };
  for (const dir of ["inbound", "outbound"] as const) {
    const specified = dir === "inbound" ? change.inboundSpecified : change.outboundSpecified;
    if (change.bandwidth[dir]) next[dir] = change.bandwidth[dir];
    else if (specified) delete next[dir];
  }
  return next;
}

/**
 * The live interface's new bandwidth (`newBandwidth` of `qemuDomainSetInterfaceParameters`):
 * a direction given wins, one not named keeps the old; it replaces the whole old shaping.
 *
 * @example
 * ```ts
 * import { bandwidthChange, mergeLiveBandwidth } from "./nic_bandwidth.ts";
 * mergeLiveBandwidth({ outbound: { average: 5 } }, bandwidthChange({ "inbound.average": 9 }));
 * // { inbound: { average: 9 }, outbound: { average: 5 } }
 * ```
 */
export function mergeLiveBandwidth(old: Bandwidth | undefined, change: BandwidthChange): Bandwidth {
  const next: Bandwidth = {};
  const inbound = change.bandwidth.inbound ?? (change.inboundSpecified ? undefined : old?.inbound);
  const outbound = change.bandwidth.outbound ??
    (change.outboundSpecified ? undefined : old?.outbound);
  if (inbound) next.inbound = inbound;
  if (outbound) next.outbound = outbound;
  return next;
}
