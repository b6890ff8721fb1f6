/**
 * The contract of the interface family: host network interfaces, as libvirt's `src/driver-interface.h`: one declaration per call (arguments,
 * result, gateway access, libvirt's public-API checks in its order). The error domain of these
 * calls is `VIR_FROM_INTERFACE` unless one says otherwise.
 *
 * @module
 */
import { a, c, type CallTable, r } from "./declare.ts";

/**
 * Every call of this family by driver method name.
 *
 * @example
 * ```ts
 * import { INTERFACE } from "./interface.ts";
 * Object.keys(INTERFACE).length > 0; // true
 * ```
 */
export const INTERFACE = {
  connectNumOfInterfaces: { args: [], result: r.count("connectListInterfaces"), access: "read" },
  connectListInterfaces: { args: [], result: r.names("interface"), access: "read" },
  connectNumOfDefinedInterfaces: {
    args: [],
    result: r.count("connectListDefinedInterfaces"),
    access: "read",
  },
  connectListDefinedInterfaces: { args: [], result: r.names("interface"), access: "read" },
  connectListAllInterfaces: { args: [a.flags()], result: r.refs("iface"), access: "read" },
  interfaceLookupByName: {
    args: [a.str("name")],
    result: r.ref("iface"),
    access: "read",
    checks: [c.nonNull(0)],
  },
  interfaceLookupByMACString: {
    args: [a.str("macstr")],
    result: r.ref("iface"),
    access: "read",
    checks: [c.nonNull(0)],
  },
  interfaceGetXMLDesc: {
    args: [a.iface("iface"), a.flags()],
    result: r.data<string>(),
    access: "read",
  },
  interfaceDefineXML: {
    args: [a.str("xml"), a.flags()],
    result: r.ref("iface"),
    access: "write",
    checks: [c.readonly, c.nonNull(0)],
    creates: "interface",
  },
  interfaceUndefine: {
    args: [a.iface("iface")],
    result: r.none,
    access: "write",
    checks: [c.readonly],
  },
  interfaceCreate: {
    args: [a.iface("iface"), a.flags()],
    result: r.none,
    access: "write",
    checks: [c.readonly],
  },
  interfaceDestroy: {
    args: [a.iface("iface"), a.flags()],
    result: r.none,
    access: "write",
    checks: [c.readonly],
  },
  interfaceIsActive: { args: [a.iface("iface")], result: r.data<boolean>(), access: "read" },
  interfaceChangeBegin: {
    args: [a.flags()],
    result: r.none,
    access: "write",
    checks: [c.readonly],
  },
  interfaceChangeCommit: {
    args: [a.flags()],
    result: r.none,
    access: "write",
    checks: [c.readonly],
  },
  interfaceChangeRollback: {
    args: [a.flags()],
    result: r.none,
    access: "write",
    checks: [c.readonly],
  },
} as const satisfies CallTable;
