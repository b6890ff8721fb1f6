/**
 * Name tables of the domain XML that programs outside conf/ need without the parser: evsh reads
 * them at start-up, and importing the parser (zod schemas, saxes) for a list of names costs a
 * one-command evsh run tens of milliseconds. No imports, on purpose.
 *
 * @example
 * ```ts
 * import { INTERFACE_TYPES, LIFECYCLE_ACTIONS } from "./names.ts";
 * LIFECYCLE_ACTIONS.indexOf("restart"); // 1
 * INTERFACE_TYPES.includes("network"); // true
 * ```
 * @module
 */

/** virDomainLifecycleAction names, in libvirt's enum order (the API's action numbers). */
export const LIFECYCLE_ACTIONS: string[] = [
  "destroy",
  "restart",
  "rename-restart",
  "preserve",
  "coredump-destroy",
  "coredump-restart",
];

/** libvirt's `virDomainNetType` names. */
export const INTERFACE_TYPES = [
  "user",
  "ethernet",
  "vhostuser",
  "server",
  "client",
  "mcast",
  "network",
  "bridge",
  "internal",
  "direct",
  "hostdev",
  "udp",
  "vdpa",
  "null",
  "vds",
] as const;
