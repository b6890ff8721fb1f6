/**
 * libvirt's `virNetDevGetLinkInfo`: a network interface's link state and speed from sysfs,
 * as the node-device and interface drivers print them in `<link speed='…' state='…'/>`.
 *
 * @module
 */
import type { Sysfs } from "./sysfs.ts";

/** Link state (`operstate`) and, while up, speed in Mb/s. */
export interface NetLink {
  state?: string;
  speed?: number;
}

/**
 * The link of `ifname`: no speed unless the link is up (drivers report nonsense otherwise,
 * so libvirt leaves it out), nor when the device reports none.
 *
 * @example
 * ```ts
 * import { linkInfo } from "./net_link.ts";
 * import { Sysfs } from "./sysfs.ts";
 * linkInfo(new Sysfs(), "lo"); // { state: "unknown" }
 * ```
 */
export function linkInfo(sys: Sysfs, ifname: string): NetLink {
  const dir = `/sys/class/net/${ifname}`;
  const state = sys.text(`${dir}/operstate`)?.replace(/\n$/, "");
  if (state === undefined || state === "") return {};
  if (state !== "up") return { state };
  const speed = Number(sys.text(`${dir}/speed`));
  return { state, speed: Number.isInteger(speed) && speed > 0 ? speed : undefined };
}
