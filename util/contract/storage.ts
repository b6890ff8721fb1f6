/**
 * The contract of the storage family: pools and volumes, as libvirt's `src/driver-storage.h`: one declaration per call (arguments,
 * result, gateway access, libvirt's public-API checks in its order). The error domain of these
 * calls is `VIR_FROM_STORAGE` unless one says otherwise.
 *
 * @module
 */
import { a, c, type CallTable, r } from "./declare.ts";
import { volResizeCheck } from "./custom_checks.ts";
import type { StoragePoolInfo, StorageVolInfo } from "./types.ts";

/**
 * Every call of this family by driver method name.
 *
 * @example
 * ```ts
 * import { STORAGE } from "./storage.ts";
 * Object.keys(STORAGE).length > 0; // true
 * ```
 */
export const STORAGE = {
  connectNumOfStoragePools: {
    args: [],
    result: r.count("connectListStoragePools"),
    access: "read",
  },
  connectListStoragePools: { args: [], result: r.names("storage_pool"), access: "read" },
  connectNumOfDefinedStoragePools: {
    args: [],
    result: r.count("connectListDefinedStoragePools"),
    access: "read",
  },
  connectListDefinedStoragePools: { args: [], result: r.names("storage_pool"), access: "read" },
  connectListAllStoragePools: { args: [a.flags()], result: r.refs("pool"), access: "read" },
  connectFindStoragePoolSources: {
    args: [a.str("type"), a.optStr("srcSpec"), a.flags()],
    result: r.data<string>(),
    access: "secret",
    checks: [c.nonNull(0), c.readonly],
  },
  storagePoolLookupByName: {
    args: [a.str("name")],
    result: r.ref("pool"),
    access: "read",
    checks: [c.nonNull(0)],
  },
  storagePoolLookupByUUID: {
    args: [a.uuid("uuid")],
    result: r.ref("pool"),
    access: "read",
    checks: [c.nonNull(0)],
  },
  storagePoolLookupByVolume: { args: [a.vol("vol")], result: r.ref("pool"), access: "read" },
  storagePoolLookupByTargetPath: {
    args: [a.str("path")],
    result: r.ref("pool"),
    access: "secret",
    checks: [c.nonNull(0)],
  },
  storagePoolCreateXML: {
    args: [a.str("xmlDesc"), a.flags()],
    result: r.ref("pool"),
    access: "write",
    checks: [c.nonNull(0), c.readonly],
    creates: "storage_pool",
  },
  storagePoolDefineXML: {
    args: [a.str("xml"), a.flags()],
    result: r.ref("pool"),
    access: "write",
    checks: [c.readonly, c.nonNull(0)],
    creates: "storage_pool",
  },
  storagePoolBuild: {
    args: [a.pool("pool"), a.flags()],
    result: r.none,
    access: "write",
    checks: [c.readonly],
  },
  storagePoolUndefine: {
    args: [a.pool("pool")],
    result: r.none,
    access: "write",
    checks: [c.readonly],
  },
  storagePoolCreate: {
    args: [a.pool("pool"), a.flags()],
    result: r.none,
    access: "write",
    checks: [c.readonly],
  },
  storagePoolDestroy: {
    args: [a.pool("pool")],
    result: r.none,
    access: "write",
    checks: [c.readonly],
  },
  storagePoolDelete: {
    args: [a.pool("pool"), a.flags()],
    result: r.none,
    access: "write",
    checks: [c.readonly],
  },
  storagePoolRefresh: {
    args: [a.pool("pool"), a.flags()],
    result: r.none,
    access: "write",
    checks: [c.readonly],
  },
  storagePoolGetInfo: { args: [a.pool("pool")], result: r.data<StoragePoolInfo>(), access: "read" },
  storagePoolGetXMLDesc: {
    args: [a.pool("pool"), a.flags()],
    result: r.data<string>(),
    access: "read",
  },
  storagePoolGetAutostart: { args: [a.pool("pool")], result: r.data<boolean>(), access: "read" },
  storagePoolSetAutostart: {
    args: [a.pool("pool"), a.bool("autostart")],
    result: r.none,
    access: "write",
    checks: [c.readonly],
  },
  storagePoolNumOfVolumes: {
    args: [a.pool("pool")],
    result: r.count("storagePoolListVolumes"),
    access: "read",
  },
  storagePoolListVolumes: { args: [a.pool("pool")], result: r.volNames(), access: "read" },
  storagePoolListAllVolumes: {
    args: [a.pool("pool"), a.flags()],
    result: r.refs("vol"),
    access: "read",
  },
  storagePoolIsActive: { args: [a.pool("pool")], result: r.data<boolean>(), access: "read" },
  storagePoolIsPersistent: { args: [a.pool("pool")], result: r.data<boolean>(), access: "read" },
  storageVolLookupByName: {
    args: [a.pool("pool"), a.str("name")],
    result: r.ref("vol"),
    access: "read",
    checks: [c.nonNull(1)],
  },
  storageVolLookupByKey: {
    args: [a.str("key")],
    result: r.ref("vol"),
    access: "read",
    checks: [c.nonNull(0)],
  },
  storageVolLookupByPath: {
    args: [a.str("path")],
    result: r.ref("vol"),
    access: "secret",
    checks: [c.nonNull(0)],
  },
  storageVolCreateXML: {
    args: [a.pool("pool"), a.str("xmlDesc"), a.flags()],
    result: r.ref("vol"),
    access: "write",
    checks: [c.nonNull(1), c.readonly],
  },
  storageVolCreateXMLFrom: {
    args: [a.pool("pool"), a.str("xmlDesc"), a.vol("clone"), a.flags()],
    result: r.ref("vol"),
    access: "write",
    checks: [c.nonNull(1), c.readonly],
  },
  storageVolDelete: {
    args: [a.vol("vol"), a.flags()],
    result: r.none,
    access: "write",
    checks: [c.readonly],
  },
  storageVolWipe: {
    args: [a.vol("vol"), a.flags()],
    result: r.none,
    access: "write",
    checks: [c.readonly],
  },
  storageVolWipePattern: {
    args: [a.vol("vol"), a.uint("algorithm"), a.flags()],
    result: r.none,
    access: "write",
    checks: [c.readonly],
  },
  storageVolGetInfo: { args: [a.vol("vol")], result: r.data<StorageVolInfo>(), access: "read" },
  storageVolGetInfoFlags: {
    args: [a.vol("vol"), a.flags()],
    result: r.data<StorageVolInfo>(),
    access: "read",
  },
  storageVolGetXMLDesc: {
    args: [a.vol("vol"), a.flags()],
    result: r.data<string>(),
    access: "read",
  },
  storageVolGetPath: { args: [a.vol("vol")], result: r.data<string>(), access: "read" },
  // Both refuse read-only callers: a download reads the volume's raw data.
  storageVolUpload: {
    args: [a.vol("vol"), a.ulong("offset"), a.ulong("length"), a.flags()],
    result: r.stream("send"),
    access: "write",
    checks: [c.readonly],
  },
  storageVolDownload: {
    args: [a.vol("vol"), a.ulong("offset"), a.ulong("length"), a.flags()],
    result: r.stream("recv"),
    access: "write",
    checks: [c.readonly],
  },
  storageVolResize: {
    args: [a.vol("vol"), a.ulong("capacity"), a.flags()],
    result: r.none,
    access: "write",
    checks: [c.readonly, c.custom(volResizeCheck)],
  },
} as const satisfies CallTable;
