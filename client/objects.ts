import type {
  InterfaceRef,
  NetworkRef,
  NodeDeviceRef,
  SecretRef,
  StoragePoolInfo,
  StoragePoolRef,
  StorageVolInfo,
  StorageVolRef,
} from "../util/driver.ts";
import { Handle, type HandleOwner } from "./handle.ts";
import { contractMethods } from "./contract_methods.ts";
import { NetworkPort } from "./network_port.ts";
import type { Stream } from "./stream.ts";

/**
 * A virtual network handle (`virNetworkPtr`).
 *
 * @example
 * ```ts
 * import { connect } from "../host.ts";
 * const conn = await connect("test:///default");
 * const net = await conn.lookupNetworkByName("default");
 * console.log(await net.isActive()); // true
 * await conn.close();
 * ```
 */
export class Network extends Handle<NetworkRef> {
  /** A handle on `ref`'s network, calling `owner`'s driver. */
  constructor(owner: HandleOwner, ref: NetworkRef) {
    super(owner, ref);
  }
  /** The network's name. */
  get name(): string {
    return this.ref.name;
  }
  /** The network's UUID. */
  get uuid(): string {
    return this.ref.uuid;
  }
  /** `virNetworkSetAutostart`. */
  async setAutostart(autostart: boolean | number): Promise<void> {
    await this.call("networkSetAutostart", Boolean(autostart));
  }
  /** `virNetworkListAllPorts`. */
  async listAllPorts(flags = 0): Promise<NetworkPort[]> {
    return (await this.call("networkListAllPorts", flags)).map((r) =>
      new NetworkPort(this.owner, r)
    );
  }
  /** `virNetworkPortLookupByUUID`. */
  async portLookupByUUID(uuid: string): Promise<NetworkPort> {
    return new NetworkPort(this.owner, await this.call("networkPortLookupByUUID", uuid));
  }
  /** `virNetworkPortCreateXML`. */
  async portCreateXML(xml: string, flags = 0): Promise<NetworkPort> {
    return new NetworkPort(this.owner, await this.call("networkPortCreateXML", xml, flags));
  }
}

/** The Network handle's methods that are one contract call each (their bodies: {@link contractMethods}). */
export interface Network {
  /** `virNetworkCreate`. */
  create(): Promise<void>;
  /** `virNetworkDestroy`. */
  destroy(): Promise<void>;
  /** `virNetworkUndefine`. */
  undefine(): Promise<void>;
  /** `virNetworkUpdate`. */
  update(
    command: number,
    section: number,
    parentIndex: number,
    xml: string,
    flags?: number,
  ): Promise<void>;
  /** `virNetworkGetXMLDesc`. */
  getXMLDesc(flags?: number): Promise<string>;
  /** `virNetworkGetBridgeName`. */
  getBridgeName(): Promise<string>;
  /** `virNetworkGetAutostart`. */
  getAutostart(): Promise<boolean>;
  /** `virNetworkIsActive`. */
  isActive(): Promise<boolean>;
  /** `virNetworkIsPersistent`. */
  isPersistent(): Promise<boolean>;
  /** `virNetworkGetDHCPLeases`. */
  getDHCPLeases(mac?: string | null, flags?: number): Promise<Record<string, unknown>[]>;
}

contractMethods(Network, "net", "network");

/**
 * A storage pool handle (`virStoragePoolPtr`).
 *
 * @example
 * ```ts
 * import { connect } from "../host.ts";
 * const conn = await connect("test:///default");
 * const pool = await conn.lookupStoragePoolByName("default-pool");
 * console.log((await pool.getInfo()).capacity);
 * await conn.close();
 * ```
 */
export class StoragePool extends Handle<StoragePoolRef> {
  /** A handle on `ref`'s pool, calling `owner`'s driver. */
  constructor(owner: HandleOwner, ref: StoragePoolRef) {
    super(owner, ref);
  }
  /** The pool's name. */
  get name(): string {
    return this.ref.name;
  }
  /** The pool's UUID. */
  get uuid(): string {
    return this.ref.uuid;
  }
  /** `virStoragePoolSetAutostart`. */
  async setAutostart(autostart: boolean | number): Promise<void> {
    await this.call("storagePoolSetAutostart", Boolean(autostart));
  }
  /** `virStoragePoolListAllVolumes`. */
  async listAllVolumes(flags = 0): Promise<StorageVolume[]> {
    const refs = await this.call("storagePoolListAllVolumes", flags);
    return refs.map((r) => new StorageVolume(this.owner, r));
  }
  /** `virStorageVolLookupByName`. */
  async lookupVolumeByName(name: string): Promise<StorageVolume> {
    return new StorageVolume(this.owner, await this.call("storageVolLookupByName", name));
  }
  /** `virStorageVolCreateXML`. */
  async createVolumeXML(xml: string, flags = 0): Promise<StorageVolume> {
    return new StorageVolume(this.owner, await this.call("storageVolCreateXML", xml, flags));
  }
  /** `virStorageVolCreateXMLFrom`. */
  async createVolumeXMLFrom(xml: string, clone: StorageVolume, flags = 0): Promise<StorageVolume> {
    // A missing clone still reaches libvirt's checks, which refuse a read-only connection first.
    const r = await this.call("storageVolCreateXMLFrom", xml, clone?.ref, flags);
    return new StorageVolume(this.owner, r);
  }
}

/** The StoragePool handle's methods that are one contract call each (their bodies: {@link contractMethods}). */
export interface StoragePool {
  /** `virStoragePoolBuild`. */
  build(flags?: number): Promise<void>;
  /** `virStoragePoolCreate`. */
  create(flags?: number): Promise<void>;
  /** `virStoragePoolDestroy`. */
  destroy(): Promise<void>;
  /** `virStoragePoolDelete`. */
  delete(flags?: number): Promise<void>;
  /** `virStoragePoolUndefine`. */
  undefine(): Promise<void>;
  /** `virStoragePoolRefresh`. */
  refresh(flags?: number): Promise<void>;
  /** `virStoragePoolGetInfo`. */
  getInfo(): Promise<StoragePoolInfo>;
  /** `virStoragePoolGetXMLDesc`. */
  getXMLDesc(flags?: number): Promise<string>;
  /** `virStoragePoolGetAutostart`. */
  getAutostart(): Promise<boolean>;
  /** `virStoragePoolIsActive`. */
  isActive(): Promise<boolean>;
  /** `virStoragePoolIsPersistent`. */
  isPersistent(): Promise<boolean>;
  /** `virStoragePoolNumOfVolumes`. */
  numOfVolumes(): Promise<number>;
  /** `virStoragePoolListVolumes`. */
  listVolumes(): Promise<string[]>;
}

contractMethods(StoragePool, "pool", "storagePool");

/**
 * A storage volume handle (`virStorageVolPtr`).
 *
 * @example
 * ```ts
 * import { connect } from "../host.ts";
 * const conn = await connect("test:///default");
 * const pool = await conn.lookupStoragePoolByName("default-pool");
 * const vol = await pool.createVolumeXML(
 *   "<volume><name>a.img</name><capacity>1024</capacity></volume>",
 * );
 * console.log(await vol.getPath());
 * await conn.close();
 * ```
 */
export class StorageVolume extends Handle<StorageVolRef> {
  /** A handle on `ref`'s volume, calling `owner`'s driver. */
  constructor(owner: HandleOwner, ref: StorageVolRef) {
    super(owner, ref);
  }
  /** The volume's name. */
  get name(): string {
    return this.ref.name;
  }
  /** The volume's key. */
  get key(): string {
    return this.ref.key;
  }
  /** The name of the pool holding it. */
  get pool(): string {
    return this.ref.pool;
  }
  /** `virStorageVolUpload`: `stream` then takes the data (`send`, `finish`). */
  async upload(stream: Stream, offset: number, length: number, flags = 0): Promise<void> {
    await this.#bind(stream, "storageVolUpload", offset, length, flags);
  }
  /** `virStorageVolDownload`: `stream` then gives the data (`recv`, `readable`). */
  async download(stream: Stream, offset: number, length: number, flags = 0): Promise<void> {
    await this.#bind(stream, "storageVolDownload", offset, length, flags);
  }
  #bind(
    stream: Stream,
    method: "storageVolUpload" | "storageVolDownload",
    ...args: [number, number, number]
  ) {
    const api = method === "storageVolUpload" ? "virStorageVolUpload" : "virStorageVolDownload";
    return stream.bind(
      this.owner,
      "STORAGE",
      `stream in ${api} must match connection of volume '${this.name}'`,
      () => this.call(method, ...args),
    );
  }
}

/** The StorageVolume handle's methods that are one contract call each (their bodies: {@link contractMethods}). */
export interface StorageVolume {
  /** `virStorageVolDelete`. */
  delete(flags?: number): Promise<void>;
  /** `virStorageVolWipe`. */
  wipe(flags?: number): Promise<void>;
  /** `virStorageVolGetInfo`. */
  getInfo(): Promise<StorageVolInfo>;
  /** `virStorageVolGetXMLDesc`. */
  getXMLDesc(flags?: number): Promise<string>;
  /** `virStorageVolGetPath`. */
  getPath(): Promise<string>;
  /** `virStorageVolResize`. */
  resize(capacity: number, flags?: number): Promise<void>;
  /** `virStorageVolWipePattern`: wipes with `algorithm` (`VIR_STORAGE_VOL_WIPE_ALG_*`). */
  wipePattern(algorithm: number, flags?: number): Promise<void>;
  /** `virStorageVolGetInfoFlags`: with `VIR_STORAGE_VOL_GET_PHYSICAL`, the host's allocation. */
  getInfoFlags(flags?: number): Promise<StorageVolInfo>;
}

contractMethods(StorageVolume, "vol", "storageVol");

/**
 * A host device handle (`virNodeDevicePtr`).
 *
 * @example
 * ```ts
 * import { connect } from "../host.ts";
 * const conn = await connect("test:///default");
 * const devs = await conn.listAllNodeDevices();
 * console.log(devs.map((d) => d.name));
 * await conn.close();
 * ```
 */
export class NodeDevice extends Handle<NodeDeviceRef> {
  /** A handle on `ref`'s device, calling `owner`'s driver. */
  constructor(owner: HandleOwner, ref: NodeDeviceRef) {
    super(owner, ref);
  }
  /** The device's name. */
  get name(): string {
    return this.ref.name;
  }
}

/** The NodeDevice handle's methods that are one contract call each (their bodies: {@link contractMethods}). */
export interface NodeDevice {
  /** `virNodeDeviceGetXMLDesc`. */
  getXMLDesc(flags?: number): Promise<string>;
  /** `virNodeDeviceGetParent`. */
  getParent(): Promise<string | null>;
  /** `virNodeDeviceNumOfCaps`. */
  numOfCaps(): Promise<number>;
  /** `virNodeDeviceListCaps`. */
  listCaps(): Promise<string[]>;
  /** `virNodeDeviceDestroy`. */
  destroy(): Promise<void>;
  /** `virNodeDeviceDettach`: detaches the PCI device from its host driver (to `vfio-pci`). */
  dettach(): Promise<void>;
  /** `virNodeDeviceDetachFlags`: as {@link dettach}, naming the stub (`"vfio"` or null). */
  detachFlags(driverName?: string | null, flags?: number): Promise<void>;
  /** `virNodeDeviceReAttach`: gives a detached PCI device back to its host driver. */
  reAttach(): Promise<void>;
  /** `virNodeDeviceReset`: resets the PCI device (FLR, power management or bus reset). */
  reset(): Promise<void>;
  /** `virNodeDeviceIsActive`. */
  isActive(): Promise<boolean>;
  /** `virNodeDeviceIsPersistent`. */
  isPersistent(): Promise<boolean>;
}

contractMethods(NodeDevice, "dev", "nodeDevice");

/**
 * A host interface handle (`virInterfacePtr`).
 *
 * @example
 * ```ts
 * import { connect } from "../host.ts";
 * const conn = await connect("test:///default");
 * const eth1 = await conn.lookupInterfaceByName("eth1");
 * console.log(eth1.mac);
 * await conn.close();
 * ```
 */
export class Interface extends Handle<InterfaceRef> {
  /** A handle on `ref`'s interface, calling `owner`'s driver. */
  constructor(owner: HandleOwner, ref: InterfaceRef) {
    super(owner, ref);
  }
  /** The interface's name. */
  get name(): string {
    return this.ref.name;
  }
  /** The interface's MAC address. */
  get mac(): string {
    return this.ref.mac;
  }
}

/** The Interface handle's methods that are one contract call each (their bodies: {@link contractMethods}). */
export interface Interface {
  /** `virInterfaceGetXMLDesc`. */
  getXMLDesc(flags?: number): Promise<string>;
  /** `virInterfaceUndefine`. */
  undefine(): Promise<void>;
  /** `virInterfaceCreate`. */
  create(flags?: number): Promise<void>;
  /** `virInterfaceDestroy`. */
  destroy(flags?: number): Promise<void>;
  /** `virInterfaceIsActive`. */
  isActive(): Promise<boolean>;
}

contractMethods(Interface, "iface", "interface");

/**
 * A secret handle (`virSecretPtr`).
 *
 * @example
 * ```ts
 * import { connect } from "../host.ts";
 * const conn = await connect("test:///default");
 * await conn.listAllSecrets().catch((e) => console.log(e.message)); // no secret driver
 * await conn.close();
 * ```
 */
export class Secret extends Handle<SecretRef> {
  /** A handle on `ref`'s secret, calling `owner`'s driver. */
  constructor(owner: HandleOwner, ref: SecretRef) {
    super(owner, ref);
  }
  /** The secret's UUID. */
  get uuid(): string {
    return this.ref.uuid;
  }
  /** `virSecretSetValue`. */
  async setValue(value: Uint8Array, flags = 0): Promise<void> {
    // A missing value still reaches libvirt's checks (read-only first, then the NULL value).
    await this.call("secretSetValue", (value && [...value]) as number[], flags);
  }
  /** `virSecretGetValue`. */
  async getValue(flags = 0): Promise<Uint8Array> {
    return new Uint8Array(await this.call("secretGetValue", flags));
  }
}

/** The Secret handle's methods that are one contract call each (their bodies: {@link contractMethods}). */
export interface Secret {
  /** `virSecretGetXMLDesc`. */
  getXMLDesc(flags?: number): Promise<string>;
  /** `virSecretUndefine`. */
  undefine(): Promise<void>;
}

contractMethods(Secret, "secret", "secret");
