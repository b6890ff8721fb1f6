/**
 * The contract of the network-filter family, as libvirt's `src/driver-nwfilter.h`: filters and
 * their bindings to guest ports. One declaration per call (arguments, result, gateway access,
 * libvirt's public-API checks in its order). The error domain of these calls is `VIR_FROM_NWFILTER`,
 * and their public API names spell `NWFilter` in capitals.
 *
 * @module
 */
import { a, c, type CallTable, r } from "./declare.ts";

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
    result: r.count("connectListNWFilters"),
    access: "read",
  },
  connectListNWFilters: { args: [], result: r.names("nwfilter"), access: "read" },
  connectListAllNWFilters: { args: [a.flags()], result: r.refs("nwfilter"), access: "read" },
  nwfilterLookupByName: {
    args: [a.str("name")],
    result: r.ref("nwfilter"),
    access: "read",
    checks: [c.nonNull(0)],
    api: "virNWFilterLookupByName",
  },
  nwfilterLookupByUUID: {
    args: [a.uuid("uuid")],
    result: r.ref("nwfilter"),
    access: "read",
    checks: [c.nonNull(0)],
    api: "virNWFilterLookupByUUID",
  },
  nwfilterDefineXMLFlags: {
    args: [a.str("xmlDesc"), a.flags()],
    result: r.ref("nwfilter"),
    access: "write",
    checks: [c.nonNull(0), c.readonly],
    creates: "nwfilter",
    api: "virNWFilterDefineXMLFlags",
  },
  nwfilterUndefine: {
    args: [a.nwfilter("nwfilter")],
    result: r.none,
    access: "write",
    checks: [c.readonly],
    api: "virNWFilterUndefine",
  },
  nwfilterGetXMLDesc: {
    args: [a.nwfilter("nwfilter"), a.flags()],
    result: r.data<string>(),
    access: "read",
    api: "virNWFilterGetXMLDesc",
  },
  connectListAllNWFilterBindings: {
    args: [a.flags()],
    result: r.refs("nwbinding"),
    access: "read",
  },
  nwfilterBindingLookupByPortDev: {
    args: [a.str("portdev")],
    result: r.ref("nwbinding"),
    access: "read",
    checks: [c.nonNull(0)],
    api: "virNWFilterBindingLookupByPortDev",
  },
  nwfilterBindingCreateXML: {
    args: [a.str("xml"), a.flags()],
    result: r.ref("nwbinding"),
    access: "write",
    checks: [c.nonNull(0), c.readonly],
    creates: "nwfilter_binding",
    api: "virNWFilterBindingCreateXML",
  },
  nwfilterBindingDelete: {
    args: [a.nwbinding("binding")],
    result: r.none,
    access: "write",
    checks: [c.readonly],
    api: "virNWFilterBindingDelete",
  },
  nwfilterBindingGetXMLDesc: {
    args: [a.nwbinding("binding"), a.flags()],
    result: r.data<string>(),
    access: "read",
    api: "virNWFilterBindingGetXMLDesc",
  },
} as const satisfies CallTable;
