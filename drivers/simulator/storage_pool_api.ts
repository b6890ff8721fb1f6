/**
 * Storage pools of libvirt's test driver (`testStorageDriver`, pool half): listing, lookups,
 * define/create/build/start/stop/delete/undefine, refresh, info, XML, autostart, source
 * discovery and the pool lifecycle events. Every pool reports 100 GiB of capacity.
 *
 * @module
 */
import type { DriverConnection } from "../../util/driver.ts";
import { VIR } from "../../util/constants.ts";
import { checkFlags, VirError } from "../../util/errors.ts";
import { parse } from "../../util/xml/mod.ts";
import {
  POOL_LIST_FILTERS_ALL,
  type PoolObj,
  poolRef,
  volRef,
} from "../../conf/objects/storage_pool_obj.ts";
import {
  formatStoragePoolXML,
  parsePoolSource,
  parseStoragePoolXML,
  POOL_TYPES,
} from "./conf_adapters.ts";
import type { TestDriverState } from "./driver_state.ts";
import { methodTable } from "../../util/method_table.ts";
import { testStoragePoolDefaults } from "./storage_postparse.ts";
import { emitPoolEvent, poolByName, poolByUUID, poolInState } from "./storage_access.ts";

const F = "TEST";
const E = VIR;

/** `defaultPoolSourcesLogicalXML`. */
const LOGICAL_SOURCES = "<sources>\n" +
  "  <source>\n" +
  "    <device path='/dev/sda20'/>\n" +
  "    <name>testvg1</name>\n" +
  "    <format type='lvm2'/>\n" +
  "  </source>\n" +
  "  <source>\n" +
  "    <device path='/dev/sda21'/>\n" +
  "    <name>testvg2</name>\n" +
  "    <format type='lvm2'/>\n" +
  "  </source>\n" +
  "</sources>\n";

/** `defaultPoolSourcesNetFSXML` for one host. */
function netfsSources(host: string): string {
  return "<sources>\n" +
    "  <source>\n" +
    `    <host name='${host}'/>\n` +
    "    <dir path='/testshare'/>\n" +
    "    <format type='nfs'/>\n" +
    "  </source>\n" +
    "</sources>\n";
}

/**
 * The pool part of the test driver's storage table.
 *
 * @example
 * ```ts
 * import { storagePoolMethods } from "./storage_pool_api.ts";
 * import { TestDriverState } from "./driver_state.ts";
 * const methods = storagePoolMethods(new TestDriverState());
 * ```
 */
export function storagePoolMethods(state: TestDriverState): Partial<DriverConnection> {
  const names = (active: boolean) => state.pools.names(active);
  const remove = (obj: PoolObj) => state.pools.delete(obj);
  return methodTable({
    connectNumOfStoragePools: () => names(true).length,
    connectListStoragePools: () => names(true),
    connectNumOfDefinedStoragePools: () => names(false).length,
    connectListDefinedStoragePools: () => names(false),
    connectListAllStoragePools: (flags) => {
      checkFlags(flags, POOL_LIST_FILTERS_ALL, "testConnectListAllStoragePools", F);
      return state.pools.export(flags).map(poolRef);
    },
    connectFindStoragePoolSources: (type, srcSpec, flags) => {
      checkFlags(flags, 0, "testConnectFindStoragePoolSources", F);
      const index = (POOL_TYPES as readonly string[]).indexOf(type);
      // libvirt tests the enum value for truth, so 'dir' (value 0) counts as unknown.
      if (index === 0) {
        throw VirError.report(F, "INTERNAL_ERROR", `unknown storage pool type ${type}`);
      }
      // virStoragePoolDefParseSourceString: a type libvirt does not know (-1) still gets its
      // source parsed, and fails on the missing pool options.
      let source;
      if (srcSpec !== null) {
        const root = parse(srcSpec, {
          context: "(storage_source_specification)",
          errorDomain: "STORAGE",
          expectRoot: "source",
        });
        if (index < 0) {
          throw VirError.report("STORAGE", "INTERNAL_ERROR", "missing backend for pool type -1");
        }
        source = parsePoolSource(root, POOL_TYPES[index]);
      }
      if (type === "logical") return LOGICAL_SOURCES;
      if (type === "netfs") {
        const host = source?.hosts[0]?.name;
        if (!host) {
          throw VirError.report(F, "INVALID_ARG", "hostname must be specified for netfs sources");
        }
        return netfsSources(host);
      }
      throw VirError.report(
        F,
        "NO_SUPPORT",
        `pool type '${type}' does not support source discovery`,
      );
    },
    storagePoolLookupByName: (name) => poolRef(poolByName(state, name)),
    storagePoolLookupByUUID: (uuid) => poolRef(poolByUUID(state, uuid)),
    storagePoolLookupByVolume: (vol) => poolRef(poolByName(state, vol.pool)),
    storagePoolIsActive: (pool) => poolByUUID(state, pool.uuid).active,
    storagePoolIsPersistent: (pool) => poolByUUID(state, pool.uuid).persistent,
    storagePoolCreateXML: (xml, flags) => {
      checkFlags(flags, 0, "testStoragePoolCreateXML", F);
      const obj = state.pools.addDef(parseStoragePoolXML(xml, 0), true);
      testStoragePoolDefaults(obj.def);
      // createXML makes even a previously defined pool transient (no config file).
      obj.persistent = false;
      obj.active = true;
      emitPoolEvent(state, poolRef(obj), E.STORAGE_POOL_EVENT_STARTED);
      return poolRef(obj);
    },
    storagePoolDefineXML: (xml, flags) => {
      checkFlags(flags, E.STORAGE_POOL_DEFINE_VALIDATE, "testStoragePoolDefineXML", F);
      const obj = state.pools.addDef(
        testStoragePoolDefaults(parseStoragePoolXML(xml, flags)),
        false,
      );
      emitPoolEvent(state, poolRef(obj), E.STORAGE_POOL_EVENT_DEFINED);
      testStoragePoolDefaults(obj.def);
      obj.persistent = true;
      return poolRef(obj);
    },
    storagePoolUndefine: (pool) => {
      const obj = poolInState(state, pool.name, false);
      emitPoolEvent(state, pool, E.STORAGE_POOL_EVENT_UNDEFINED);
      remove(obj);
    },
    storagePoolBuild: (pool, flags) => {
      checkFlags(flags, 0, "testStoragePoolBuild", F);
      poolInState(state, pool.name, false);
      emitPoolEvent(state, pool, E.STORAGE_POOL_EVENT_CREATED);
    },
    storagePoolCreate: (pool, flags) => {
      checkFlags(flags, 0, "testStoragePoolCreate", F);
      poolInState(state, pool.name, false).active = true;
      emitPoolEvent(state, pool, E.STORAGE_POOL_EVENT_STARTED);
    },
    storagePoolDestroy: (pool) => {
      const obj = poolInState(state, pool.name, true);
      obj.active = false;
      emitPoolEvent(state, poolRef(obj), E.STORAGE_POOL_EVENT_STOPPED);
      if (!obj.persistent) remove(obj);
    },
    storagePoolDelete: (pool, flags) => {
      checkFlags(flags, 0, "testStoragePoolDelete", F);
      poolInState(state, pool.name, false);
      emitPoolEvent(state, pool, E.STORAGE_POOL_EVENT_DELETED);
    },
    storagePoolRefresh: (pool, flags) => {
      checkFlags(flags, 0, "testStoragePoolRefresh", F);
      poolInState(state, pool.name, true);
      emitPoolEvent(state, pool);
    },
    storagePoolGetInfo: (pool) => {
      const { def, active } = poolByName(state, pool.name);
      return {
        state: active ? E.STORAGE_POOL_RUNNING : E.STORAGE_POOL_INACTIVE,
        capacity: def.capacity,
        allocation: def.allocation,
        available: def.available,
      };
    },
    storagePoolGetXMLDesc: (pool, flags) => {
      checkFlags(flags, 0, "testStoragePoolGetXMLDesc", F);
      return formatStoragePoolXML(poolByName(state, pool.name).def);
    },
    storagePoolGetAutostart: (pool) => {
      const obj = poolByName(state, pool.name);
      return obj.persistent && obj.autostart;
    },
    storagePoolSetAutostart: (pool, autostart) => {
      const obj = poolByName(state, pool.name);
      if (!obj.persistent) throw VirError.report(F, "INVALID_ARG", "pool has no config file");
      obj.autostart = Boolean(autostart);
    },
    storagePoolNumOfVolumes: (pool) => poolInState(state, pool.name, true).volumes.size,
    storagePoolListVolumes: (pool) =>
      [...poolInState(state, pool.name, true).volumes].map((v) => v.name),
    storagePoolListAllVolumes: (pool, flags) => {
      checkFlags(flags, 0, "testStoragePoolListAllVolumes", F);
      const obj = poolByUUID(state, pool.uuid);
      if (!obj.active) {
        throw VirError.report(F, "OPERATION_INVALID", "storage pool is not active");
      }
      return [...obj.volumes].map((v) => volRef(obj, v));
    },
  });
}
