/**
 * The contract of the network-filter family, as libvirt's `src/driver-nwfilter.h`: filters and
 * their bindings to guest ports. One declaration per call (arguments, result, gateway access,
 * libvirt's public-API checks in its order). The error domain of these calls is `VIR_FROM_NWFILTER`,
 * and their public API names spell `NWFilter` in capitals.
 *
 * @module
 */
import { type CallTable, r, type Result } from "./declare.ts";

/**
 * Every call of this family by driver method name.
 *
 * @example
 * ```ts
 * import { NWFILTER } from "./nwfilter.ts";
 * NWFILTER.nwfilterDefineXMLFlags.api; // "virNWFilterDefineXMLFlags"
 * ```
 */
export const NWFILTER = {
  connectNumOfNWFilters: {
    args: [],
    result: { shape: { kind: "count", from: "connectListNWFilters" } } as Result<number>,
    access: "read",
  },
  connectListNWFilters: { args: [], result: r.names.nwfilter, access: "read" },
  connectListAllNWFilters: {
    args: [{ name: "flags", kind: "uint" }],
    result: r.refs.nwfilter,
    access: "read",
  },
  nwfilterLookupByName: {
    args: [{ name: "name", kind: "str" }],
    result: r.ref.nwfilter,
    access: "read",
    checks: [{ check: "nonNull", arg: 0 }],
    api: "virNWFilterLookupByName",
  },
  nwfilterLookupByUUID: {
    args: [{ name: "uuid", kind: "uuid" }],
    result: r.ref.nwfilter,
    access: "read",
    checks: [{ check: "nonNull", arg: 0 }],
    api: "virNWFilterLookupByUUID",
  },
  nwfilterDefineXMLFlags: {
    args: [{ name: "xmlDesc", kind: "str" }, { name: "flags", kind: "uint" }],
    result: r.ref.nwfilter,
    access: "write",
    checks: [{ check: "nonNull", arg: 0 }, { check: "readonly" }],
    creates: "nwfilter",
    api: "virNWFilterDefineXMLFlags",
  },
  nwfilterUndefine: {
    args: [{ name: "nwfilter", kind: "nwfilter" }],
    result: r.none,
    access: "write",
    checks: [{ check: "readonly" }],
    api: "virNWFilterUndefine",
  },
  nwfilterGetXMLDesc: {
    args: [{ name: "nwfilter", kind: "nwfilter" }, { name: "flags", kind: "uint" }],
    result: r.data as Result<string>,
    access: "read",
    api: "virNWFilterGetXMLDesc",
  },
  connectListAllNWFilterBindings: {
    args: [{ name: "flags", kind: "uint" }],
    result: r.refs.nwbinding,
    access: "read",
  },
  nwfilterBindingLookupByPortDev: {
    args: [{ name: "portdev", kind: "str" }],
    result: r.ref.nwbinding,
    access: "read",
    checks: [{ check: "nonNull", arg: 0 }],
    api: "virNWFilterBindingLookupByPortDev",
  },
  nwfilterBindingCreateXML: {
    args: [{ name: "xml", kind: "str" }, { name: "flags", kind: "uint" }],
    result: r.ref.nwbinding,
    access: "write",
    checks: [{ check: "nonNull", arg: 0 }, { check: "readonly" }],
    creates: "nwfilter_binding",
    api: "virNWFilterBindingCreateXML",
  },
  nwfilterBindingDelete: {
    args: [{ name: "binding", kind: "nwbinding" }],
    result: r.none,
    access: "write",
    checks: [{ check: "readonly" }],
    api: "virNWFilterBindingDelete",
  },
  nwfilterBindingGetXMLDesc: {
    args: [{ name: "binding", kind: "nwbinding" }, { name: "flags", kind: "uint" }],
    result: r.data as Result<string>,
    access: "read",
    api: "virNWFilterBindingGetXMLDesc",
  },
} as const satisfies CallTable;
