/**
 * The contract of the network family: virtual networks, as libvirt's `src/driver-network.h`: one declaration per call (arguments,
 * result, gateway access, libvirt's public-API checks in its order). The error domain of these
 * calls is `VIR_FROM_NETWORK` unless one says otherwise.
 *
 * @module
 */
import { a, c, type CallTable, r } from "./declare.ts";
import type { TypedParams } from "./types.ts";

/**
 * Every call of this family by driver method name.
 *
 * @example
 * ```ts
 * import { NETWORK } from "./network.ts";
 * Object.keys(NETWORK).length > 0; // true
 * ```
 */
export const NETWORK = {
  connectNumOfNetworks: { args: [], result: r.count("connectListNetworks"), access: "read" },
  connectListNetworks: { args: [], result: r.names("network"), access: "read" },
  connectNumOfDefinedNetworks: {
    args: [],
    result: r.count("connectListDefinedNetworks"),
    access: "read",
  },
  connectListDefinedNetworks: { args: [], result: r.names("network"), access: "read" },
  connectListAllNetworks: { args: [a.flags()], result: r.refs("net"), access: "read" },
  networkLookupByUUID: {
    args: [a.uuid("uuid")],
    result: r.ref("net"),
    access: "read",
    checks: [c.nonNull(0)],
  },
  networkLookupByName: {
    args: [a.str("name")],
    result: r.ref("net"),
    access: "read",
    checks: [c.nonNull(0)],
  },
  networkCreateXML: {
    args: [a.str("xmlDesc"), a.flags()],
    result: r.ref("net"),
    access: "write",
    checks: [c.nonNull(0), c.readonly],
    creates: "network",
  },
  networkDefineXMLFlags: {
    args: [a.str("xml"), a.flags()],
    result: r.ref("net"),
    access: "write",
    checks: [c.readonly, c.nonNull(0)],
    creates: "network",
  },
  networkUndefine: { args: [a.net("net")], result: r.none, access: "write", checks: [c.readonly] },
  networkUpdate: {
    args: [
      a.net("net"),
      a.uint("command"),
      a.uint("section"),
      a.int("parentIndex"),
      a.str("xml"),
      a.flags(),
    ],
    result: r.none,
    access: "write",
    checks: [c.readonly, c.nonNull(4)],
  },
  networkCreate: { args: [a.net("net")], result: r.none, access: "write", checks: [c.readonly] },
  networkDestroy: { args: [a.net("net")], result: r.none, access: "write", checks: [c.readonly] },
  networkGetXMLDesc: { args: [a.net("net"), a.flags()], result: r.data<string>(), access: "read" },
  networkGetBridgeName: { args: [a.net("net")], result: r.data<string>(), access: "read" },
  networkGetAutostart: { args: [a.net("net")], result: r.data<boolean>(), access: "read" },
  networkSetAutostart: {
    args: [a.net("net"), a.bool("autostart")],
    result: r.none,
    access: "write",
    checks: [c.readonly],
  },
  networkIsActive: { args: [a.net("net")], result: r.data<boolean>(), access: "read" },
  networkIsPersistent: { args: [a.net("net")], result: r.data<boolean>(), access: "read" },
  networkGetDHCPLeases: {
    args: [a.net("net"), a.optStr("mac"), a.flags()],
    result: r.data<Record<string, unknown>[]>(),
    access: "read",
  },
  networkListAllPorts: {
    args: [a.net("network"), a.flags()],
    result: r.refs("netport"),
    access: "read",
  },
  networkPortLookupByUUID: {
    args: [a.net("net"), a.uuid("uuid")],
    result: r.ref("netport"),
    access: "read",
    checks: [c.nonNull(1)],
  },
  networkPortCreateXML: {
    args: [a.net("net"), a.str("xmldesc"), a.flags()],
    result: r.ref("netport"),
    access: "write",
    checks: [c.nonNull(1), c.readonly],
  },
  networkPortGetXMLDesc: {
    args: [a.netport("port"), a.flags()],
    result: r.data<string>(),
    access: "read",
  },
  networkPortGetParameters: {
    args: [a.netport("port"), a.flags()],
    result: r.data<TypedParams>(),
    access: "read",
  },
  networkPortSetParameters: {
    args: [a.netport("port"), a.params("params", 16), a.flags()],
    result: r.none,
    access: "write",
    checks: [c.readonly],
  },
  networkPortDelete: {
    args: [a.netport("port"), a.flags()],
    result: r.none,
    access: "write",
    checks: [c.readonly],
  },
} as const satisfies CallTable;
