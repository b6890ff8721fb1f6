/**
 * The driver contract: what `connect()` routes a URI to, the way libvirt's `virConnect` routes
 * to a hypervisor driver table (`src/driver-hypervisor.h`). Method names are libvirt's driver
 * table entries; every argument and result is plain JSON, so the same table is served by a
 * local driver, by the gateway, and by the remote client. A driver leaves out what it does not
 * implement and the public API reports libvirt's `VIR_ERR_NO_SUPPORT`.
 *
 * @module
 */

/** What a `virDomainPtr` carries: name, UUID and id as of the lookup (-1 when inactive). */
export interface DomainRef {
  name: string;
  uuid: string;
  id: number;
}

/** A `virNetworkPtr`. */
export interface NetworkRef {
  name: string;
  uuid: string;
}

/** A `virStoragePoolPtr`. */
export interface StoragePoolRef {
  name: string;
  uuid: string;
}

/** A `virStorageVolPtr`: pool name, volume name and key (the path for file volumes). */
export interface StorageVolRef {
  pool: string;
  name: string;
  key: string;
}

/** A `virNodeDevicePtr`. */
export interface NodeDeviceRef {
  name: string;
}

/** A `virInterfacePtr`. */
export interface InterfaceRef {
  name: string;
  mac: string;
}

/** A `virSecretPtr`. */
export interface SecretRef {
  uuid: string;
  usageType: number;
  usageID: string;
}

/** Which object family an event is about. */
export type EventFamily = "domain" | "network" | "storage_pool" | "node_device" | "secret";

/**
 * One event as a driver emits it. For lifecycle events (`eventId` 0 of each family) `data` is
 * `{event, detail}` with libvirt's numeric codes; other ids carry their callback arguments by
 * name (e.g. `{reason}` for reboot is empty, `{actual}` for balloon change).
 */
export interface DriverEvent {
  family: EventFamily;
  eventId: number;
  ref: DomainRef | NetworkRef | StoragePoolRef | NodeDeviceRef | SecretRef;
  data: Record<string, unknown>;
}

/** `virDomainGetInfo`'s result. `maxMem` and `memory` in KiB, `cpuTime` in ns. */
export interface DomainInfo {
  state: number;
  maxMem: number;
  memory: number;
  nrVirtCpu: number;
  cpuTime: number;
}

/** `virNodeGetInfo`'s result. `memory` in KiB, `mhz` in MHz. */
export interface NodeInfo {
  model: string;
  memory: number;
  cpus: number;
  mhz: number;
  nodes: number;
  sockets: number;
  cores: number;
  threads: number;
}

/** `virDomainGetVcpus`: one entry per vCPU, and the CPU map per vCPU as booleans. */
export interface VcpuInfo {
  number: number;
  state: number;
  cpuTime: number;
  cpu: number;
}

/** `virStoragePoolGetInfo`. Sizes in bytes. */
export interface StoragePoolInfo {
  state: number;
  capacity: number;
  allocation: number;
  available: number;
}

/** `virStorageVolGetInfo`. Sizes in bytes. */
export interface StorageVolInfo {
  type: number;
  capacity: number;
  allocation: number;
}

/** `virDomainGetBlockInfo`. */
export interface DomainBlockInfo {
  capacity: number;
  allocation: number;
  physical: number;
}

/** `virSecurityLabel`: a domain's security label and whether it is enforced. */
export interface SecurityLabel {
  label: string;
  enforcing: boolean;
}

/** `virSecurityModel`: the host's security model and its domain of interpretation. */
export interface SecurityModel {
  model: string;
  doi: string;
}

/** One guest file system (`virDomainFSInfo`): mount point, device, type and disk aliases. */
export interface DomainFSInfo {
  mountpoint: string;
  name: string;
  fstype: string;
  devAliases: string[];
}

/** A typed parameter list as libvirt's `virTypedParameter` array, by field name. */
export type TypedParams = Record<string, number | string | boolean>;

/** `virDomainGetJobInfo`-like and stats records are passed as typed params. */
export interface DomainStatsRecord {
  dom: DomainRef;
  params: TypedParams;
}

/**
 * A connection to a driver. Every method is optional: a missing one is libvirt's
 * "this function is not supported by the connection driver: virXxx".
 */
export interface DriverConnection {
  /** The driver's name as `virConnectGetType` reports it (`TEST`, `QEMU`). */
  readonly type: string;
  /** Listen for every event of this connection; returns the unsubscribe function. */
  subscribe?(listener: (ev: DriverEvent) => void): () => void;

  connectClose(): Promise<void>;
  connectGetVersion?(): Promise<number>;
  connectGetLibVersion?(): Promise<number>;
  connectGetHostname?(): Promise<string>;
  connectGetURI?(): Promise<string>;
  connectGetMaxVcpus?(type: string | null): Promise<number>;
  connectGetCapabilities?(): Promise<string>;
  connectGetDomainCapabilities?(
    emulator: string | null,
    arch: string | null,
    machine: string | null,
    virttype: string | null,
    flags: number,
  ): Promise<string>;
  connectGetSysinfo?(flags: number): Promise<string>;
  connectIsAlive?(): Promise<boolean>;
  connectIsSecure?(): Promise<boolean>;
  connectIsEncrypted?(): Promise<boolean>;
  connectBaselineCPU?(xmlCPUs: string[], flags: number): Promise<string>;
  connectCompareCPU?(xml: string, flags: number): Promise<number>;
  nodeGetInfo?(): Promise<NodeInfo>;
  nodeGetCellsFreeMemory?(startCell: number, maxCells: number): Promise<number[]>;
  nodeGetFreeMemory?(): Promise<number>;
  nodeGetCPUMap?(flags: number): Promise<{ map: boolean[]; online: number }>;
  nodeGetCPUStats?(cpuNum: number, flags: number): Promise<TypedParams>;
  nodeGetMemoryStats?(cellNum: number, flags: number): Promise<TypedParams>;
  nodeGetSecurityModel?(): Promise<SecurityModel>;
  nodeGetFreePages?(
    pages: number[],
    startCell: number,
    cellCount: number,
    flags: number,
  ): Promise<number[]>;

  connectNumOfDomains?(): Promise<number>;
  connectListDomains?(): Promise<number[]>;
  connectNumOfDefinedDomains?(): Promise<number>;
  connectListDefinedDomains?(): Promise<string[]>;
  connectListAllDomains?(flags: number): Promise<DomainRef[]>;
  connectGetAllDomainStats?(stats: number, flags: number): Promise<DomainStatsRecord[]>;
  domainLookupByID?(id: number): Promise<DomainRef>;
  domainLookupByUUID?(uuid: string): Promise<DomainRef>;
  domainLookupByName?(name: string): Promise<DomainRef>;
  domainCreateXML?(xml: string, flags: number): Promise<DomainRef>;
  domainDefineXMLFlags?(xml: string, flags: number): Promise<DomainRef>;
  domainCreateWithFlags?(dom: DomainRef, flags: number): Promise<DomainRef>;
  domainUndefineFlags?(dom: DomainRef, flags: number): Promise<void>;
  domainSuspend?(dom: DomainRef): Promise<void>;
  domainResume?(dom: DomainRef): Promise<void>;
  domainShutdownFlags?(dom: DomainRef, flags: number): Promise<void>;
  domainReboot?(dom: DomainRef, flags: number): Promise<void>;
  domainReset?(dom: DomainRef, flags: number): Promise<void>;
  domainDestroyFlags?(dom: DomainRef, flags: number): Promise<void>;
  domainGetOSType?(dom: DomainRef): Promise<string>;
  domainGetMaxMemory?(dom: DomainRef): Promise<number>;
  domainSetMaxMemory?(dom: DomainRef, memory: number): Promise<void>;
  domainSetMemoryFlags?(dom: DomainRef, memory: number, flags: number): Promise<void>;
  domainSetMemoryStatsPeriod?(dom: DomainRef, period: number, flags: number): Promise<void>;
  domainGetInfo?(dom: DomainRef): Promise<DomainInfo>;
  domainGetState?(dom: DomainRef, flags: number): Promise<[number, number]>;
  domainGetControlInfo?(
    dom: DomainRef,
    flags: number,
  ): Promise<{ state: number; details: number; stateTime: number }>;
  domainSaveFlags?(dom: DomainRef, to: string, dxml: string | null, flags: number): Promise<void>;
  domainRestoreFlags?(from: string, dxml: string | null, flags: number): Promise<void>;
  domainSaveImageGetXMLDesc?(file: string, flags: number): Promise<string>;
  domainSaveImageDefineXML?(file: string, dxml: string, flags: number): Promise<void>;
  domainCoreDumpWithFormat?(
    dom: DomainRef,
    to: string,
    format: number,
    flags: number,
  ): Promise<void>;
  domainSetVcpusFlags?(dom: DomainRef, nvcpus: number, flags: number): Promise<void>;
  domainGetVcpusFlags?(dom: DomainRef, flags: number): Promise<number>;
  domainGetMaxVcpus?(dom: DomainRef): Promise<number>;
  domainGetVcpus?(dom: DomainRef): Promise<{ info: VcpuInfo[]; cpumaps: boolean[][] }>;
  domainPinVcpuFlags?(
    dom: DomainRef,
    vcpu: number,
    cpumap: boolean[],
    flags: number,
  ): Promise<void>;
  domainGetVcpuPinInfo?(dom: DomainRef, flags: number): Promise<boolean[][]>;
  domainPinEmulator?(dom: DomainRef, cpumap: boolean[], flags: number): Promise<void>;
  domainGetEmulatorPinInfo?(dom: DomainRef, flags: number): Promise<boolean[]>;
  domainSetVcpu?(dom: DomainRef, vcpumap: string, state: number, flags: number): Promise<void>;
  domainGetXMLDesc?(dom: DomainRef, flags: number): Promise<string>;
  domainGetSecurityLabel?(dom: DomainRef): Promise<SecurityLabel>;
  domainGetSecurityLabelList?(dom: DomainRef): Promise<SecurityLabel[]>;
  domainGetAutostart?(dom: DomainRef): Promise<boolean>;
  domainSetAutostart?(dom: DomainRef, autostart: boolean): Promise<void>;
  domainManagedSave?(dom: DomainRef, flags: number): Promise<void>;
  domainHasManagedSaveImage?(dom: DomainRef, flags: number): Promise<boolean>;
  domainManagedSaveRemove?(dom: DomainRef, flags: number): Promise<void>;
  domainManagedSaveGetXMLDesc?(dom: DomainRef, flags: number): Promise<string>;
  domainManagedSaveDefineXML?(dom: DomainRef, dxml: string, flags: number): Promise<void>;
  domainIsActive?(dom: DomainRef): Promise<boolean>;
  domainIsPersistent?(dom: DomainRef): Promise<boolean>;
  domainIsUpdated?(dom: DomainRef): Promise<boolean>;
  domainRename?(dom: DomainRef, newName: string, flags: number): Promise<DomainRef>;
  domainGetHostname?(dom: DomainRef, flags: number): Promise<string>;
  domainGetSchedulerType?(dom: DomainRef): Promise<[string, number]>;
  domainGetSchedulerParametersFlags?(dom: DomainRef, flags: number): Promise<TypedParams>;
  domainSetSchedulerParametersFlags?(
    dom: DomainRef,
    params: TypedParams,
    flags: number,
  ): Promise<void>;
  domainGetCPUStats?(
    dom: DomainRef,
    startCpu: number,
    ncpus: number,
    flags: number,
  ): Promise<TypedParams[]>;
  domainBlockStats?(dom: DomainRef, disk: string): Promise<TypedParams>;
  domainInterfaceStats?(dom: DomainRef, device: string): Promise<TypedParams>;
  domainMemoryStats?(dom: DomainRef, flags: number): Promise<Record<string, number>>;
  domainGetBlockInfo?(dom: DomainRef, disk: string, flags: number): Promise<DomainBlockInfo>;
  domainAttachDeviceFlags?(dom: DomainRef, xml: string, flags: number): Promise<void>;
  domainDetachDeviceFlags?(dom: DomainRef, xml: string, flags: number): Promise<void>;
  domainUpdateDeviceFlags?(dom: DomainRef, xml: string, flags: number): Promise<void>;
  domainGetMetadata?(
    dom: DomainRef,
    type: number,
    uri: string | null,
    flags: number,
  ): Promise<string>;
  domainSetMetadata?(
    dom: DomainRef,
    type: number,
    metadata: string | null,
    key: string | null,
    uri: string | null,
    flags: number,
  ): Promise<void>;
  domainGetTime?(dom: DomainRef, flags: number): Promise<{ seconds: number; nseconds: number }>;
  domainSetTime?(dom: DomainRef, seconds: number, nseconds: number, flags: number): Promise<void>;
  domainSendKey?(
    dom: DomainRef,
    codeset: number,
    holdtime: number,
    keycodes: number[],
    flags: number,
  ): Promise<void>;
  domainGetDiskErrors?(dom: DomainRef, flags: number): Promise<Record<string, number>>;
  domainGetPerfEvents?(dom: DomainRef, flags: number): Promise<TypedParams>;
  domainSetPerfEvents?(dom: DomainRef, params: TypedParams, flags: number): Promise<void>;
  domainGetLaunchSecurityInfo?(dom: DomainRef, flags: number): Promise<TypedParams>;
  domainGetBlkioParameters?(dom: DomainRef, flags: number): Promise<TypedParams>;
  domainSetBlkioParameters?(dom: DomainRef, params: TypedParams, flags: number): Promise<void>;
  domainGetMemoryParameters?(dom: DomainRef, flags: number): Promise<TypedParams>;
  domainSetMemoryParameters?(dom: DomainRef, params: TypedParams, flags: number): Promise<void>;
  domainGetNumaParameters?(dom: DomainRef, flags: number): Promise<TypedParams>;
  domainSetNumaParameters?(dom: DomainRef, params: TypedParams, flags: number): Promise<void>;
  domainGetInterfaceParameters?(
    dom: DomainRef,
    device: string,
    flags: number,
  ): Promise<TypedParams>;
  domainSetInterfaceParameters?(
    dom: DomainRef,
    device: string,
    params: TypedParams,
    flags: number,
  ): Promise<void>;
  domainGetBlockIoTune?(dom: DomainRef, disk: string, flags: number): Promise<TypedParams>;
  domainSetBlockIoTune?(
    dom: DomainRef,
    disk: string,
    params: TypedParams,
    flags: number,
  ): Promise<void>;
  domainSetLifecycleAction?(
    dom: DomainRef,
    type: number,
    action: number,
    flags: number,
  ): Promise<void>;
  domainGetGuestVcpus?(dom: DomainRef, flags: number): Promise<TypedParams>;
  domainSnapshotCreateXML?(dom: DomainRef, xml: string, flags: number): Promise<string>;
  domainSnapshotListNames?(dom: DomainRef, flags: number): Promise<string[]>;
  domainSnapshotNum?(dom: DomainRef, flags: number): Promise<number>;
  domainSnapshotGetXMLDesc?(dom: DomainRef, name: string, flags: number): Promise<string>;
  domainSnapshotDelete?(dom: DomainRef, name: string, flags: number): Promise<void>;
  domainRevertToSnapshot?(dom: DomainRef, name: string, flags: number): Promise<void>;
  domainHasCurrentSnapshot?(dom: DomainRef, flags: number): Promise<boolean>;
  domainSnapshotCurrent?(dom: DomainRef, flags: number): Promise<string>;
  domainCheckpointCreateXML?(dom: DomainRef, xml: string, flags: number): Promise<string>;
  domainListAllCheckpoints?(dom: DomainRef, flags: number): Promise<string[]>;
  domainCheckpointGetXMLDesc?(dom: DomainRef, name: string, flags: number): Promise<string>;
  domainCheckpointDelete?(dom: DomainRef, name: string, flags: number): Promise<void>;
  domainFSFreeze?(dom: DomainRef, mountpoints: string[], flags: number): Promise<number>;
  domainFSThaw?(dom: DomainRef, mountpoints: string[], flags: number): Promise<number>;
  domainPMSuspendForDuration?(
    dom: DomainRef,
    target: number,
    duration: number,
    flags: number,
  ): Promise<void>;
  domainPMWakeup?(dom: DomainRef, flags: number): Promise<void>;
  domainInjectNMI?(dom: DomainRef, flags: number): Promise<void>;
  domainAbortJob?(dom: DomainRef): Promise<void>;
  domainGetJobInfo?(dom: DomainRef): Promise<TypedParams>;
  domainGetJobStats?(dom: DomainRef, flags: number): Promise<TypedParams>;
  domainBlockResize?(dom: DomainRef, disk: string, size: number, flags: number): Promise<void>;
  domainBlockJobAbort?(dom: DomainRef, disk: string, flags: number): Promise<void>;
  domainGetBlockJobInfo?(dom: DomainRef, disk: string, flags: number): Promise<TypedParams>;
  domainBlockPull?(dom: DomainRef, disk: string, bandwidth: number, flags: number): Promise<void>;
  domainBlockCopy?(
    dom: DomainRef,
    disk: string,
    destxml: string,
    params: TypedParams,
    flags: number,
  ): Promise<void>;
  domainBlockCommit?(
    dom: DomainRef,
    disk: string,
    base: string | null,
    top: string | null,
    bandwidth: number,
    flags: number,
  ): Promise<void>;
  domainBlockRebase?(
    dom: DomainRef,
    disk: string,
    base: string | null,
    bandwidth: number,
    flags: number,
  ): Promise<void>;
  domainBlockPeek?(
    dom: DomainRef,
    disk: string,
    offset: number,
    size: number,
    flags: number,
  ): Promise<number[]>;
  domainMemoryPeek?(dom: DomainRef, start: number, size: number, flags: number): Promise<number[]>;
  domainGetFSInfo?(dom: DomainRef, flags: number): Promise<DomainFSInfo[]>;
  domainFSTrim?(
    dom: DomainRef,
    mountPoint: string | null,
    minimum: number,
    flags: number,
  ): Promise<void>;
  domainSetUserPassword?(
    dom: DomainRef,
    user: string,
    password: string,
    flags: number,
  ): Promise<void>;
  domainSendProcessSignal?(
    dom: DomainRef,
    pid: number,
    signum: number,
    flags: number,
  ): Promise<void>;
  domainGetMessages?(dom: DomainRef, flags: number): Promise<string[]>;
  domainInterfaceAddresses?(dom: DomainRef, source: number, flags: number): Promise<unknown[]>;
  domainGetGuestInfo?(dom: DomainRef, types: number, flags: number): Promise<TypedParams>;
  domainGetStatsFor?(dom: DomainRef, stats: number, flags: number): Promise<TypedParams>;

  connectNumOfNetworks?(): Promise<number>;
  connectListNetworks?(): Promise<string[]>;
  connectNumOfDefinedNetworks?(): Promise<number>;
  connectListDefinedNetworks?(): Promise<string[]>;
  connectListAllNetworks?(flags: number): Promise<NetworkRef[]>;
  networkLookupByUUID?(uuid: string): Promise<NetworkRef>;
  networkLookupByName?(name: string): Promise<NetworkRef>;
  networkCreateXML?(xml: string, flags: number): Promise<NetworkRef>;
  networkDefineXMLFlags?(xml: string, flags: number): Promise<NetworkRef>;
  networkUndefine?(net: NetworkRef): Promise<void>;
  networkUpdate?(
    net: NetworkRef,
    command: number,
    section: number,
    parentIndex: number,
    xml: string,
    flags: number,
  ): Promise<void>;
  networkCreate?(net: NetworkRef): Promise<void>;
  networkDestroy?(net: NetworkRef): Promise<void>;
  networkGetXMLDesc?(net: NetworkRef, flags: number): Promise<string>;
  networkGetBridgeName?(net: NetworkRef): Promise<string>;
  networkGetAutostart?(net: NetworkRef): Promise<boolean>;
  networkSetAutostart?(net: NetworkRef, autostart: boolean): Promise<void>;
  networkIsActive?(net: NetworkRef): Promise<boolean>;
  networkIsPersistent?(net: NetworkRef): Promise<boolean>;
  networkGetDHCPLeases?(
    net: NetworkRef,
    mac: string | null,
    flags: number,
  ): Promise<Record<string, unknown>[]>;

  connectNumOfStoragePools?(): Promise<number>;
  connectListStoragePools?(): Promise<string[]>;
  connectNumOfDefinedStoragePools?(): Promise<number>;
  connectListDefinedStoragePools?(): Promise<string[]>;
  connectListAllStoragePools?(flags: number): Promise<StoragePoolRef[]>;
  connectFindStoragePoolSources?(
    type: string,
    srcSpec: string | null,
    flags: number,
  ): Promise<string>;
  storagePoolLookupByName?(name: string): Promise<StoragePoolRef>;
  storagePoolLookupByUUID?(uuid: string): Promise<StoragePoolRef>;
  storagePoolLookupByVolume?(vol: StorageVolRef): Promise<StoragePoolRef>;
  storagePoolLookupByTargetPath?(path: string): Promise<StoragePoolRef>;
  storagePoolCreateXML?(xml: string, flags: number): Promise<StoragePoolRef>;
  storagePoolDefineXML?(xml: string, flags: number): Promise<StoragePoolRef>;
  storagePoolBuild?(pool: StoragePoolRef, flags: number): Promise<void>;
  storagePoolUndefine?(pool: StoragePoolRef): Promise<void>;
  storagePoolCreate?(pool: StoragePoolRef, flags: number): Promise<void>;
  storagePoolDestroy?(pool: StoragePoolRef): Promise<void>;
  storagePoolDelete?(pool: StoragePoolRef, flags: number): Promise<void>;
  storagePoolRefresh?(pool: StoragePoolRef, flags: number): Promise<void>;
  storagePoolGetInfo?(pool: StoragePoolRef): Promise<StoragePoolInfo>;
  storagePoolGetXMLDesc?(pool: StoragePoolRef, flags: number): Promise<string>;
  storagePoolGetAutostart?(pool: StoragePoolRef): Promise<boolean>;
  storagePoolSetAutostart?(pool: StoragePoolRef, autostart: boolean): Promise<void>;
  storagePoolNumOfVolumes?(pool: StoragePoolRef): Promise<number>;
  storagePoolListVolumes?(pool: StoragePoolRef): Promise<string[]>;
  storagePoolListAllVolumes?(pool: StoragePoolRef, flags: number): Promise<StorageVolRef[]>;
  storagePoolIsActive?(pool: StoragePoolRef): Promise<boolean>;
  storagePoolIsPersistent?(pool: StoragePoolRef): Promise<boolean>;
  storageVolLookupByName?(pool: StoragePoolRef, name: string): Promise<StorageVolRef>;
  storageVolLookupByKey?(key: string): Promise<StorageVolRef>;
  storageVolLookupByPath?(path: string): Promise<StorageVolRef>;
  storageVolCreateXML?(pool: StoragePoolRef, xml: string, flags: number): Promise<StorageVolRef>;
  storageVolCreateXMLFrom?(
    pool: StoragePoolRef,
    xml: string,
    clone: StorageVolRef,
    flags: number,
  ): Promise<StorageVolRef>;
  storageVolDelete?(vol: StorageVolRef, flags: number): Promise<void>;
  storageVolWipe?(vol: StorageVolRef, flags: number): Promise<void>;
  storageVolWipePattern?(vol: StorageVolRef, algorithm: number, flags: number): Promise<void>;
  storageVolGetInfo?(vol: StorageVolRef): Promise<StorageVolInfo>;
  storageVolGetInfoFlags?(vol: StorageVolRef, flags: number): Promise<StorageVolInfo>;
  storageVolGetXMLDesc?(vol: StorageVolRef, flags: number): Promise<string>;
  storageVolGetPath?(vol: StorageVolRef): Promise<string>;
  storageVolResize?(vol: StorageVolRef, capacity: number, flags: number): Promise<void>;

  nodeNumOfDevices?(cap: string | null, flags: number): Promise<number>;
  nodeListDevices?(cap: string | null, flags: number): Promise<string[]>;
  connectListAllNodeDevices?(flags: number): Promise<NodeDeviceRef[]>;
  nodeDeviceLookupByName?(name: string): Promise<NodeDeviceRef>;
  nodeDeviceLookupSCSIHostByWWN?(wwnn: string, wwpn: string, flags: number): Promise<NodeDeviceRef>;
  nodeDeviceGetXMLDesc?(dev: NodeDeviceRef, flags: number): Promise<string>;
  nodeDeviceGetParent?(dev: NodeDeviceRef): Promise<string | null>;
  nodeDeviceNumOfCaps?(dev: NodeDeviceRef): Promise<number>;
  nodeDeviceListCaps?(dev: NodeDeviceRef): Promise<string[]>;
  nodeDeviceCreateXML?(xml: string, flags: number): Promise<NodeDeviceRef>;
  nodeDeviceDefineXML?(xml: string, flags: number): Promise<NodeDeviceRef>;
  nodeDeviceUndefine?(dev: NodeDeviceRef, flags: number): Promise<void>;
  nodeDeviceCreate?(dev: NodeDeviceRef, flags: number): Promise<void>;
  nodeDeviceDestroy?(dev: NodeDeviceRef): Promise<void>;
  nodeDeviceIsActive?(dev: NodeDeviceRef): Promise<boolean>;
  nodeDeviceIsPersistent?(dev: NodeDeviceRef): Promise<boolean>;
  nodeDeviceGetAutostart?(dev: NodeDeviceRef): Promise<boolean>;
  nodeDeviceSetAutostart?(dev: NodeDeviceRef, autostart: boolean): Promise<void>;

  connectNumOfInterfaces?(): Promise<number>;
  connectListInterfaces?(): Promise<string[]>;
  connectNumOfDefinedInterfaces?(): Promise<number>;
  connectListDefinedInterfaces?(): Promise<string[]>;
  connectListAllInterfaces?(flags: number): Promise<InterfaceRef[]>;
  interfaceLookupByName?(name: string): Promise<InterfaceRef>;
  interfaceLookupByMACString?(mac: string): Promise<InterfaceRef>;
  interfaceGetXMLDesc?(iface: InterfaceRef, flags: number): Promise<string>;
  interfaceDefineXML?(xml: string, flags: number): Promise<InterfaceRef>;
  interfaceUndefine?(iface: InterfaceRef): Promise<void>;
  interfaceCreate?(iface: InterfaceRef, flags: number): Promise<void>;
  interfaceDestroy?(iface: InterfaceRef, flags: number): Promise<void>;
  interfaceIsActive?(iface: InterfaceRef): Promise<boolean>;
  interfaceChangeBegin?(flags: number): Promise<void>;
  interfaceChangeCommit?(flags: number): Promise<void>;
  interfaceChangeRollback?(flags: number): Promise<void>;

  connectNumOfSecrets?(): Promise<number>;
  connectListSecrets?(): Promise<string[]>;
  connectListAllSecrets?(flags: number): Promise<SecretRef[]>;
  secretLookupByUUID?(uuid: string): Promise<SecretRef>;
  secretLookupByUsage?(usageType: number, usageID: string): Promise<SecretRef>;
  secretDefineXML?(xml: string, flags: number): Promise<SecretRef>;
  secretGetXMLDesc?(secret: SecretRef, flags: number): Promise<string>;
  secretSetValue?(secret: SecretRef, value: number[], flags: number): Promise<void>;
  secretGetValue?(secret: SecretRef, flags: number): Promise<number[]>;
  secretUndefine?(secret: SecretRef): Promise<void>;
}

/** The name of any driver method (used by the gateway and the remote client). */
export type DriverMethod = Exclude<keyof DriverConnection, "type" | "subscribe">;

/** Options given to `connect()` and passed on to the driver. */
export interface ConnectOptions {
  /** Open read-only (libvirt's VIR_CONNECT_RO): mutating calls fail. */
  readonly?: boolean;
  /** Bearer token for remote transports. */
  token?: string;
  /** A `fetch` to use for remote transports (Workers service bindings, tests). */
  fetch?: typeof fetch;
  /** Request timeout for remote transports, in ms. */
  timeoutMs?: number;
  /** Extra options for a driver or transport. */
  [key: string]: unknown;
}

/**
 * A connection driver as libvirt's `virConnectDriver`: which URIs it takes and how it opens
 * them.
 *
 * @example
 * ```ts
 * import type { ConnectDriver } from "./driver.ts";
 * const driver: ConnectDriver = {
 *   name: "demo",
 *   schemes: ["demo"],
 *   open: () => Promise.resolve({ type: "DEMO", connectClose: () => Promise.resolve() }),
 * };
 * ```
 */
export interface ConnectDriver {
  /** A name for diagnostics (`test`, `qemu`, `remote`). */
  name: string;
  /** URI schemes this driver accepts (the part before `:` and before any `+transport`). */
  schemes: string[];
  /** Opens a connection; rejects with a VirError when the URI is not acceptable. */
  open(uri: URL, options: ConnectOptions): Promise<DriverConnection>;
}
