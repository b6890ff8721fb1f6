/**
 * The contract of the node-device family: host devices, as libvirt's `src/driver-nodedev.h`: one declaration per call (arguments,
 * result, gateway access, libvirt's public-API checks in its order). The error domain of these
 * calls is `VIR_FROM_NODEDEV` unless one says otherwise.
 *
 * @module
 */
import { type CallTable, r, type Result } from "./declare.ts";

/**
 * Every call of this family by driver method name.
 *
 * @example
 * ```ts
 * import { NODEDEV } from "./nodedev.ts";
 * Object.keys(NODEDEV).length > 0; // true
 * ```
 */
export const NODEDEV = {
  nodeNumOfDevices: {
    args: [{ name: "cap", kind: "str?" }, { name: "flags", kind: "uint" }],
    result: { shape: { kind: "count", from: "nodeListDevices" } } as Result<number>,
    access: "read",
  },
  nodeListDevices: {
    args: [{ name: "cap", kind: "str?" }, { name: "flags", kind: "uint" }],
    result: r.names.node_device,
    access: "read",
  },
  connectListAllNodeDevices: {
    args: [{ name: "flags", kind: "uint" }],
    result: r.refs.dev,
    access: "read",
  },
  nodeDeviceLookupByName: {
    args: [{ name: "name", kind: "str" }],
    result: r.ref.dev,
    access: "read",
    checks: [{ check: "nonNull", arg: 0 }],
  },
  nodeDeviceLookupSCSIHostByWWN: {
    args: [
      { name: "wwnn", kind: "str" },
      { name: "wwpn", kind: "str" },
      { name: "flags", kind: "uint" },
    ],
    result: r.ref.dev,
    access: "read",
    checks: [{ check: "nonNull", arg: 0 }, { check: "nonNull", arg: 1 }],
  },
  nodeDeviceGetXMLDesc: {
    args: [{ name: "dev", kind: "dev" }, { name: "flags", kind: "uint" }],
    result: r.data as Result<string>,
    access: "read",
  },
  nodeDeviceGetParent: {
    args: [{ name: "dev", kind: "dev" }],
    result: r.data as Result<string | null>,
    access: "read",
  },
  nodeDeviceNumOfCaps: {
    args: [{ name: "dev", kind: "dev" }],
    result: r.data as Result<number>,
    access: "read",
  },
  nodeDeviceListCaps: {
    args: [{ name: "dev", kind: "dev" }],
    result: r.data as Result<string[]>,
    access: "read",
  },
  nodeDeviceCreateXML: {
    args: [{ name: "xmlDesc", kind: "str" }, { name: "flags", kind: "uint" }],
    result: r.ref.dev,
    access: "write",
    checks: [{ check: "readonly" }, { check: "nonNull", arg: 0 }],
    creates: "node_device",
  },
  nodeDeviceDefineXML: {
    args: [{ name: "xmlDesc", kind: "str" }, { name: "flags", kind: "uint" }],
    result: r.ref.dev,
    access: "write",
    checks: [{ check: "readonly" }, { check: "nonNull", arg: 0 }],
    creates: "node_device",
  },
  nodeDeviceUndefine: {
    args: [{ name: "dev", kind: "dev" }, { name: "flags", kind: "uint" }],
    result: r.none,
    access: "write",
    checks: [{ check: "readonly" }],
  },
  nodeDeviceCreate: {
    args: [{ name: "dev", kind: "dev" }, { name: "flags", kind: "uint" }],
    result: r.none,
    access: "write",
    checks: [{ check: "readonly" }],
  },
  nodeDeviceDestroy: {
    args: [{ name: "dev", kind: "dev" }],
    result: r.none,
    access: "write",
    checks: [{ check: "readonly" }],
  },
  nodeDeviceIsActive: {
    args: [{ name: "dev", kind: "dev" }],
    result: r.data as Result<boolean>,
    access: "read",
  },
  nodeDeviceIsPersistent: {
    args: [{ name: "dev", kind: "dev" }],
    result: r.data as Result<boolean>,
    access: "read",
  },
  nodeDeviceGetAutostart: {
    args: [{ name: "dev", kind: "dev" }],
    result: r.data as Result<boolean>,
    access: "secret",
    checks: [{ check: "readonly" }],
  },
  nodeDeviceSetAutostart: {
    args: [{ name: "dev", kind: "dev" }, { name: "autostart", kind: "bool" }],
    result: r.none,
    access: "write",
    checks: [{ check: "readonly" }],
  },
} as const satisfies CallTable;
