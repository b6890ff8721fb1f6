/**
 * `network.rng` of libvirt 9.0 as {@link rngValidate} checks it: the root's attributes and its
 * known children.
 *
 * @example
 * ```ts
 * import { NETWORK_RNG } from "./rng_schema.ts";
 * import { rngValidate } from "../common/rng.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * rngValidate(parse("<network><name>n</name></network>"), NETWORK_RNG);
 * ```
 * @module
 */
import type { RngSchema } from "../common/rng.ts";

/** The network document's schema. */
export const NETWORK_RNG: RngSchema = {
  file: "network.rng",
  root: "network",
  attrs: { connections: "unsignedInt", ipv6: ["yes", "no"], trustGuestRxFilters: ["yes", "no"] },
  elements: {
    name: { attrs: {}, alone: true },
    uuid: { attrs: {}, text: "uuid" },
    metadata: {},
    bridge: {},
    mtu: {},
    mac: {},
    forward: {},
    virtualport: {},
    portgroup: { many: true },
    domain: {},
    dns: {},
    bandwidth: {},
    vlan: {},
    port: {},
    ip: { many: true },
    route: { many: true },
    "dnsmasq:options": {},
  },
};
