/**
 * The plain JSON values the contract's calls carry: wire references to objects (libvirt's
 * `virDomainPtr`, …), events, and the records results are made of.
 *
 * @module
 */
import type { Histogram } from "../histogram.ts";
export type { Histogram };

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

/** A `virNWFilterPtr`. */
export interface NWFilterRef {
  /** Name, as libvirt reports it. */
  name: string;
  /** UUID, canonical lower-case form. */
  uuid: string;
}

/** A `virNWFilterBindingPtr`: the port device and the filter bound to it. */
export interface NWFilterBindingRef {
  /** The port's host device (`vnet0`). */
  portdev: string;
  /** The name of the filter bound to it. */
  filtername: string;
}

/** A `virNetworkPortPtr`: a port of a virtual network, by the network's name and its own UUID. */
export interface NetworkPortRef {
  /** The name of the network the port belongs to. */
  network: string;
  /** The port's UUID, canonical lower-case form. */
  uuid: string;
}

/**
 * The data side of a stream call (libvirt's `virStreamPtr` once a call bound it): what the
 * driver produces (a download, a console's output) is `readable`; what it takes (an upload, a
 * console's input) is `writable`, whose closing is `virStreamFinish` — it settles once the
 * driver has everything in place — and whose abort is `virStreamAbort`.
 */
export interface DriverStream {
  /** Data from the driver; holes too when `sparse`. */
  readable?: ReadableStream<StreamPiece>;
  /**
   * Data to the driver; holes too when `sparse`. A piece is the caller's again once its write
   * settles (as `virStreamSend`'s buffer): a driver that keeps bytes for later copies them (the
   * gateway reads each request body into one buffer, piece after piece).
   */
  writable?: WritableStream<StreamPiece>;
  /** The data's MIME type, where the call names one (`virDomainScreenshot`). */
  mime?: string;
  /**
   * A sparse stream (`VIR_STORAGE_VOL_*_SPARSE_STREAM`): it carries holes besides data. Any
   * other stream carries data only, and a hole sent into it is refused.
   */
  sparse?: boolean;
}

/**
 * A hole in a sparse stream (`virStreamSendHole`/`virStreamRecvHole`): `hole` bytes that read
 * as zeroes and need not be stored or sent.
 */
export interface StreamHole {
  /** Its length in bytes (> 0). */
  hole: number;
}

/** What a stream carries: data, or (only a sparse stream) a hole. */
export type StreamPiece = Uint8Array | StreamHole;

/**
 * A histogram family a driver keeps for the gateway's `/metrics` (the QEMU monitor's command
 * latency), one histogram per label set.
 */
export interface DriverHistogramFamily {
  /** The metric name (`edgevirt_qemu_monitor_command_seconds`). */
  name: string;
  /** Its help text. */
  help: string;
  /** The histograms by labels. */
  samples: { labels: Record<string, string>; histogram: Histogram }[];
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

/** One IOThread (`virDomainIOThreadInfo`): its id and the host CPUs it may run on. */
export interface DomainIOThreadInfo {
  /** The IOThread's id. */
  iothreadId: number;
  /** One entry per host CPU. */
  cpumap: boolean[];
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
 * What a migration step hands on to the next (libvirt's opaque `cookieout`): QEMU's cookie is
 * the `<qemu-migration>` XML; null when the step has none.
 */
export interface MigrateCookie {
  /** The cookie for the next step, null when there is none. */
  cookieout: string | null;
}

/** `virDomainMigrateBegin3Params`' answer: the domain's XML for the destination and a cookie. */
export interface MigrateBeginResult extends MigrateCookie {
  /** The migratable domain XML the destination defines. */
  xml: string;
}

/** `virDomainMigratePrepare3Params`' answer: a cookie and where the source sends the state. */
export interface MigratePrepareResult extends MigrateCookie {
  /** The URI the destination listens on (`uri_out`), null when the caller's stands. */
  uriout: string | null;
}

/** `virDomainMigrateFinish3Params`' answer: the domain on the destination, null if it is gone. */
export interface MigrateFinishResult extends MigrateCookie {
  /** The migrated domain; null when the migration was cancelled or failed there. */
  domain: DomainRef | null;
}
