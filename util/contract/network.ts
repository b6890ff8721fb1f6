/**
 * The contract of the network family: virtual networks, as libvirt's `src/driver-network.h`: one declaration per call (arguments,
 * result, gateway access, libvirt's public-API checks in its order). The error domain of these
 * calls is `VIR_FROM_NETWORK` unless one says otherwise.
 *
 * @module
 */
import { type CallTable, r, type Result } from "./declare.ts";
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
  connectNumOfNetworks: {
    args: [],
    result: { shape: { kind: "count", from: "connectListNetworks" } } as Result<number>,
    access: "read",
  },
  connectListNetworks: { args: [], result: r.names.network, access: "read" },
  connectNumOfDefinedNetworks: {
    args: [],
    result: { shape: { kind: "count", from: "connectListDefinedNetworks" } } as Result<number>,
    access: "read",
  },
  connectListDefinedNetworks: { args: [], result: r.names.network, access: "read" },
  connectListAllNetworks: {
    args: [{ name: "flags", kind: "uint" }],
    result: r.refs.net,
    access: "read",
  },
  networkLookupByUUID: {
    args: [{ name: "uuid", kind: "uuid" }],
    result: r.ref.net,
    access: "read",
    checks: [{ check: "nonNull", arg: 0 }],
  },
  networkLookupByName: {
    args: [{ name: "name", kind: "str" }],
    result: r.ref.net,
    access: "read",
    checks: [{ check: "nonNull", arg: 0 }],
  },
  networkCreateXML: {
    args: [{ name: "xmlDesc", kind: "str" }, { name: "flags", kind: "uint" }],
    result: r.ref.net,
    access: "write",
    checks: [{ check: "nonNull", arg: 0 }, { check: "readonly" }],
    creates: "network",
  },
  networkDefineXMLFlags: {
    args: [{ name: "xml", kind: "str" }, { name: "flags", kind: "uint" }],
    result: r.ref.net,
    access: "write",
    checks: [{ check: "readonly" }, { check: "nonNull", arg: 0 }],
    creates: "network",
  },
  networkUndefine: {
    args: [{ name: "net", kind: "net" }],
    result: r.none,
    access: "write",
    checks: [{ check: "readonly" }],
  },
  networkUpdate: {
    args: [
      { name: "net", kind: "net" },
      { name: "command", kind: "uint" },
      { name: "section", kind: "uint" },
      { name: "parentIndex", kind: "int" },
      { name: "xml", kind: "str" },
      { name: "flags", kind: "uint" },
    ],
    result: r.none,
    access: "write",
    checks: [{ check: "readonly" }, { check: "nonNull", arg: 4 }],
  },
  networkCreate: {
    args: [{ name: "net", kind: "net" }],
    result: r.none,
    access: "write",
    checks: [{ check: "readonly" }],
  },
  networkDestroy: {
    args: [{ name: "net", kind: "net" }],
    result: r.none,
    access: "write",
    checks: [{ check: "readonly" }],
  },
  networkGetXMLDesc: {
    args: [{ name: "net", kind: "net" }, { name: "flags", kind: "uint" }],
    result: r.data as Result<string>,
    access: "read",
  },
  networkGetBridgeName: {
    args: [{ name: "net", kind: "net" }],
    result: r.data as Result<string>,
    access: "read",
  },
  networkGetAutostart: {
    args: [{ name: "net", kind: "net" }],
    result: r.data as Result<boolean>,
    access: "read",
  },
  networkSetAutostart: {
    args: [{ name: "net", kind: "net" }, { name: "autostart", kind: "bool" }],
    result: r.none,
    access: "write",
    checks: [{ check: "readonly" }],
  },
  networkIsActive: {
    args: [{ name: "net", kind: "net" }],
    result: r.data as Result<boolean>,
    access: "read",
  },
  networkIsPersistent: {
    args: [{ name: "net", kind: "net" }],
    result: r.data as Result<boolean>,
    access: "read",
  },
  networkGetDHCPLeases: {
    args: [
      { name: "net", kind: "net" },
      { name: "mac", kind: "str?" },
      { name: "flags", kind: "uint" },
    ],
    result: r.data as Result<Record<string, unknown>[]>,
    access: "read",
  },
  networkListAllPorts: {
    args: [{ name: "network", kind: "net" }, { name: "flags", kind: "uint" }],
    result: r.refs.netport,
    access: "read",
  },
  networkPortLookupByUUID: {
    args: [{ name: "net", kind: "net" }, { name: "uuid", kind: "uuid" }],
    result: r.ref.netport,
    access: "read",
    checks: [{ check: "nonNull", arg: 1 }],
  },
  networkPortCreateXML: {
    args: [
      { name: "net", kind: "net" },
      { name: "xmldesc", kind: "str" },
      { name: "flags", kind: "uint" },
    ],
    result: r.ref.netport,
    access: "write",
    checks: [{ check: "nonNull", arg: 1 }, { check: "readonly" }],
  },
  networkPortGetXMLDesc: {
    args: [{ name: "port", kind: "netport" }, { name: "flags", kind: "uint" }],
    result: r.data as Result<string>,
    access: "read",
  },
  networkPortGetParameters: {
    args: [{ name: "port", kind: "netport" }, { name: "flags", kind: "uint" }],
    result: r.data as Result<TypedParams>,
    access: "read",
  },
  networkPortSetParameters: {
    args: [
      { name: "port", kind: "netport" },
      { name: "params", kind: "params", max: 16 },
      { name: "flags", kind: "uint" },
    ],
    result: r.none,
    access: "write",
    checks: [{ check: "readonly" }],
  },
  networkPortDelete: {
    args: [{ name: "port", kind: "netport" }, { name: "flags", kind: "uint" }],
    result: r.none,
    access: "write",
    checks: [{ check: "readonly" }],
  },
} as const satisfies CallTable;
