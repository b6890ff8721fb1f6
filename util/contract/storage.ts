/**
 * The contract of the storage family: pools and volumes, as libvirt's `src/driver-storage.h`: one declaration per call (arguments,
 * result, gateway access, libvirt's public-API checks in its order). The error domain of these
 * calls is `VIR_FROM_STORAGE` unless one says otherwise.
 *
 * @module
 */
import { type CallTable, r, type Result } from "./declare.ts";
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
    result: { shape: { kind: "count", from: "connectListStoragePools" } } as Result<number>,
    access: "read",
  },
  connectListStoragePools: { args: [], result: r.names.storage_pool, access: "read" },
  connectNumOfDefinedStoragePools: {
    args: [],
    result: { shape: { kind: "count", from: "connectListDefinedStoragePools" } } as Result<number>,
    access: "read",
  },
  connectListDefinedStoragePools: { args: [], result: r.names.storage_pool, access: "read" },
  connectListAllStoragePools: {
    args: [{ name: "flags", kind: "uint" }],
    result: r.refs.pool,
    access: "read",
  },
  connectFindStoragePoolSources: {
    args: [
      { name: "type", kind: "str" },
      { name: "srcSpec", kind: "str?" },
      { name: "flags", kind: "uint" },
    ],
    result: r.data as Result<string>,
    access: "secret",
    checks: [{ check: "nonNull", arg: 0 }, { check: "readonly" }],
  },
  storagePoolLookupByName: {
    args: [{ name: "name", kind: "str" }],
    result: r.ref.pool,
    access: "read",
    checks: [{ check: "nonNull", arg: 0 }],
  },
  storagePoolLookupByUUID: {
    args: [{ name: "uuid", kind: "uuid" }],
    result: r.ref.pool,
    access: "read",
    checks: [{ check: "nonNull", arg: 0 }],
  },
  storagePoolLookupByVolume: {
    args: [{ name: "vol", kind: "vol" }],
    result: r.ref.pool,
    access: "read",
  },
  storagePoolLookupByTargetPath: {
    args: [{ name: "path", kind: "str" }],
    result: r.ref.pool,
    access: "secret",
    checks: [{ check: "nonNull", arg: 0 }],
  },
  storagePoolCreateXML: {
    args: [{ name: "xmlDesc", kind: "str", files: "xml" }, { name: "flags", kind: "uint" }],
    result: r.ref.pool,
    access: "write",
    checks: [{ check: "nonNull", arg: 0 }, { check: "readonly" }],
    creates: "storage_pool",
  },
  storagePoolDefineXML: {
    args: [{ name: "xml", kind: "str" }, { name: "flags", kind: "uint" }],
    result: r.ref.pool,
    access: "write",
    checks: [{ check: "readonly" }, { check: "nonNull", arg: 0 }],
    creates: "storage_pool",
  },
  storagePoolBuild: {
    args: [{ name: "pool", kind: "pool", files: "definition" }, { name: "flags", kind: "uint" }],
    result: r.none,
    access: "write",
    checks: [{ check: "readonly" }],
  },
  storagePoolUndefine: {
    args: [{ name: "pool", kind: "pool" }],
    result: r.none,
    access: "write",
    checks: [{ check: "readonly" }],
  },
  storagePoolCreate: {
    args: [{ name: "pool", kind: "pool", files: "definition" }, { name: "flags", kind: "uint" }],
    result: r.none,
    access: "write",
    checks: [{ check: "readonly" }],
  },
  storagePoolDestroy: {
    args: [{ name: "pool", kind: "pool" }],
    result: r.none,
    access: "write",
    checks: [{ check: "readonly" }],
  },
  storagePoolDelete: {
    args: [{ name: "pool", kind: "pool" }, { name: "flags", kind: "uint" }],
    result: r.none,
    access: "write",
    checks: [{ check: "readonly" }],
  },
  storagePoolRefresh: {
    args: [{ name: "pool", kind: "pool", files: "definition" }, { name: "flags", kind: "uint" }],
    result: r.none,
    access: "write",
    checks: [{ check: "readonly" }],
  },
  storagePoolGetInfo: {
    args: [{ name: "pool", kind: "pool" }],
    result: r.data as Result<StoragePoolInfo>,
    access: "read",
  },
  storagePoolGetXMLDesc: {
    args: [{ name: "pool", kind: "pool" }, { name: "flags", kind: "uint" }],
    result: r.data as Result<string>,
    access: "read",
  },
  storagePoolGetAutostart: {
    args: [{ name: "pool", kind: "pool" }],
    result: r.data as Result<boolean>,
    access: "read",
  },
  storagePoolSetAutostart: {
    args: [{ name: "pool", kind: "pool" }, { name: "autostart", kind: "bool" }],
    result: r.none,
    access: "write",
    checks: [{ check: "readonly" }],
  },
  storagePoolNumOfVolumes: {
    args: [{ name: "pool", kind: "pool" }],
    result: { shape: { kind: "count", from: "storagePoolListVolumes" } } as Result<number>,
    access: "read",
  },
  storagePoolListVolumes: {
    args: [{ name: "pool", kind: "pool" }],
    result: r.volNames,
    access: "read",
  },
  storagePoolListAllVolumes: {
    args: [{ name: "pool", kind: "pool" }, { name: "flags", kind: "uint" }],
    result: r.refs.vol,
    access: "read",
  },
  storagePoolIsActive: {
    args: [{ name: "pool", kind: "pool" }],
    result: r.data as Result<boolean>,
    access: "read",
  },
  storagePoolIsPersistent: {
    args: [{ name: "pool", kind: "pool" }],
    result: r.data as Result<boolean>,
    access: "read",
  },
  storageVolLookupByName: {
    args: [{ name: "pool", kind: "pool" }, { name: "name", kind: "str" }],
    result: r.ref.vol,
    access: "read",
    checks: [{ check: "nonNull", arg: 1 }],
  },
  storageVolLookupByKey: {
    args: [{ name: "key", kind: "str" }],
    result: r.ref.vol,
    access: "read",
    checks: [{ check: "nonNull", arg: 0 }],
  },
  storageVolLookupByPath: {
    args: [{ name: "path", kind: "str" }],
    result: r.ref.vol,
    access: "secret",
    checks: [{ check: "nonNull", arg: 0 }],
  },
  storageVolCreateXML: {
    args: [
      { name: "pool", kind: "pool" },
      { name: "xmlDesc", kind: "str" },
      { name: "flags", kind: "uint" },
    ],
    result: r.ref.vol,
    access: "write",
    checks: [{ check: "nonNull", arg: 1 }, { check: "readonly" }],
  },
  storageVolCreateXMLFrom: {
    args: [
      { name: "pool", kind: "pool" },
      { name: "xmlDesc", kind: "str" },
      { name: "clone", kind: "vol" },
      { name: "flags", kind: "uint" },
    ],
    result: r.ref.vol,
    access: "write",
    checks: [{ check: "nonNull", arg: 1 }, { check: "readonly" }],
  },
  storageVolDelete: {
    args: [{ name: "vol", kind: "vol" }, { name: "flags", kind: "uint" }],
    result: r.none,
    access: "write",
    checks: [{ check: "readonly" }],
  },
  storageVolWipe: {
    args: [{ name: "vol", kind: "vol" }, { name: "flags", kind: "uint" }],
    result: r.none,
    access: "write",
    checks: [{ check: "readonly" }],
  },
  storageVolWipePattern: {
    args: [
      { name: "vol", kind: "vol" },
      { name: "algorithm", kind: "uint" },
      { name: "flags", kind: "uint" },
    ],
    result: r.none,
    access: "write",
    checks: [{ check: "readonly" }],
  },
  storageVolGetInfo: {
    args: [{ name: "vol", kind: "vol" }],
    result: r.data as Result<StorageVolInfo>,
    access: "read",
  },
  storageVolGetInfoFlags: {
    args: [{ name: "vol", kind: "vol" }, { name: "flags", kind: "uint" }],
    result: r.data as Result<StorageVolInfo>,
    access: "read",
  },
  storageVolGetXMLDesc: {
    args: [{ name: "vol", kind: "vol" }, { name: "flags", kind: "uint" }],
    result: r.data as Result<string>,
    access: "read",
  },
  storageVolGetPath: {
    args: [{ name: "vol", kind: "vol" }],
    result: r.data as Result<string>,
    access: "read",
  },
  // Both refuse read-only callers: a download reads the volume's raw data.
  storageVolUpload: {
    args: [
      { name: "vol", kind: "vol" },
      { name: "offset", kind: "ulong" },
      { name: "length", kind: "ulong" },
      { name: "flags", kind: "uint" },
    ],
    result: r.stream.send,
    access: "write",
    checks: [{ check: "readonly" }],
  },
  storageVolDownload: {
    args: [
      { name: "vol", kind: "vol" },
      { name: "offset", kind: "ulong" },
      { name: "length", kind: "ulong" },
      { name: "flags", kind: "uint" },
    ],
    result: r.stream.recv,
    access: "write",
    checks: [{ check: "readonly" }],
  },
  storageVolResize: {
    args: [
      { name: "vol", kind: "vol" },
      { name: "capacity", kind: "ulong" },
      { name: "flags", kind: "uint" },
    ],
    result: r.none,
    access: "write",
    checks: [{ check: "readonly" }, { check: "custom", run: volResizeCheck }],
  },
  connectGetStoragePoolCapabilities: {
    args: [{ name: "flags", kind: "uint" }],
    result: r.data as Result<string>,
    access: "read",
  },
} as const satisfies CallTable;
