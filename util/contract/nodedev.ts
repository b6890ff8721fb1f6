/**
 * The contract of the node-device family: host devices, as libvirt's `src/driver-nodedev.h`: one declaration per call (arguments,
 * result, gateway access, libvirt's public-API checks in its order). The error domain of these
 * calls is `VIR_FROM_NODEDEV` unless one says otherwise.
 *
 * @module
 */
import { a, c, type CallTable, r } from "./declare.ts";

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
    args: [a.optStr("cap"), a.flags()],
    result: r.count("nodeListDevices"),
    access: "read",
  },
  nodeListDevices: {
    args: [a.optStr("cap"), a.flags()],
    result: r.names("node_device"),
    access: "read",
  },
  connectListAllNodeDevices: { args: [a.flags()], result: r.refs("dev"), access: "read" },
  nodeDeviceLookupByName: {
    args: [a.str("name")],
    result: r.ref("dev"),
    access: "read",
    checks: [c.nonNull(0)],
  },
  nodeDeviceLookupSCSIHostByWWN: {
    args: [a.str("wwnn"), a.str("wwpn"), a.flags()],
    result: r.ref("dev"),
    access: "read",
    checks: [c.nonNull(0), c.nonNull(1)],
  },
  nodeDeviceGetXMLDesc: {
    args: [a.dev("dev"), a.flags()],
    result: r.data<string>(),
    access: "read",
  },
  nodeDeviceGetParent: { args: [a.dev("dev")], result: r.data<string | null>(), access: "read" },
  nodeDeviceNumOfCaps: { args: [a.dev("dev")], result: r.data<number>(), access: "read" },
  nodeDeviceListCaps: { args: [a.dev("dev")], result: r.data<string[]>(), access: "read" },
  nodeDeviceCreateXML: {
    args: [a.str("xmlDesc"), a.flags()],
    result: r.ref("dev"),
    access: "write",
    checks: [c.readonly, c.nonNull(0)],
    creates: "node_device",
  },
  nodeDeviceDefineXML: {
    args: [a.str("xmlDesc"), a.flags()],
    result: r.ref("dev"),
    access: "write",
    checks: [c.readonly, c.nonNull(0)],
    creates: "node_device",
  },
  nodeDeviceUndefine: {
    args: [a.dev("dev"), a.flags()],
    result: r.none,
    access: "write",
    checks: [c.readonly],
  },
  nodeDeviceCreate: {
    args: [a.dev("dev"), a.flags()],
    result: r.none,
    access: "write",
    checks: [c.readonly],
  },
  nodeDeviceDestroy: {
    args: [a.dev("dev")],
    result: r.none,
    access: "write",
    checks: [c.readonly],
  },
  nodeDeviceIsActive: { args: [a.dev("dev")], result: r.data<boolean>(), access: "read" },
  nodeDeviceIsPersistent: { args: [a.dev("dev")], result: r.data<boolean>(), access: "read" },
  nodeDeviceGetAutostart: {
    args: [a.dev("dev")],
    result: r.data<boolean>(),
    access: "secret",
    checks: [c.readonly],
  },
  nodeDeviceSetAutostart: {
    args: [a.dev("dev"), a.bool("autostart")],
    result: r.none,
    access: "write",
    checks: [c.readonly],
  },
} as const satisfies CallTable;
