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
  /** Name, as libvirt reports it. */
  name: string;
  /** UUID, canonical lower-case form. */
  uuid: string;
  /** Domain id, -1 when inactive. */
  id: number;
}

/** A `virNetworkPtr`. */
export interface NetworkRef {
  /** Name, as libvirt reports it. */
  name: string;
  /** UUID, canonical lower-case form. */
  uuid: string;
}

/** A `virStoragePoolPtr`. */
export interface StoragePoolRef {
  /** Name, as libvirt reports it. */
  name: string;
  /** UUID, canonical lower-case form. */
  uuid: string;
}

/** A `virStorageVolPtr`: pool name, volume name and key (the path for file volumes). */
export interface StorageVolRef {
  /** Name of the storage pool holding the volume. */
  pool: string;
  /** Name, as libvirt reports it. */
  name: string;
  /** Volume key (the path for file volumes). */
  key: string;
}

/** A `virNodeDevicePtr`. */
export interface NodeDeviceRef {
  /** Name, as libvirt reports it. */
  name: string;
}

/** A `virInterfacePtr`. */
export interface InterfaceRef {
  /** Name, as libvirt reports it. */
  name: string;
  /** MAC address. */
  mac: string;
}

/** A `virSecretPtr`. */
export interface SecretRef {
  /** UUID, canonical lower-case form. */
  uuid: string;
  /** `virSecretUsageType` value. */
  usageType: number;
  /** Usage id (volume path, name, …). */
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
  /** Object family the event is about. */
  family: EventFamily;
  /** Event id (`VIR_*_EVENT_ID_*`). */
  eventId: number;
  /** The object the event is about. */
  ref: DomainRef | NetworkRef | StoragePoolRef | NodeDeviceRef | SecretRef;
  /** Callback arguments by name (`{event, detail}` for lifecycle events). */
  data: Record<string, unknown>;
}

/** `virDomainGetInfo`'s result. `maxMem` and `memory` in KiB, `cpuTime` in ns. */
export interface DomainInfo {
  /** State (`virDomainState`, `virStoragePoolState`, …). */
  state: number;
  /** Maximum memory, KiB. */
  maxMem: number;
  /** Memory, KiB. */
  memory: number;
  /** Number of virtual CPUs. */
  nrVirtCpu: number;
  /** CPU time used, ns. */
  cpuTime: number;
}

/** `virNodeGetInfo`'s result. `memory` in KiB, `mhz` in MHz. */
export interface NodeInfo {
  /** CPU model. */
  model: string;
  /** Memory, KiB. */
  memory: number;
  /** Active CPUs. */
  cpus: number;
  /** CPU frequency, MHz. */
  mhz: number;
  /** NUMA nodes. */
  nodes: number;
  /** Sockets per node. */
  sockets: number;
  /** Cores per socket. */
  cores: number;
  /** Threads per core. */
  threads: number;
}

/** `virDomainGetVcpus`: one entry per vCPU, and the CPU map per vCPU as booleans. */
export interface VcpuInfo {
  /** vCPU number. */
  number: number;
  /** State (`virDomainState`, `virStoragePoolState`, …). */
  state: number;
  /** CPU time used, ns. */
  cpuTime: number;
  /** Host CPU the vCPU runs on. */
  cpu: number;
}

/** `virStoragePoolGetInfo`. Sizes in bytes. */
export interface StoragePoolInfo {
  /** State (`virDomainState`, `virStoragePoolState`, …). */
  state: number;
  /** Capacity, bytes. */
  capacity: number;
  /** Allocation, bytes. */
  allocation: number;
  /** Free space, bytes. */
  available: number;
}

/** `virStorageVolGetInfo`. Sizes in bytes. */
export interface StorageVolInfo {
  /** Type (`virStorageVolType`, driver name, …). */
  type: number;
  /** Capacity, bytes. */
  capacity: number;
  /** Allocation, bytes. */
  allocation: number;
}

/** `virDomainGetBlockInfo`. */
export interface DomainBlockInfo {
  /** Capacity, bytes. */
  capacity: number;
  /** Allocation, bytes. */
  allocation: number;
  /** Physical size, bytes. */
  physical: number;
}

/** `virSecurityLabel`: a domain's security label and whether it is enforced. */
export interface SecurityLabel {
  /** `label` as libvirt reports it. */
  label: string;
  /** `enforcing` as libvirt reports it. */
  enforcing: boolean;
}

/** `virSecurityModel`: the host's security model and its domain of interpretation. */
export interface SecurityModel {
  /** CPU model. */
  model: string;
  /** `doi` as libvirt reports it. */
  doi: string;
}

/** One guest file system (`virDomainFSInfo`): mount point, device, type and disk aliases. */
export interface DomainFSInfo {
  /** `mountpoint` as libvirt reports it. */
  mountpoint: string;
  /** Name, as libvirt reports it. */
  name: string;
  /** `fstype` as libvirt reports it. */
  fstype: string;
  /** `devAliases` as libvirt reports it. */
  devAliases: string[];
}

/** A typed parameter list as libvirt's `virTypedParameter` array, by field name. */
export type TypedParams = Record<string, number | string | boolean>;

/** `virDomainGetJobInfo`-like and stats records are passed as typed params. */
export interface DomainStatsRecord {
  /** The domain. */
  dom: DomainRef;
  /** Typed parameters by field name. */
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

  /** Driver entry behind libvirt's `virConnectClose`. */
  connectClose(): Promise<void>;
  /** Driver entry behind libvirt's `virConnectGetVersion`. */
  connectGetVersion?(): Promise<number>;
  /** Driver entry behind libvirt's `virConnectGetLibVersion`. */
  connectGetLibVersion?(): Promise<number>;
  /** Driver entry behind libvirt's `virConnectGetHostname`. */
  connectGetHostname?(): Promise<string>;
  /** Driver entry behind libvirt's `virConnectGetURI`. */
  connectGetURI?(): Promise<string>;
  /** Driver entry behind libvirt's `virConnectGetMaxVcpus`. */
  connectGetMaxVcpus?(type: string | null): Promise<number>;
  /** Driver entry behind libvirt's `virConnectGetCapabilities`. */
  connectGetCapabilities?(): Promise<string>;
  /** Driver entry behind libvirt's `virConnectGetDomainCapabilities`. */
  connectGetDomainCapabilities?(
    emulator: string | null,
    arch: string | null,
    machine: string | null,
    virttype: string | null,
    flags: number,
  ): Promise<string>;
  /** Driver entry behind libvirt's `virConnectGetSysinfo`. */
  connectGetSysinfo?(flags: number): Promise<string>;
  /** Driver entry behind libvirt's `virConnectIsAlive`. */
  connectIsAlive?(): Promise<boolean>;
  /** Driver entry behind libvirt's `virConnectIsSecure`. */
  connectIsSecure?(): Promise<boolean>;
  /** Driver entry behind libvirt's `virConnectIsEncrypted`. */
  connectIsEncrypted?(): Promise<boolean>;
  /** Driver entry behind libvirt's `virConnectBaselineCPU`. */
  connectBaselineCPU?(xmlCPUs: string[], flags: number): Promise<string>;
  /** Driver entry behind libvirt's `virConnectCompareCPU`. */
  connectCompareCPU?(xml: string, flags: number): Promise<number>;
  /** Driver entry behind libvirt's `virNodeGetInfo`. */
  nodeGetInfo?(): Promise<NodeInfo>;
  /** Driver entry behind libvirt's `virNodeGetCellsFreeMemory`. */
  nodeGetCellsFreeMemory?(startCell: number, maxCells: number): Promise<number[]>;
  /** Driver entry behind libvirt's `virNodeGetFreeMemory`. */
  nodeGetFreeMemory?(): Promise<number>;
  /** Driver entry behind libvirt's `virNodeGetCPUMap`. */
  nodeGetCPUMap?(flags: number): Promise<{ map: boolean[]; online: number }>;
  /** Driver entry behind libvirt's `virNodeGetCPUStats`. */
  nodeGetCPUStats?(cpuNum: number, flags: number): Promise<TypedParams>;
  /** Driver entry behind libvirt's `virNodeGetMemoryStats`. */
  nodeGetMemoryStats?(cellNum: number, flags: number): Promise<TypedParams>;
  /** Driver entry behind libvirt's `virNodeGetSecurityModel`. */
  nodeGetSecurityModel?(): Promise<SecurityModel>;
  /** Driver entry behind libvirt's `virNodeGetFreePages`. */
  nodeGetFreePages?(
    pages: number[],
    startCell: number,
    cellCount: number,
    flags: number,
  ): Promise<number[]>;

  /** Driver entry behind libvirt's `virConnectNumOfDomains`. */
  connectNumOfDomains?(): Promise<number>;
  /** Driver entry behind libvirt's `virConnectListDomains`. */
  connectListDomains?(): Promise<number[]>;
  /** Driver entry behind libvirt's `virConnectNumOfDefinedDomains`. */
  connectNumOfDefinedDomains?(): Promise<number>;
  /** Driver entry behind libvirt's `virConnectListDefinedDomains`. */
  connectListDefinedDomains?(): Promise<string[]>;
  /** Driver entry behind libvirt's `virConnectListAllDomains`. */
  connectListAllDomains?(flags: number): Promise<DomainRef[]>;
  /** Driver entry behind libvirt's `virConnectGetAllDomainStats`. */
  connectGetAllDomainStats?(stats: number, flags: number): Promise<DomainStatsRecord[]>;
  /** Driver entry behind libvirt's `virDomainLookupByID`. */
  domainLookupByID?(id: number): Promise<DomainRef>;
  /** Driver entry behind libvirt's `virDomainLookupByUUID`. */
  domainLookupByUUID?(uuid: string): Promise<DomainRef>;
  /** Driver entry behind libvirt's `virDomainLookupByName`. */
  domainLookupByName?(name: string): Promise<DomainRef>;
  /** Driver entry behind libvirt's `virDomainCreateXML`. */
  domainCreateXML?(xml: string, flags: number): Promise<DomainRef>;
  /** Driver entry behind libvirt's `virDomainDefineXMLFlags`. */
  domainDefineXMLFlags?(xml: string, flags: number): Promise<DomainRef>;
  /** Driver entry behind libvirt's `virDomainCreateWithFlags`. */
  domainCreateWithFlags?(dom: DomainRef, flags: number): Promise<DomainRef>;
  /** Driver entry behind libvirt's `virDomainUndefineFlags`. */
  domainUndefineFlags?(dom: DomainRef, flags: number): Promise<void>;
  /** Driver entry behind libvirt's `virDomainSuspend`. */
  domainSuspend?(dom: DomainRef): Promise<void>;
  /** Driver entry behind libvirt's `virDomainResume`. */
  domainResume?(dom: DomainRef): Promise<void>;
  /** Driver entry behind libvirt's `virDomainShutdownFlags`. */
  domainShutdownFlags?(dom: DomainRef, flags: number): Promise<void>;
  /** Driver entry behind libvirt's `virDomainReboot`. */
  domainReboot?(dom: DomainRef, flags: number): Promise<void>;
  /** Driver entry behind libvirt's `virDomainReset`. */
  domainReset?(dom: DomainRef, flags: number): Promise<void>;
  /** Driver entry behind libvirt's `virDomainDestroyFlags`. */
  domainDestroyFlags?(dom: DomainRef, flags: number): Promise<void>;
  /** Driver entry behind libvirt's `virDomainGetOSType`. */
  domainGetOSType?(dom: DomainRef): Promise<string>;
  /** Driver entry behind libvirt's `virDomainGetMaxMemory`. */
  domainGetMaxMemory?(dom: DomainRef): Promise<number>;
  /** Driver entry behind libvirt's `virDomainSetMaxMemory`. */
  domainSetMaxMemory?(dom: DomainRef, memory: number): Promise<void>;
  /** Driver entry behind libvirt's `virDomainSetMemoryFlags`. */
  domainSetMemoryFlags?(dom: DomainRef, memory: number, flags: number): Promise<void>;
  /** Driver entry behind libvirt's `virDomainSetMemoryStatsPeriod`. */
  domainSetMemoryStatsPeriod?(dom: DomainRef, period: number, flags: number): Promise<void>;
  /** Driver entry behind libvirt's `virDomainGetInfo`. */
  domainGetInfo?(dom: DomainRef): Promise<DomainInfo>;
  /** Driver entry behind libvirt's `virDomainGetState`. */
  domainGetState?(dom: DomainRef, flags: number): Promise<[number, number]>;
  /** Driver entry behind libvirt's `virDomainGetControlInfo`. */
  domainGetControlInfo?(
    dom: DomainRef,
    flags: number,
  ): Promise<{ state: number; details: number; stateTime: number }>;
  /** Driver entry behind libvirt's `virDomainSaveFlags`. */
  domainSaveFlags?(dom: DomainRef, to: string, dxml: string | null, flags: number): Promise<void>;
  /** Driver entry behind libvirt's `virDomainRestoreFlags`. */
  domainRestoreFlags?(from: string, dxml: string | null, flags: number): Promise<void>;
  /** Driver entry behind libvirt's `virDomainSaveImageGetXMLDesc`. */
  domainSaveImageGetXMLDesc?(file: string, flags: number): Promise<string>;
  /** Driver entry behind libvirt's `virDomainSaveImageDefineXML`. */
  domainSaveImageDefineXML?(file: string, dxml: string, flags: number): Promise<void>;
  /** Driver entry behind libvirt's `virDomainCoreDumpWithFormat`. */
  domainCoreDumpWithFormat?(
    dom: DomainRef,
    to: string,
    format: number,
    flags: number,
  ): Promise<void>;
  /** Driver entry behind libvirt's `virDomainSetVcpusFlags`. */
  domainSetVcpusFlags?(dom: DomainRef, nvcpus: number, flags: number): Promise<void>;
  /** Driver entry behind libvirt's `virDomainGetVcpusFlags`. */
  domainGetVcpusFlags?(dom: DomainRef, flags: number): Promise<number>;
  /** Driver entry behind libvirt's `virDomainGetMaxVcpus`. */
  domainGetMaxVcpus?(dom: DomainRef): Promise<number>;
  /** Driver entry behind libvirt's `virDomainGetVcpus`. */
  domainGetVcpus?(dom: DomainRef): Promise<{ info: VcpuInfo[]; cpumaps: boolean[][] }>;
  /** Driver entry behind libvirt's `virDomainPinVcpuFlags`. */
  domainPinVcpuFlags?(
    dom: DomainRef,
    vcpu: number,
    cpumap: boolean[],
    flags: number,
  ): Promise<void>;
  /** Driver entry behind libvirt's `virDomainGetVcpuPinInfo`. */
  domainGetVcpuPinInfo?(dom: DomainRef, flags: number): Promise<boolean[][]>;
  /** Driver entry behind libvirt's `virDomainPinEmulator`. */
  domainPinEmulator?(dom: DomainRef, cpumap: boolean[], flags: number): Promise<void>;
  /** Driver entry behind libvirt's `virDomainGetEmulatorPinInfo`. */
  domainGetEmulatorPinInfo?(dom: DomainRef, flags: number): Promise<boolean[]>;
  /** Driver entry behind libvirt's `virDomainSetVcpu`. */
  domainSetVcpu?(dom: DomainRef, vcpumap: string, state: number, flags: number): Promise<void>;
  /** Driver entry behind libvirt's `virDomainGetXMLDesc`. */
  domainGetXMLDesc?(dom: DomainRef, flags: number): Promise<string>;
  /** Driver entry behind libvirt's `virDomainGetSecurityLabel`. */
  domainGetSecurityLabel?(dom: DomainRef): Promise<SecurityLabel>;
  /** Driver entry behind libvirt's `virDomainGetSecurityLabelList`. */
  domainGetSecurityLabelList?(dom: DomainRef): Promise<SecurityLabel[]>;
  /** Driver entry behind libvirt's `virDomainGetAutostart`. */
  domainGetAutostart?(dom: DomainRef): Promise<boolean>;
  /** Driver entry behind libvirt's `virDomainSetAutostart`. */
  domainSetAutostart?(dom: DomainRef, autostart: boolean): Promise<void>;
  /** Driver entry behind libvirt's `virDomainManagedSave`. */
  domainManagedSave?(dom: DomainRef, flags: number): Promise<void>;
  /** Driver entry behind libvirt's `virDomainHasManagedSaveImage`. */
  domainHasManagedSaveImage?(dom: DomainRef, flags: number): Promise<boolean>;
  /** Driver entry behind libvirt's `virDomainManagedSaveRemove`. */
  domainManagedSaveRemove?(dom: DomainRef, flags: number): Promise<void>;
  /** Driver entry behind libvirt's `virDomainManagedSaveGetXMLDesc`. */
  domainManagedSaveGetXMLDesc?(dom: DomainRef, flags: number): Promise<string>;
  /** Driver entry behind libvirt's `virDomainManagedSaveDefineXML`. */
  domainManagedSaveDefineXML?(dom: DomainRef, dxml: string, flags: number): Promise<void>;
  /** Driver entry behind libvirt's `virDomainIsActive`. */
  domainIsActive?(dom: DomainRef): Promise<boolean>;
  /** Driver entry behind libvirt's `virDomainIsPersistent`. */
  domainIsPersistent?(dom: DomainRef): Promise<boolean>;
  /** Driver entry behind libvirt's `virDomainIsUpdated`. */
  domainIsUpdated?(dom: DomainRef): Promise<boolean>;
  /** Driver entry behind libvirt's `virDomainRename`. */
  domainRename?(dom: DomainRef, newName: string, flags: number): Promise<DomainRef>;
  /** Driver entry behind libvirt's `virDomainGetHostname`. */
  domainGetHostname?(dom: DomainRef, flags: number): Promise<string>;
  /** Driver entry behind libvirt's `virDomainGetSchedulerType`. */
  domainGetSchedulerType?(dom: DomainRef): Promise<[string, number]>;
  /** Driver entry behind libvirt's `virDomainGetSchedulerParametersFlags`. */
  domainGetSchedulerParametersFlags?(dom: DomainRef, flags: number): Promise<TypedParams>;
  /** Driver entry behind libvirt's `virDomainSetSchedulerParametersFlags`. */
  domainSetSchedulerParametersFlags?(
    dom: DomainRef,
    params: TypedParams,
    flags: number,
  ): Promise<void>;
  /** Driver entry behind libvirt's `virDomainGetCPUStats`. */
  domainGetCPUStats?(
    dom: DomainRef,
    startCpu: number,
    ncpus: number,
    flags: number,
  ): Promise<TypedParams[]>;
  /** Driver entry behind libvirt's `virDomainBlockStats`. */
  domainBlockStats?(dom: DomainRef, disk: string): Promise<TypedParams>;
  /** Driver entry behind libvirt's `virDomainInterfaceStats`. */
  domainInterfaceStats?(dom: DomainRef, device: string): Promise<TypedParams>;
  /** Driver entry behind libvirt's `virDomainMemoryStats`. */
  domainMemoryStats?(dom: DomainRef, flags: number): Promise<Record<string, number>>;
  /** Driver entry behind libvirt's `virDomainGetBlockInfo`. */
  domainGetBlockInfo?(dom: DomainRef, disk: string, flags: number): Promise<DomainBlockInfo>;
  /** Driver entry behind libvirt's `virDomainAttachDeviceFlags`. */
  domainAttachDeviceFlags?(dom: DomainRef, xml: string, flags: number): Promise<void>;
  /** Driver entry behind libvirt's `virDomainDetachDeviceFlags`. */
  domainDetachDeviceFlags?(dom: DomainRef, xml: string, flags: number): Promise<void>;
  /** Driver entry behind libvirt's `virDomainUpdateDeviceFlags`. */
  domainUpdateDeviceFlags?(dom: DomainRef, xml: string, flags: number): Promise<void>;
  /** Driver entry behind libvirt's `virDomainGetMetadata`. */
  domainGetMetadata?(
    dom: DomainRef,
    type: number,
    uri: string | null,
    flags: number,
  ): Promise<string>;
  /** Driver entry behind libvirt's `virDomainSetMetadata`. */
  domainSetMetadata?(
    dom: DomainRef,
    type: number,
    metadata: string | null,
    key: string | null,
    uri: string | null,
    flags: number,
  ): Promise<void>;
  /** Driver entry behind libvirt's `virDomainGetTime`. */
  domainGetTime?(dom: DomainRef, flags: number): Promise<{ seconds: number; nseconds: number }>;
  /** Driver entry behind libvirt's `virDomainSetTime`. */
  domainSetTime?(dom: DomainRef, seconds: number, nseconds: number, flags: number): Promise<void>;
  /** Driver entry behind libvirt's `virDomainSendKey`. */
  domainSendKey?(
    dom: DomainRef,
    codeset: number,
    holdtime: number,
    keycodes: number[],
    flags: number,
  ): Promise<void>;
  /** Driver entry behind libvirt's `virDomainGetDiskErrors`. */
  domainGetDiskErrors?(dom: DomainRef, flags: number): Promise<Record<string, number>>;
  /** Driver entry behind libvirt's `virDomainGetPerfEvents`. */
  domainGetPerfEvents?(dom: DomainRef, flags: number): Promise<TypedParams>;
  /** Driver entry behind libvirt's `virDomainSetPerfEvents`. */
  domainSetPerfEvents?(dom: DomainRef, params: TypedParams, flags: number): Promise<void>;
  /** Driver entry behind libvirt's `virDomainGetLaunchSecurityInfo`. */
  domainGetLaunchSecurityInfo?(dom: DomainRef, flags: number): Promise<TypedParams>;
  /** Driver entry behind libvirt's `virDomainGetBlkioParameters`. */
  domainGetBlkioParameters?(dom: DomainRef, flags: number): Promise<TypedParams>;
  /** Driver entry behind libvirt's `virDomainSetBlkioParameters`. */
  domainSetBlkioParameters?(dom: DomainRef, params: TypedParams, flags: number): Promise<void>;
  /** Driver entry behind libvirt's `virDomainGetMemoryParameters`. */
  domainGetMemoryParameters?(dom: DomainRef, flags: number): Promise<TypedParams>;
  /** Driver entry behind libvirt's `virDomainSetMemoryParameters`. */
  domainSetMemoryParameters?(dom: DomainRef, params: TypedParams, flags: number): Promise<void>;
  /** Driver entry behind libvirt's `virDomainGetNumaParameters`. */
  domainGetNumaParameters?(dom: DomainRef, flags: number): Promise<TypedParams>;
  /** Driver entry behind libvirt's `virDomainSetNumaParameters`. */
  domainSetNumaParameters?(dom: DomainRef, params: TypedParams, flags: number): Promise<void>;
  /** Driver entry behind libvirt's `virDomainGetInterfaceParameters`. */
  domainGetInterfaceParameters?(
    dom: DomainRef,
    device: string,
    flags: number,
  ): Promise<TypedParams>;
  /** Driver entry behind libvirt's `virDomainSetInterfaceParameters`. */
  domainSetInterfaceParameters?(
    dom: DomainRef,
    device: string,
    params: TypedParams,
    flags: number,
  ): Promise<void>;
  /** Driver entry behind libvirt's `virDomainGetBlockIoTune`. */
  domainGetBlockIoTune?(dom: DomainRef, disk: string, flags: number): Promise<TypedParams>;
  /** Driver entry behind libvirt's `virDomainSetBlockIoTune`. */
  domainSetBlockIoTune?(
    dom: DomainRef,
    disk: string,
    params: TypedParams,
    flags: number,
  ): Promise<void>;
  /** Driver entry behind libvirt's `virDomainSetLifecycleAction`. */
  domainSetLifecycleAction?(
    dom: DomainRef,
    type: number,
    action: number,
    flags: number,
  ): Promise<void>;
  /** Driver entry behind libvirt's `virDomainGetGuestVcpus`. */
  domainGetGuestVcpus?(dom: DomainRef, flags: number): Promise<TypedParams>;
  /** Driver entry behind libvirt's `virDomainSnapshotCreateXML`. */
  domainSnapshotCreateXML?(dom: DomainRef, xml: string, flags: number): Promise<string>;
  /** Driver entry behind libvirt's `virDomainSnapshotListNames`. */
  domainSnapshotListNames?(dom: DomainRef, flags: number): Promise<string[]>;
  /** Driver entry behind libvirt's `virDomainSnapshotNum`. */
  domainSnapshotNum?(dom: DomainRef, flags: number): Promise<number>;
  /** Driver entry behind libvirt's `virDomainSnapshotGetXMLDesc`. */
  domainSnapshotGetXMLDesc?(dom: DomainRef, name: string, flags: number): Promise<string>;
  /** Driver entry behind libvirt's `virDomainSnapshotDelete`. */
  domainSnapshotDelete?(dom: DomainRef, name: string, flags: number): Promise<void>;
  /** Driver entry behind libvirt's `virDomainRevertToSnapshot`. */
  domainRevertToSnapshot?(dom: DomainRef, name: string, flags: number): Promise<void>;
  /** Driver entry behind libvirt's `virDomainHasCurrentSnapshot`. */
  domainHasCurrentSnapshot?(dom: DomainRef, flags: number): Promise<boolean>;
  /** Driver entry behind libvirt's `virDomainSnapshotCurrent`. */
  domainSnapshotCurrent?(dom: DomainRef, flags: number): Promise<string>;
  /** Driver entry behind libvirt's `virDomainCheckpointCreateXML`. */
  domainCheckpointCreateXML?(dom: DomainRef, xml: string, flags: number): Promise<string>;
  /** Driver entry behind libvirt's `virDomainListAllCheckpoints`. */
  domainListAllCheckpoints?(dom: DomainRef, flags: number): Promise<string[]>;
  /** Driver entry behind libvirt's `virDomainCheckpointGetXMLDesc`. */
  domainCheckpointGetXMLDesc?(dom: DomainRef, name: string, flags: number): Promise<string>;
  /** Driver entry behind libvirt's `virDomainCheckpointDelete`. */
  domainCheckpointDelete?(dom: DomainRef, name: string, flags: number): Promise<void>;
  /** Driver entry behind libvirt's `virDomainListAllSnapshots`: the snapshots' names. */
  domainListAllSnapshots?(dom: DomainRef, flags: number): Promise<string[]>;
  /** Driver entry behind libvirt's `virDomainSnapshotNumChildren`. */
  domainSnapshotNumChildren?(dom: DomainRef, name: string, flags: number): Promise<number>;
  /** Driver entry behind libvirt's `virDomainSnapshotListChildrenNames`. */
  domainSnapshotListChildrenNames?(
    dom: DomainRef,
    name: string,
    flags: number,
  ): Promise<string[]>;
  /** Driver entry behind libvirt's `virDomainSnapshotListAllChildren`: the children's names. */
  domainSnapshotListAllChildren?(dom: DomainRef, name: string, flags: number): Promise<string[]>;
  /** Driver entry behind libvirt's `virDomainSnapshotLookupByName`: the name found. */
  domainSnapshotLookupByName?(dom: DomainRef, name: string, flags: number): Promise<string>;
  /** Driver entry behind libvirt's `virDomainSnapshotGetParent`: the parent's name. */
  domainSnapshotGetParent?(dom: DomainRef, name: string, flags: number): Promise<string>;
  /** Driver entry behind libvirt's `virDomainSnapshotIsCurrent`. */
  domainSnapshotIsCurrent?(dom: DomainRef, name: string, flags: number): Promise<boolean>;
  /** Driver entry behind libvirt's `virDomainSnapshotHasMetadata`. */
  domainSnapshotHasMetadata?(dom: DomainRef, name: string, flags: number): Promise<boolean>;
  /** Driver entry behind libvirt's `virDomainCheckpointListAllChildren`: the children's names. */
  domainCheckpointListAllChildren?(
    dom: DomainRef,
    name: string,
    flags: number,
  ): Promise<string[]>;
  /** Driver entry behind libvirt's `virDomainCheckpointLookupByName`: the name found. */
  domainCheckpointLookupByName?(dom: DomainRef, name: string, flags: number): Promise<string>;
  /** Driver entry behind libvirt's `virDomainCheckpointGetParent`: the parent's name. */
  domainCheckpointGetParent?(dom: DomainRef, name: string, flags: number): Promise<string>;
  /** Driver entry behind libvirt's `virConnectGetCPUModelNames`. */
  connectGetCPUModelNames?(arch: string, flags: number): Promise<string[]>;
  /** Driver entry behind libvirt's `virConnectSupportsFeature` (a `VIR_DRV_FEATURE_*` number). */
  connectSupportsFeature?(feature: number): Promise<boolean>;
  /** Driver entry behind libvirt's `virDomainCreateWithFiles` (descriptor numbers). */
  domainCreateWithFiles?(dom: DomainRef, files: number[], flags: number): Promise<DomainRef>;
  /** Driver entry behind libvirt's `virDomainCreateXMLWithFiles` (descriptor numbers). */
  domainCreateXMLWithFiles?(xml: string, files: number[], flags: number): Promise<DomainRef>;
  /** Driver entry behind libvirt's `virDomainFSFreeze`. */
  domainFSFreeze?(dom: DomainRef, mountpoints: string[], flags: number): Promise<number>;
  /** Driver entry behind libvirt's `virDomainFSThaw`. */
  domainFSThaw?(dom: DomainRef, mountpoints: string[], flags: number): Promise<number>;
  /** Driver entry behind libvirt's `virDomainPMSuspendForDuration`. */
  domainPMSuspendForDuration?(
    dom: DomainRef,
    target: number,
    duration: number,
    flags: number,
  ): Promise<void>;
  /** Driver entry behind libvirt's `virDomainPMWakeup`. */
  domainPMWakeup?(dom: DomainRef, flags: number): Promise<void>;
  /** Driver entry behind libvirt's `virDomainInjectNMI`. */
  domainInjectNMI?(dom: DomainRef, flags: number): Promise<void>;
  /** Driver entry behind libvirt's `virDomainAbortJob`. */
  domainAbortJob?(dom: DomainRef): Promise<void>;
  /** Driver entry behind libvirt's `virDomainGetJobInfo`. */
  domainGetJobInfo?(dom: DomainRef): Promise<TypedParams>;
  /** Driver entry behind libvirt's `virDomainGetJobStats`. */
  domainGetJobStats?(dom: DomainRef, flags: number): Promise<TypedParams>;
  /** Driver entry behind libvirt's `virDomainBlockResize`. */
  domainBlockResize?(dom: DomainRef, disk: string, size: number, flags: number): Promise<void>;
  /** Driver entry behind libvirt's `virDomainBlockJobAbort`. */
  domainBlockJobAbort?(dom: DomainRef, disk: string, flags: number): Promise<void>;
  /** Driver entry behind libvirt's `virDomainGetBlockJobInfo`. */
  domainGetBlockJobInfo?(dom: DomainRef, disk: string, flags: number): Promise<TypedParams>;
  /** Driver entry behind libvirt's `virDomainBlockPull`. */
  domainBlockPull?(dom: DomainRef, disk: string, bandwidth: number, flags: number): Promise<void>;
  /** Driver entry behind libvirt's `virDomainBlockCopy`. */
  domainBlockCopy?(
    dom: DomainRef,
    disk: string,
    destxml: string,
    params: TypedParams,
    flags: number,
  ): Promise<void>;
  /** Driver entry behind libvirt's `virDomainBlockCommit`. */
  domainBlockCommit?(
    dom: DomainRef,
    disk: string,
    base: string | null,
    top: string | null,
    bandwidth: number,
    flags: number,
  ): Promise<void>;
  /** Driver entry behind libvirt's `virDomainBlockRebase`. */
  domainBlockRebase?(
    dom: DomainRef,
    disk: string,
    base: string | null,
    bandwidth: number,
    flags: number,
  ): Promise<void>;
  /** Driver entry behind libvirt's `virDomainBlockPeek`. */
  domainBlockPeek?(
    dom: DomainRef,
    disk: string,
    offset: number,
    size: number,
    flags: number,
  ): Promise<number[]>;
  /** Driver entry behind libvirt's `virDomainMemoryPeek`. */
  domainMemoryPeek?(dom: DomainRef, start: number, size: number, flags: number): Promise<number[]>;
  /** Driver entry behind libvirt's `virDomainGetFSInfo`. */
  domainGetFSInfo?(dom: DomainRef, flags: number): Promise<DomainFSInfo[]>;
  /** Driver entry behind libvirt's `virDomainFSTrim`. */
  domainFSTrim?(
    dom: DomainRef,
    mountPoint: string | null,
    minimum: number,
    flags: number,
  ): Promise<void>;
  /** Driver entry behind libvirt's `virDomainSetUserPassword`. */
  domainSetUserPassword?(
    dom: DomainRef,
    user: string,
    password: string,
    flags: number,
  ): Promise<void>;
  /** Driver entry behind libvirt's `virDomainSendProcessSignal`. */
  domainSendProcessSignal?(
    dom: DomainRef,
    pid: number,
    signum: number,
    flags: number,
  ): Promise<void>;
  /** Driver entry behind libvirt's `virDomainGetMessages`. */
  domainGetMessages?(dom: DomainRef, flags: number): Promise<string[]>;
  /** Driver entry behind libvirt's `virDomainInterfaceAddresses`. */
  domainInterfaceAddresses?(dom: DomainRef, source: number, flags: number): Promise<unknown[]>;
  /** Driver entry behind libvirt's `virDomainGetGuestInfo`. */
  domainGetGuestInfo?(dom: DomainRef, types: number, flags: number): Promise<TypedParams>;
  /** Driver entry behind libvirt's `virDomainGetStatsFor`. */
  domainGetStatsFor?(dom: DomainRef, stats: number, flags: number): Promise<TypedParams>;

  /** Driver entry behind libvirt's `virConnectNumOfNetworks`. */
  connectNumOfNetworks?(): Promise<number>;
  /** Driver entry behind libvirt's `virConnectListNetworks`. */
  connectListNetworks?(): Promise<string[]>;
  /** Driver entry behind libvirt's `virConnectNumOfDefinedNetworks`. */
  connectNumOfDefinedNetworks?(): Promise<number>;
  /** Driver entry behind libvirt's `virConnectListDefinedNetworks`. */
  connectListDefinedNetworks?(): Promise<string[]>;
  /** Driver entry behind libvirt's `virConnectListAllNetworks`. */
  connectListAllNetworks?(flags: number): Promise<NetworkRef[]>;
  /** Driver entry behind libvirt's `virNetworkLookupByUUID`. */
  networkLookupByUUID?(uuid: string): Promise<NetworkRef>;
  /** Driver entry behind libvirt's `virNetworkLookupByName`. */
  networkLookupByName?(name: string): Promise<NetworkRef>;
  /** Driver entry behind libvirt's `virNetworkCreateXML`. */
  networkCreateXML?(xml: string, flags: number): Promise<NetworkRef>;
  /** Driver entry behind libvirt's `virNetworkDefineXMLFlags`. */
  networkDefineXMLFlags?(xml: string, flags: number): Promise<NetworkRef>;
  /** Driver entry behind libvirt's `virNetworkUndefine`. */
  networkUndefine?(net: NetworkRef): Promise<void>;
  /** Driver entry behind libvirt's `virNetworkUpdate`. */
  networkUpdate?(
    net: NetworkRef,
    command: number,
    section: number,
    parentIndex: number,
    xml: string,
    flags: number,
  ): Promise<void>;
  /** Driver entry behind libvirt's `virNetworkCreate`. */
  networkCreate?(net: NetworkRef): Promise<void>;
  /** Driver entry behind libvirt's `virNetworkDestroy`. */
  networkDestroy?(net: NetworkRef): Promise<void>;
  /** Driver entry behind libvirt's `virNetworkGetXMLDesc`. */
  networkGetXMLDesc?(net: NetworkRef, flags: number): Promise<string>;
  /** Driver entry behind libvirt's `virNetworkGetBridgeName`. */
  networkGetBridgeName?(net: NetworkRef): Promise<string>;
  /** Driver entry behind libvirt's `virNetworkGetAutostart`. */
  networkGetAutostart?(net: NetworkRef): Promise<boolean>;
  /** Driver entry behind libvirt's `virNetworkSetAutostart`. */
  networkSetAutostart?(net: NetworkRef, autostart: boolean): Promise<void>;
  /** Driver entry behind libvirt's `virNetworkIsActive`. */
  networkIsActive?(net: NetworkRef): Promise<boolean>;
  /** Driver entry behind libvirt's `virNetworkIsPersistent`. */
  networkIsPersistent?(net: NetworkRef): Promise<boolean>;
  /** Driver entry behind libvirt's `virNetworkGetDHCPLeases`. */
  networkGetDHCPLeases?(
    net: NetworkRef,
    mac: string | null,
    flags: number,
  ): Promise<Record<string, unknown>[]>;

  /** Driver entry behind libvirt's `virConnectNumOfStoragePools`. */
  connectNumOfStoragePools?(): Promise<number>;
  /** Driver entry behind libvirt's `virConnectListStoragePools`. */
  connectListStoragePools?(): Promise<string[]>;
  /** Driver entry behind libvirt's `virConnectNumOfDefinedStoragePools`. */
  connectNumOfDefinedStoragePools?(): Promise<number>;
  /** Driver entry behind libvirt's `virConnectListDefinedStoragePools`. */
  connectListDefinedStoragePools?(): Promise<string[]>;
  /** Driver entry behind libvirt's `virConnectListAllStoragePools`. */
  connectListAllStoragePools?(flags: number): Promise<StoragePoolRef[]>;
  /** Driver entry behind libvirt's `virConnectFindStoragePoolSources`. */
  connectFindStoragePoolSources?(
    type: string,
    srcSpec: string | null,
    flags: number,
  ): Promise<string>;
  /** Driver entry behind libvirt's `virStoragePoolLookupByName`. */
  storagePoolLookupByName?(name: string): Promise<StoragePoolRef>;
  /** Driver entry behind libvirt's `virStoragePoolLookupByUUID`. */
  storagePoolLookupByUUID?(uuid: string): Promise<StoragePoolRef>;
  /** Driver entry behind libvirt's `virStoragePoolLookupByVolume`. */
  storagePoolLookupByVolume?(vol: StorageVolRef): Promise<StoragePoolRef>;
  /** Driver entry behind libvirt's `virStoragePoolLookupByTargetPath`. */
  storagePoolLookupByTargetPath?(path: string): Promise<StoragePoolRef>;
  /** Driver entry behind libvirt's `virStoragePoolCreateXML`. */
  storagePoolCreateXML?(xml: string, flags: number): Promise<StoragePoolRef>;
  /** Driver entry behind libvirt's `virStoragePoolDefineXML`. */
  storagePoolDefineXML?(xml: string, flags: number): Promise<StoragePoolRef>;
  /** Driver entry behind libvirt's `virStoragePoolBuild`. */
  storagePoolBuild?(pool: StoragePoolRef, flags: number): Promise<void>;
  /** Driver entry behind libvirt's `virStoragePoolUndefine`. */
  storagePoolUndefine?(pool: StoragePoolRef): Promise<void>;
  /** Driver entry behind libvirt's `virStoragePoolCreate`. */
  storagePoolCreate?(pool: StoragePoolRef, flags: number): Promise<void>;
  /** Driver entry behind libvirt's `virStoragePoolDestroy`. */
  storagePoolDestroy?(pool: StoragePoolRef): Promise<void>;
  /** Driver entry behind libvirt's `virStoragePoolDelete`. */
  storagePoolDelete?(pool: StoragePoolRef, flags: number): Promise<void>;
  /** Driver entry behind libvirt's `virStoragePoolRefresh`. */
  storagePoolRefresh?(pool: StoragePoolRef, flags: number): Promise<void>;
  /** Driver entry behind libvirt's `virStoragePoolGetInfo`. */
  storagePoolGetInfo?(pool: StoragePoolRef): Promise<StoragePoolInfo>;
  /** Driver entry behind libvirt's `virStoragePoolGetXMLDesc`. */
  storagePoolGetXMLDesc?(pool: StoragePoolRef, flags: number): Promise<string>;
  /** Driver entry behind libvirt's `virStoragePoolGetAutostart`. */
  storagePoolGetAutostart?(pool: StoragePoolRef): Promise<boolean>;
  /** Driver entry behind libvirt's `virStoragePoolSetAutostart`. */
  storagePoolSetAutostart?(pool: StoragePoolRef, autostart: boolean): Promise<void>;
  /** Driver entry behind libvirt's `virStoragePoolNumOfVolumes`. */
  storagePoolNumOfVolumes?(pool: StoragePoolRef): Promise<number>;
  /** Driver entry behind libvirt's `virStoragePoolListVolumes`. */
  storagePoolListVolumes?(pool: StoragePoolRef): Promise<string[]>;
  /** Driver entry behind libvirt's `virStoragePoolListAllVolumes`. */
  storagePoolListAllVolumes?(pool: StoragePoolRef, flags: number): Promise<StorageVolRef[]>;
  /** Driver entry behind libvirt's `virStoragePoolIsActive`. */
  storagePoolIsActive?(pool: StoragePoolRef): Promise<boolean>;
  /** Driver entry behind libvirt's `virStoragePoolIsPersistent`. */
  storagePoolIsPersistent?(pool: StoragePoolRef): Promise<boolean>;
  /** Driver entry behind libvirt's `virStorageVolLookupByName`. */
  storageVolLookupByName?(pool: StoragePoolRef, name: string): Promise<StorageVolRef>;
  /** Driver entry behind libvirt's `virStorageVolLookupByKey`. */
  storageVolLookupByKey?(key: string): Promise<StorageVolRef>;
  /** Driver entry behind libvirt's `virStorageVolLookupByPath`. */
  storageVolLookupByPath?(path: string): Promise<StorageVolRef>;
  /** Driver entry behind libvirt's `virStorageVolCreateXML`. */
  storageVolCreateXML?(pool: StoragePoolRef, xml: string, flags: number): Promise<StorageVolRef>;
  /** Driver entry behind libvirt's `virStorageVolCreateXMLFrom`. */
  storageVolCreateXMLFrom?(
    pool: StoragePoolRef,
    xml: string,
    clone: StorageVolRef,
    flags: number,
  ): Promise<StorageVolRef>;
  /** Driver entry behind libvirt's `virStorageVolDelete`. */
  storageVolDelete?(vol: StorageVolRef, flags: number): Promise<void>;
  /** Driver entry behind libvirt's `virStorageVolWipe`. */
  storageVolWipe?(vol: StorageVolRef, flags: number): Promise<void>;
  /** Driver entry behind libvirt's `virStorageVolWipePattern`. */
  storageVolWipePattern?(vol: StorageVolRef, algorithm: number, flags: number): Promise<void>;
  /** Driver entry behind libvirt's `virStorageVolGetInfo`. */
  storageVolGetInfo?(vol: StorageVolRef): Promise<StorageVolInfo>;
  /** Driver entry behind libvirt's `virStorageVolGetInfoFlags`. */
  storageVolGetInfoFlags?(vol: StorageVolRef, flags: number): Promise<StorageVolInfo>;
  /** Driver entry behind libvirt's `virStorageVolGetXMLDesc`. */
  storageVolGetXMLDesc?(vol: StorageVolRef, flags: number): Promise<string>;
  /** Driver entry behind libvirt's `virStorageVolGetPath`. */
  storageVolGetPath?(vol: StorageVolRef): Promise<string>;
  /** Driver entry behind libvirt's `virStorageVolResize`. */
  storageVolResize?(vol: StorageVolRef, capacity: number, flags: number): Promise<void>;

  /** Driver entry behind libvirt's `virNodeNumOfDevices`. */
  nodeNumOfDevices?(cap: string | null, flags: number): Promise<number>;
  /** Driver entry behind libvirt's `virNodeListDevices`. */
  nodeListDevices?(cap: string | null, flags: number): Promise<string[]>;
  /** Driver entry behind libvirt's `virConnectListAllNodeDevices`. */
  connectListAllNodeDevices?(flags: number): Promise<NodeDeviceRef[]>;
  /** Driver entry behind libvirt's `virNodeDeviceLookupByName`. */
  nodeDeviceLookupByName?(name: string): Promise<NodeDeviceRef>;
  /** Driver entry behind libvirt's `virNodeDeviceLookupSCSIHostByWWN`. */
  nodeDeviceLookupSCSIHostByWWN?(wwnn: string, wwpn: string, flags: number): Promise<NodeDeviceRef>;
  /** Driver entry behind libvirt's `virNodeDeviceGetXMLDesc`. */
  nodeDeviceGetXMLDesc?(dev: NodeDeviceRef, flags: number): Promise<string>;
  /** Driver entry behind libvirt's `virNodeDeviceGetParent`. */
  nodeDeviceGetParent?(dev: NodeDeviceRef): Promise<string | null>;
  /** Driver entry behind libvirt's `virNodeDeviceNumOfCaps`. */
  nodeDeviceNumOfCaps?(dev: NodeDeviceRef): Promise<number>;
  /** Driver entry behind libvirt's `virNodeDeviceListCaps`. */
  nodeDeviceListCaps?(dev: NodeDeviceRef): Promise<string[]>;
  /** Driver entry behind libvirt's `virNodeDeviceCreateXML`. */
  nodeDeviceCreateXML?(xml: string, flags: number): Promise<NodeDeviceRef>;
  /** Driver entry behind libvirt's `virNodeDeviceDefineXML`. */
  nodeDeviceDefineXML?(xml: string, flags: number): Promise<NodeDeviceRef>;
  /** Driver entry behind libvirt's `virNodeDeviceUndefine`. */
  nodeDeviceUndefine?(dev: NodeDeviceRef, flags: number): Promise<void>;
  /** Driver entry behind libvirt's `virNodeDeviceCreate`. */
  nodeDeviceCreate?(dev: NodeDeviceRef, flags: number): Promise<void>;
  /** Driver entry behind libvirt's `virNodeDeviceDestroy`. */
  nodeDeviceDestroy?(dev: NodeDeviceRef): Promise<void>;
  /** Driver entry behind libvirt's `virNodeDeviceIsActive`. */
  nodeDeviceIsActive?(dev: NodeDeviceRef): Promise<boolean>;
  /** Driver entry behind libvirt's `virNodeDeviceIsPersistent`. */
  nodeDeviceIsPersistent?(dev: NodeDeviceRef): Promise<boolean>;
  /** Driver entry behind libvirt's `virNodeDeviceGetAutostart`. */
  nodeDeviceGetAutostart?(dev: NodeDeviceRef): Promise<boolean>;
  /** Driver entry behind libvirt's `virNodeDeviceSetAutostart`. */
  nodeDeviceSetAutostart?(dev: NodeDeviceRef, autostart: boolean): Promise<void>;

  /** Driver entry behind libvirt's `virConnectNumOfInterfaces`. */
  connectNumOfInterfaces?(): Promise<number>;
  /** Driver entry behind libvirt's `virConnectListInterfaces`. */
  connectListInterfaces?(): Promise<string[]>;
  /** Driver entry behind libvirt's `virConnectNumOfDefinedInterfaces`. */
  connectNumOfDefinedInterfaces?(): Promise<number>;
  /** Driver entry behind libvirt's `virConnectListDefinedInterfaces`. */
  connectListDefinedInterfaces?(): Promise<string[]>;
  /** Driver entry behind libvirt's `virConnectListAllInterfaces`. */
  connectListAllInterfaces?(flags: number): Promise<InterfaceRef[]>;
  /** Driver entry behind libvirt's `virInterfaceLookupByName`. */
  interfaceLookupByName?(name: string): Promise<InterfaceRef>;
  /** Driver entry behind libvirt's `virInterfaceLookupByMACString`. */
  interfaceLookupByMACString?(mac: string): Promise<InterfaceRef>;
  /** Driver entry behind libvirt's `virInterfaceGetXMLDesc`. */
  interfaceGetXMLDesc?(iface: InterfaceRef, flags: number): Promise<string>;
  /** Driver entry behind libvirt's `virInterfaceDefineXML`. */
  interfaceDefineXML?(xml: string, flags: number): Promise<InterfaceRef>;
  /** Driver entry behind libvirt's `virInterfaceUndefine`. */
  interfaceUndefine?(iface: InterfaceRef): Promise<void>;
  /** Driver entry behind libvirt's `virInterfaceCreate`. */
  interfaceCreate?(iface: InterfaceRef, flags: number): Promise<void>;
  /** Driver entry behind libvirt's `virInterfaceDestroy`. */
  interfaceDestroy?(iface: InterfaceRef, flags: number): Promise<void>;
  /** Driver entry behind libvirt's `virInterfaceIsActive`. */
  interfaceIsActive?(iface: InterfaceRef): Promise<boolean>;
  /** Driver entry behind libvirt's `virInterfaceChangeBegin`. */
  interfaceChangeBegin?(flags: number): Promise<void>;
  /** Driver entry behind libvirt's `virInterfaceChangeCommit`. */
  interfaceChangeCommit?(flags: number): Promise<void>;
  /** Driver entry behind libvirt's `virInterfaceChangeRollback`. */
  interfaceChangeRollback?(flags: number): Promise<void>;

  /** Driver entry behind libvirt's `virConnectNumOfSecrets`. */
  connectNumOfSecrets?(): Promise<number>;
  /** Driver entry behind libvirt's `virConnectListSecrets`. */
  connectListSecrets?(): Promise<string[]>;
  /** Driver entry behind libvirt's `virConnectListAllSecrets`. */
  connectListAllSecrets?(flags: number): Promise<SecretRef[]>;
  /** Driver entry behind libvirt's `virSecretLookupByUUID`. */
  secretLookupByUUID?(uuid: string): Promise<SecretRef>;
  /** Driver entry behind libvirt's `virSecretLookupByUsage`. */
  secretLookupByUsage?(usageType: number, usageID: string): Promise<SecretRef>;
  /** Driver entry behind libvirt's `virSecretDefineXML`. */
  secretDefineXML?(xml: string, flags: number): Promise<SecretRef>;
  /** Driver entry behind libvirt's `virSecretGetXMLDesc`. */
  secretGetXMLDesc?(secret: SecretRef, flags: number): Promise<string>;
  /** Driver entry behind libvirt's `virSecretSetValue`. */
  secretSetValue?(secret: SecretRef, value: number[], flags: number): Promise<void>;
  /** Driver entry behind libvirt's `virSecretGetValue`. */
  secretGetValue?(secret: SecretRef, flags: number): Promise<number[]>;
  /** Driver entry behind libvirt's `virSecretUndefine`. */
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
