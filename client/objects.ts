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
  /** `virNetworkCreate`. */
  async create(): Promise<void> {
    await this.call("networkCreate");
  }
  /** `virNetworkDestroy`. */
  async destroy(): Promise<void> {
    await this.call("networkDestroy");
  }
  /** `virNetworkUndefine`. */
  async undefine(): Promise<void> {
    await this.call("networkUndefine");
  }
  /** `virNetworkUpdate`. */
  async update(
    command: number,
    section: number,
    parentIndex: number,
    xml: string,
    flags = 0,
  ): Promise<void> {
    await this.call("networkUpdate", command, section, parentIndex, xml, flags);
  }
  /** `virNetworkGetXMLDesc`. */
  getXMLDesc(flags = 0): Promise<string> {
    return this.call("networkGetXMLDesc", flags);
  }
  /** `virNetworkGetBridgeName`. */
  getBridgeName(): Promise<string> {
    return this.call("networkGetBridgeName");
  }
  /** `virNetworkGetAutostart`. */
  getAutostart(): Promise<boolean> {
    return this.call("networkGetAutostart");
  }
  /** `virNetworkSetAutostart`. */
  async setAutostart(autostart: boolean | number): Promise<void> {
    await this.call("networkSetAutostart", Boolean(autostart));
  }
  /** `virNetworkIsActive`. */
  isActive(): Promise<boolean> {
    return this.call("networkIsActive");
  }
  /** `virNetworkIsPersistent`. */
  isPersistent(): Promise<boolean> {
    return this.call("networkIsPersistent");
  }
  /** `virNetworkGetDHCPLeases`. */
  getDHCPLeases(mac: string | null = null, flags = 0): Promise<Record<string, unknown>[]> {
    return this.call("networkGetDHCPLeases", mac, flags);
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
  /** `virStoragePoolBuild`. */
  async build(flags = 0): Promise<void> {
    await this.call("storagePoolBuild", flags);
  }
  /** `virStoragePoolCreate`. */
  async create(flags = 0): Promise<void> {
    await this.call("storagePoolCreate", flags);
  }
  /** `virStoragePoolDestroy`. */
  async destroy(): Promise<void> {
    await this.call("storagePoolDestroy");
  }
  /** `virStoragePoolDelete`. */
  async delete(flags = 0): Promise<void> {
    await this.call("storagePoolDelete", flags);
  }
  /** `virStoragePoolUndefine`. */
  async undefine(): Promise<void> {
    await this.call("storagePoolUndefine");
  }
  /** `virStoragePoolRefresh`. */
  async refresh(flags = 0): Promise<void> {
    await this.call("storagePoolRefresh", flags);
  }
  /** `virStoragePoolGetInfo`. */
  getInfo(): Promise<StoragePoolInfo> {
    return this.call("storagePoolGetInfo");
  }
  /** `virStoragePoolGetXMLDesc`. */
  getXMLDesc(flags = 0): Promise<string> {
    return this.call("storagePoolGetXMLDesc", flags);
  }
  /** `virStoragePoolGetAutostart`. */
  getAutostart(): Promise<boolean> {
    return this.call("storagePoolGetAutostart");
  }
  /** `virStoragePoolSetAutostart`. */
  async setAutostart(autostart: boolean | number): Promise<void> {
    await this.call("storagePoolSetAutostart", Boolean(autostart));
  }
  /** `virStoragePoolIsActive`. */
  isActive(): Promise<boolean> {
    return this.call("storagePoolIsActive");
  }
  /** `virStoragePoolIsPersistent`. */
  isPersistent(): Promise<boolean> {
    return this.call("storagePoolIsPersistent");
  }
  /** `virStoragePoolNumOfVolumes`. */
  numOfVolumes(): Promise<number> {
    return this.call("storagePoolNumOfVolumes");
  }
  /** `virStoragePoolListVolumes`. */
  listVolumes(): Promise<string[]> {
    return this.call("storagePoolListVolumes");
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
  /** `virStorageVolDelete`. */
  async delete(flags = 0): Promise<void> {
    await this.call("storageVolDelete", flags);
  }
  /** `virStorageVolWipe`. */
  async wipe(flags = 0): Promise<void> {
    await this.call("storageVolWipe", flags);
  }
  /** `virStorageVolGetInfo`. */
  getInfo(): Promise<StorageVolInfo> {
    return this.call("storageVolGetInfo");
  }
  /** `virStorageVolGetXMLDesc`. */
  getXMLDesc(flags = 0): Promise<string> {
    return this.call("storageVolGetXMLDesc", flags);
  }
  /** `virStorageVolGetPath`. */
  getPath(): Promise<string> {
    return this.call("storageVolGetPath");
  }
  /** `virStorageVolResize`. */
  async resize(capacity: number, flags = 0): Promise<void> {
    await this.call("storageVolResize", capacity, flags);
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
  /** `virNodeDeviceGetXMLDesc`. */
  getXMLDesc(flags = 0): Promise<string> {
    return this.call("nodeDeviceGetXMLDesc", flags);
  }
  /** `virNodeDeviceGetParent`. */
  getParent(): Promise<string | null> {
    return this.call("nodeDeviceGetParent");
  }
  /** `virNodeDeviceNumOfCaps`. */
  numOfCaps(): Promise<number> {
    return this.call("nodeDeviceNumOfCaps");
  }
  /** `virNodeDeviceListCaps`. */
  listCaps(): Promise<string[]> {
    return this.call("nodeDeviceListCaps");
  }
  /** `virNodeDeviceDestroy`. */
  async destroy(): Promise<void> {
    await this.call("nodeDeviceDestroy");
  }
  /** `virNodeDeviceDettach`: detaches the PCI device from its host driver (to `vfio-pci`). */
  async dettach(): Promise<void> {
    await this.call("nodeDeviceDettach");
  }
  /** `virNodeDeviceDetachFlags`: as {@link dettach}, naming the stub (`"vfio"` or null). */
  async detachFlags(driverName: string | null = null, flags = 0): Promise<void> {
    await this.call("nodeDeviceDetachFlags", driverName, flags);
  }
  /** `virNodeDeviceReAttach`: gives a detached PCI device back to its host driver. */
  async reAttach(): Promise<void> {
    await this.call("nodeDeviceReAttach");
  }
  /** `virNodeDeviceReset`: resets the PCI device (FLR, power management or bus reset). */
  async reset(): Promise<void> {
    await this.call("nodeDeviceReset");
  }
  /** `virNodeDeviceIsActive`. */
  isActive(): Promise<boolean> {
    return this.call("nodeDeviceIsActive");
  }
  /** `virNodeDeviceIsPersistent`. */
  isPersistent(): Promise<boolean> {
    return this.call("nodeDeviceIsPersistent");
  }
}

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
  /** `virInterfaceGetXMLDesc`. */
  getXMLDesc(flags = 0): Promise<string> {
    return this.call("interfaceGetXMLDesc", flags);
  }
  /** `virInterfaceUndefine`. */
  async undefine(): Promise<void> {
    await this.call("interfaceUndefine");
  }
  /** `virInterfaceCreate`. */
  async create(flags = 0): Promise<void> {
    await this.call("interfaceCreate", flags);
  }
  /** `virInterfaceDestroy`. */
  async destroy(flags = 0): Promise<void> {
    await this.call("interfaceDestroy", flags);
  }
  /** `virInterfaceIsActive`. */
  isActive(): Promise<boolean> {
    return this.call("interfaceIsActive");
  }
}

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
  /** `virSecretGetXMLDesc`. */
  getXMLDesc(flags = 0): Promise<string> {
    return this.call("secretGetXMLDesc", flags);
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
  /** `virSecretUndefine`. */
  async undefine(): Promise<void> {
    await this.call("secretUndefine");
  }
}
