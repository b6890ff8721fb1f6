/**
 * The contract of the interface family: host network interfaces, as libvirt's `src/driver-interface.h`: one declaration per call (arguments,
 * result, gateway access, libvirt's public-API checks in its order). The error domain of these
 * calls is `VIR_FROM_INTERFACE` unless one says otherwise.
 *
 * @module
 */
import { type CallTable, r, type Result } from "./declare.ts";

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
  connectNumOfInterfaces: {
    args: [],
    result: { shape: { kind: "count", from: "connectListInterfaces" } } as Result<number>,
    access: "read",
  },
  connectListInterfaces: { args: [], result: r.names.interface, access: "read" },
  connectNumOfDefinedInterfaces: {
    args: [],
    result: { shape: { kind: "count", from: "connectListDefinedInterfaces" } } as Result<number>,
    access: "read",
  },
  connectListDefinedInterfaces: { args: [], result: r.names.interface, access: "read" },
  connectListAllInterfaces: {
    args: [{ name: "flags", kind: "uint" }],
    result: r.refs.iface,
    access: "read",
  },
  interfaceLookupByName: {
    args: [{ name: "name", kind: "str" }],
    result: r.ref.iface,
    access: "read",
    checks: [{ check: "nonNull", arg: 0 }],
  },
  interfaceLookupByMACString: {
    args: [{ name: "macstr", kind: "str" }],
    result: r.ref.iface,
    access: "read",
    checks: [{ check: "nonNull", arg: 0 }],
  },
  interfaceGetXMLDesc: {
    args: [{ name: "iface", kind: "iface" }, { name: "flags", kind: "uint" }],
    result: r.data as Result<string>,
    access: "read",
  },
  interfaceDefineXML: {
    args: [{ name: "xml", kind: "str" }, { name: "flags", kind: "uint" }],
    result: r.ref.iface,
    access: "write",
    checks: [{ check: "readonly" }, { check: "nonNull", arg: 0 }],
    creates: "interface",
  },
  interfaceUndefine: {
    args: [{ name: "iface", kind: "iface" }],
    result: r.none,
    access: "write",
    checks: [{ check: "readonly" }],
  },
  interfaceCreate: {
    args: [{ name: "iface", kind: "iface" }, { name: "flags", kind: "uint" }],
    result: r.none,
    access: "write",
    checks: [{ check: "readonly" }],
  },
  interfaceDestroy: {
    args: [{ name: "iface", kind: "iface" }, { name: "flags", kind: "uint" }],
    result: r.none,
    access: "write",
    checks: [{ check: "readonly" }],
  },
  interfaceIsActive: {
    args: [{ name: "iface", kind: "iface" }],
    result: r.data as Result<boolean>,
    access: "read",
  },
  interfaceChangeBegin: {
    args: [{ name: "flags", kind: "uint" }],
    result: r.none,
    access: "write",
    checks: [{ check: "readonly" }],
  },
  interfaceChangeCommit: {
    args: [{ name: "flags", kind: "uint" }],
    result: r.none,
    access: "write",
    checks: [{ check: "readonly" }],
  },
  interfaceChangeRollback: {
    args: [{ name: "flags", kind: "uint" }],
    result: r.none,
    access: "write",
    checks: [{ check: "readonly" }],
  },
} as const satisfies CallTable;
