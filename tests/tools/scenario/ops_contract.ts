/**
 * python-libvirt methods that are one libvirt call each, made with python's positional
 * arguments after the receiver's reference: the call goes through {@link callDriver}, so
 * libvirt's public entry checks run and a driver without the call answers libvirt's "this
 * function is not supported by the connection driver" (the test driver has no secret or
 * nwfilter driver, no block jobs, no guest agent, …). A row gives the contract call, the API
 * name when python reaches it through another entry point, python's defaults for the optional
 * arguments it may leave out, and how python hands back the C result.
 *
 * @example
 * ```ts
 * import { CONTRACT_OPS } from "./ops_contract.ts";
 * console.log(typeof CONTRACT_OPS.virConnect.changeBegin); // "function"
 * ```
 * @module
 */
import { callDriver } from "../../../client/handle.ts";
import type { DriverMethod } from "../../../util/contract/contract.ts";
import { type Connection, NodeDevice, StoragePool, VirError } from "../../../mod.ts";
import type { Handler } from "./ops.ts";
import { PYTHON_API } from "./python_api.ts";

/**
 * How python-libvirt turns the C result into its return value when it is not the value as it
 * is (0 for a C int of success, counts, strings, lists of names).
 */
type Shape =
  /** a virStoragePool / virNodeDevice object */
  | "pool"
  | "dev"
  /**
   * libvirt-override.c returns None on failure without raising (virDomainGetGuestVcpus,
   * virDomainMigrateGetMaxDowntime, virDomainMigrateGetCompressionCache)
   */
  | "noneOnError";

interface Row {
  call: DriverMethod;
  /** The C entry point when it is not the call's own (`virNWFilterDefineXML`). */
  api?: string;
  /** python's defaults of the trailing arguments, in order (flags are 0). */
  defaults?: unknown[];
  shape?: Shape;
  /** A call libvirt-override.c makes first, without arguments (a count to size the list). */
  first?: DriverMethod;
}

type Table = Record<string, Record<string, Row>>;

const ROWS: Table = {
  virConnect: {
    // virConnect.changeBegin & co. are virInterfaceChange*, python's older names
    changeBegin: { call: "interfaceChangeBegin", defaults: [0] },
    changeCommit: { call: "interfaceChangeCommit", defaults: [0] },
    changeRollback: { call: "interfaceChangeRollback", defaults: [0] },
    compareCPU: { call: "connectCompareCPU", defaults: [0] },
    getMemoryStats: { call: "nodeGetMemoryStats", defaults: [0] },
    listAllNWFilterBindings: { call: "connectListAllNWFilterBindings", defaults: [0] },
    listAllNWFilters: { call: "connectListAllNWFilters", defaults: [0] },
    listAllSecrets: { call: "connectListAllSecrets", defaults: [0] },
    listNWFilters: { call: "connectListNWFilters", first: "connectNumOfNWFilters" },
    listSecrets: { call: "connectListSecrets", first: "connectNumOfSecrets" },
    numOfNWFilters: { call: "connectNumOfNWFilters" },
    numOfSecrets: { call: "connectNumOfSecrets" },
    nodeDeviceDefineXML: { call: "nodeDeviceDefineXML", defaults: [0], shape: "dev" },
    nodeDeviceLookupSCSIHostByWWN: {
      call: "nodeDeviceLookupSCSIHostByWWN",
      defaults: [0],
      shape: "dev",
    },
    nwfilterBindingCreateXML: { call: "nwfilterBindingCreateXML", defaults: [0] },
    nwfilterBindingLookupByPortDev: { call: "nwfilterBindingLookupByPortDev" },
    nwfilterDefineXML: {
      call: "nwfilterDefineXMLFlags",
      api: "virNWFilterDefineXML",
      defaults: [0],
    },
    nwfilterDefineXMLFlags: { call: "nwfilterDefineXMLFlags", defaults: [0] },
    nwfilterLookupByName: { call: "nwfilterLookupByName" },
    secretDefineXML: { call: "secretDefineXML", defaults: [0] },
    secretLookupByUsage: { call: "secretLookupByUsage" },
    storagePoolLookupByTargetPath: { call: "storagePoolLookupByTargetPath", shape: "pool" },
    domainXMLFromNative: { call: "connectDomainXMLFromNative", defaults: [0] },
    domainXMLToNative: { call: "connectDomainXMLToNative", defaults: [0] },
    getMemoryParameters: { call: "nodeGetMemoryParameters", defaults: [0] },
    getSEVInfo: { call: "nodeGetSEVInfo", defaults: [0] },
    getStoragePoolCapabilities: { call: "connectGetStoragePoolCapabilities", defaults: [0] },
    restoreParams: { call: "domainRestoreParams", defaults: [0] },
    setIdentity: { call: "connectSetIdentity", defaults: [0] },
    // python-libvirt asks for the current values first, to learn the parameters' types
    setMemoryParameters: {
      call: "nodeSetMemoryParameters",
      defaults: [0],
      first: "nodeGetMemoryParameters",
    },
    suspendForDuration: { call: "nodeSuspendForDuration", defaults: [0] },
  },
  virDomain: {
    agentSetResponseTimeout: { call: "domainAgentSetResponseTimeout", defaults: [0] },
    blockCommit: { call: "domainBlockCommit", defaults: [0, 0] },
    blockJobAbort: { call: "domainBlockJobAbort", defaults: [0] },
    blockJobInfo: { call: "domainGetBlockJobInfo", defaults: [0] },
    blockJobSetSpeed: { call: "domainBlockJobSetSpeed", defaults: [0] },
    blockPeek: { call: "domainBlockPeek", defaults: [0] },
    blockPull: { call: "domainBlockPull", defaults: [0, 0] },
    blockRebase: { call: "domainBlockRebase", defaults: [0, 0] },
    guestInfo: { call: "domainGetGuestInfo", defaults: [0, 0] },
    guestVcpus: { call: "domainGetGuestVcpus", defaults: [0], shape: "noneOnError" },
    jobStats: { call: "domainGetJobStats", defaults: [0] },
    managedSaveDefineXML: { call: "domainManagedSaveDefineXML", defaults: [0] },
    managedSaveGetXMLDesc: { call: "domainManagedSaveGetXMLDesc", defaults: [0] },
    pMSuspendForDuration: { call: "domainPMSuspendForDuration", defaults: [0] },
    pMWakeup: { call: "domainPMWakeup", defaults: [0] },
    setGuestVcpus: { call: "domainSetGuestVcpus", defaults: [0] },
    updateDeviceFlags: { call: "domainUpdateDeviceFlags", defaults: [0] },
    attachDevice: { call: "domainAttachDevice" },
    detachDevice: { call: "domainDetachDevice" },
    abortJobFlags: { call: "domainAbortJobFlags", defaults: [0] },
    authorizedSSHKeysGet: { call: "domainAuthorizedSSHKeysGet", defaults: [0] },
    authorizedSSHKeysSet: { call: "domainAuthorizedSSHKeysSet", defaults: [0] },
    backupBegin: { call: "domainBackupBegin", defaults: [0] },
    backupGetXMLDesc: { call: "domainBackupGetXMLDesc", defaults: [0] },
    blockStatsFlags: { call: "domainBlockStatsFlags", defaults: [0] },
    detachDeviceAlias: { call: "domainDetachDeviceAlias", defaults: [0] },
    migrateGetCompressionCache: {
      call: "domainMigrateGetCompressionCache",
      defaults: [0],
      shape: "noneOnError",
    },
    migrateGetMaxDowntime: {
      call: "domainMigrateGetMaxDowntime",
      defaults: [0],
      shape: "noneOnError",
    },
    migrateGetMaxSpeed: { call: "domainMigrateGetMaxSpeed", defaults: [0] },
    migrateSetCompressionCache: { call: "domainMigrateSetCompressionCache", defaults: [0] },
    migrateSetMaxDowntime: { call: "domainMigrateSetMaxDowntime", defaults: [0] },
    migrateSetMaxSpeed: { call: "domainMigrateSetMaxSpeed", defaults: [0] },
    migrateStartPostCopy: { call: "domainMigrateStartPostCopy", defaults: [0] },
    saveParams: { call: "domainSaveParams", defaults: [0] },
    setBlockThreshold: { call: "domainSetBlockThreshold", defaults: [0] },
    setLaunchSecurityState: { call: "domainSetLaunchSecurityState", defaults: [0] },
    startDirtyRateCalc: { call: "domainStartDirtyRateCalc", defaults: [0] },
  },
  virNetwork: {
    DHCPLeases: { call: "networkGetDHCPLeases", defaults: [null, 0] },
    listAllPorts: { call: "networkListAllPorts", defaults: [0] },
    portCreateXML: { call: "networkPortCreateXML", defaults: [0] },
  },
  virStorageVol: {
    infoFlags: { call: "storageVolGetInfoFlags", defaults: [0] },
    wipePattern: { call: "storageVolWipePattern", defaults: [0] },
  },
  virNodeDevice: {
    autostart: { call: "nodeDeviceGetAutostart" },
    create: { call: "nodeDeviceCreate", defaults: [0] },
    setAutostart: { call: "nodeDeviceSetAutostart" },
    undefine: { call: "nodeDeviceUndefine", defaults: [0] },
  },
};

/** The receiver's reference, none for the connection. */
function refOf(self: unknown): unknown[] {
  return self && typeof self === "object" && "ref" in self ? [(self as { ref: unknown }).ref] : [];
}

function handler(cls: string, name: string, row: Row): Handler {
  const params = PYTHON_API[cls][name].params.length;
  const defaults = row.defaults ?? [];
  return async (self, a, c: Connection) => {
    // python fills the trailing parameters it was not given with their defaults
    const args = [...a, ...defaults.slice(a.length - (params - defaults.length))];
    const call = row.api ? { method: row.call, api: row.api } : row.call;
    let r: unknown;
    try {
      // deno-lint-ignore no-explicit-any
      if (row.first) await (callDriver as any)(c, row.first, ...refOf(self));
      // deno-lint-ignore no-explicit-any
      r = await (callDriver as any)(c, call, ...refOf(self), ...args);
    } catch (e) {
      if (row.shape === "noneOnError" && e instanceof VirError) return null;
      throw e;
    }
    // deno-lint-ignore no-explicit-any
    const ref = r as any;
    switch (row.shape) {
      case "pool":
        return new StoragePool(c, ref);
      case "dev":
        return new NodeDevice(c, ref);
    }
    return r ?? 0;
  };
}

/** The methods of {@link ROWS} as runner handlers, by python class and name. */
export const CONTRACT_OPS: Record<string, Record<string, Handler>> = Object.fromEntries(
  Object.entries(ROWS).map(([cls, rows]) => [
    cls,
    Object.fromEntries(Object.entries(rows).map(([name, row]) => [name, handler(cls, name, row)])),
  ]),
);
