import type { DriverMethod } from "../util/driver.ts";
import { METHOD_ARGS } from "./method_table.ts";

/**
 * What a call needs: `read` (any authenticated caller), `write` (a `full` token: libvirt's
 * read-write socket), or `secret` (also `full` only: reads that libvirt refuses on its read-only
 * socket — secret values, memory and disk peeks, secure XML — and host-path probing).
 */
export type Access = "read" | "write" | "secret";

/** Methods that change nothing. Anything not listed is a write, so a new method fails safe. */
const READ: readonly DriverMethod[] = [
  "connectGetVersion",
  "connectGetLibVersion",
  "connectGetHostname",
  "connectGetURI",
  "connectGetMaxVcpus",
  "connectGetCapabilities",
  "connectGetDomainCapabilities",
  "connectGetSysinfo",
  "connectIsAlive",
  "connectIsSecure",
  "connectIsEncrypted",
  "connectBaselineCPU",
  "connectCompareCPU",
  "nodeGetInfo",
  "nodeGetCellsFreeMemory",
  "nodeGetFreeMemory",
  "nodeGetCPUMap",
  "nodeGetCPUStats",
  "nodeGetMemoryStats",
  "nodeGetFreePages",
  "connectNumOfDomains",
  "connectListDomains",
  "connectNumOfDefinedDomains",
  "connectListDefinedDomains",
  "connectListAllDomains",
  "connectGetAllDomainStats",
  "domainLookupByID",
  "domainLookupByUUID",
  "domainLookupByName",
  "domainGetOSType",
  "domainGetMaxMemory",
  "domainGetInfo",
  "domainGetState",
  "domainGetControlInfo",
  "domainGetVcpusFlags",
  "domainGetMaxVcpus",
  "domainGetVcpus",
  "domainGetVcpuPinInfo",
  "domainGetEmulatorPinInfo",
  "domainGetXMLDesc",
  "domainGetAutostart",
  "domainHasManagedSaveImage",
  "domainManagedSaveGetXMLDesc",
  "domainIsActive",
  "domainIsPersistent",
  "domainIsUpdated",
  "domainGetHostname",
  "domainGetSchedulerType",
  "domainGetSchedulerParametersFlags",
  "domainGetCPUStats",
  "domainBlockStats",
  "domainInterfaceStats",
  "domainMemoryStats",
  "domainGetBlockInfo",
  "domainGetMetadata",
  "domainGetDiskErrors",
  "domainGetPerfEvents",
  "domainGetBlkioParameters",
  "domainGetMemoryParameters",
  "domainGetNumaParameters",
  "domainGetInterfaceParameters",
  "domainGetBlockIoTune",
  "domainSnapshotListNames",
  "domainSnapshotNum",
  "domainSnapshotGetXMLDesc",
  "domainHasCurrentSnapshot",
  "domainSnapshotCurrent",
  "domainListAllCheckpoints",
  "domainCheckpointGetXMLDesc",
  "domainGetJobInfo",
  "domainGetJobStats",
  "domainGetBlockJobInfo",
  "domainInterfaceAddresses",
  "domainGetStatsFor",
  "connectNumOfNetworks",
  "connectListNetworks",
  "connectNumOfDefinedNetworks",
  "connectListDefinedNetworks",
  "connectListAllNetworks",
  "networkLookupByUUID",
  "networkLookupByName",
  "networkGetXMLDesc",
  "networkGetBridgeName",
  "networkGetAutostart",
  "networkIsActive",
  "networkIsPersistent",
  "networkGetDHCPLeases",
  "connectNumOfStoragePools",
  "connectListStoragePools",
  "connectNumOfDefinedStoragePools",
  "connectListDefinedStoragePools",
  "connectListAllStoragePools",
  "storagePoolLookupByName",
  "storagePoolLookupByUUID",
  "storagePoolLookupByVolume",
  "storagePoolGetInfo",
  "storagePoolGetXMLDesc",
  "storagePoolGetAutostart",
  "storagePoolNumOfVolumes",
  "storagePoolListVolumes",
  "storagePoolListAllVolumes",
  "storagePoolIsActive",
  "storagePoolIsPersistent",
  "storageVolLookupByName",
  "storageVolLookupByKey",
  "storageVolGetInfo",
  "storageVolGetInfoFlags",
  "storageVolGetXMLDesc",
  "storageVolGetPath",
  "nodeNumOfDevices",
  "nodeListDevices",
  "connectListAllNodeDevices",
  "nodeDeviceLookupByName",
  "nodeDeviceLookupSCSIHostByWWN",
  "nodeDeviceGetXMLDesc",
  "nodeDeviceGetParent",
  "nodeDeviceNumOfCaps",
  "nodeDeviceListCaps",
  "nodeDeviceIsActive",
  "nodeDeviceIsPersistent",
  "nodeDeviceGetAutostart",
  "connectNumOfInterfaces",
  "connectListInterfaces",
  "connectNumOfDefinedInterfaces",
  "connectListDefinedInterfaces",
  "connectListAllInterfaces",
  "interfaceLookupByName",
  "interfaceLookupByMACString",
  "interfaceGetXMLDesc",
  "interfaceIsActive",
  "connectNumOfSecrets",
  "connectListSecrets",
  "connectListAllSecrets",
  "secretLookupByUUID",
  "secretLookupByUsage",
  "secretGetXMLDesc",
];

/**
 * Reads a read-only caller may not make. libvirt refuses these on its read-only socket (guest
 * agent queries, peeks, secret values, save-image XML); the path lookups are refused too so
 * that a read-only token cannot probe which host paths exist.
 */
const SECRET: readonly DriverMethod[] = [
  "secretGetValue",
  "domainBlockPeek",
  "domainMemoryPeek",
  "domainSaveImageGetXMLDesc",
  "domainGetFSInfo",
  "domainGetGuestInfo",
  "domainGetGuestVcpus",
  "domainGetTime",
  "domainGetLaunchSecurityInfo",
  "connectFindStoragePoolSources",
  "storagePoolLookupByTargetPath",
  "storageVolLookupByPath",
];

/** `VIR_DOMAIN_XML_SECURE` / `VIR_DOMAIN_SAVE_IMAGE_XML_SECURE`: the XML carries passwords. */
const XML_SECURE = 1;

const READ_SET = new Set<string>(READ);
const SECRET_SET = new Set<string>(SECRET);

/** Methods a client may call through the gateway: the contract minus closing the shared link. */
export function isCallable(name: string): name is DriverMethod {
  return Object.hasOwn(METHOD_ARGS, name) && name !== "connectClose";
}

/**
 * The access a call needs, from its method and (for XML with passwords) its flags.
 *
 * @example
 * ```ts
 * import { methodAccess } from "./access.ts";
 * methodAccess("domainGetXMLDesc", [{ name: "a", uuid: "", id: -1 }, 1]); // "secret"
 * ```
 */
export function methodAccess(method: DriverMethod, args: readonly unknown[]): Access {
  if (SECRET_SET.has(method)) return "secret";
  if (
    (method === "domainGetXMLDesc" || method === "domainManagedSaveGetXMLDesc") &&
    ((args[1] as number) & XML_SECURE)
  ) return "secret";
  return READ_SET.has(method) ? "read" : "write";
}
