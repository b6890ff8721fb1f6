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
import { denyReadOnly, invoke } from "./invoke.ts";
import type { HandleOwner } from "./domain.ts";

/**
 * A virtual network handle (`virNetworkPtr`).
 *
 * @example
 * ```ts
 * import { connect } from "../mod.ts";
 * const conn = await connect("test:///default");
 * const net = await conn.lookupNetworkByName("default");
 * console.log(await net.isActive()); // true
 * await conn.close();
 * ```
 */
export class Network {
  #o: HandleOwner;
  /** The wire reference. */
  readonly ref: NetworkRef;
  constructor(owner: HandleOwner, ref: NetworkRef) {
    this.#o = owner;
    this.ref = { ...ref };
  }
  /** The network's name. */
  get name(): string {
    return this.ref.name;
  }
  /** The network's UUID. */
  get uuid(): string {
    return this.ref.uuid;
  }
  #rw(api: string) {
    denyReadOnly(this.#o.readonly, api, "NETWORK");
  }
  /** `virNetworkCreate`. */
  async create(): Promise<void> {
    this.#rw("virNetworkCreate");
    await invoke(this.#o.driver, "networkCreate", "virNetworkCreate", "NETWORK", this.ref);
  }
  /** `virNetworkDestroy`. */
  async destroy(): Promise<void> {
    this.#rw("virNetworkDestroy");
    await invoke(this.#o.driver, "networkDestroy", "virNetworkDestroy", "NETWORK", this.ref);
  }
  /** `virNetworkUndefine`. */
  async undefine(): Promise<void> {
    this.#rw("virNetworkUndefine");
    await invoke(this.#o.driver, "networkUndefine", "virNetworkUndefine", "NETWORK", this.ref);
  }
  /** `virNetworkUpdate`. */
  async update(
    command: number,
    section: number,
    parentIndex: number,
    xml: string,
    flags = 0,
  ): Promise<void> {
    this.#rw("virNetworkUpdate");
    await invoke(
      this.#o.driver,
      "networkUpdate",
      "virNetworkUpdate",
      "NETWORK",
      this.ref,
      command,
      section,
      parentIndex,
      xml,
      flags,
    );
  }
  /** `virNetworkGetXMLDesc`. */
  getXMLDesc(flags = 0): Promise<string> {
    return invoke(
      this.#o.driver,
      "networkGetXMLDesc",
      "virNetworkGetXMLDesc",
      "NETWORK",
      this.ref,
      flags,
    );
  }
  /** `virNetworkGetBridgeName`. */
  getBridgeName(): Promise<string> {
    return invoke(
      this.#o.driver,
      "networkGetBridgeName",
      "virNetworkGetBridgeName",
      "NETWORK",
      this.ref,
    );
  }
  /** `virNetworkGetAutostart`. */
  getAutostart(): Promise<boolean> {
    return invoke(
      this.#o.driver,
      "networkGetAutostart",
      "virNetworkGetAutostart",
      "NETWORK",
      this.ref,
    );
  }
  /** `virNetworkSetAutostart`. */
  async setAutostart(autostart: boolean | number): Promise<void> {
    this.#rw("virNetworkSetAutostart");
    await invoke(
      this.#o.driver,
      "networkSetAutostart",
      "virNetworkSetAutostart",
      "NETWORK",
      this.ref,
      Boolean(autostart),
    );
  }
  /** `virNetworkIsActive`. */
  isActive(): Promise<boolean> {
    return invoke(this.#o.driver, "networkIsActive", "virNetworkIsActive", "NETWORK", this.ref);
  }
  /** `virNetworkIsPersistent`. */
  isPersistent(): Promise<boolean> {
    return invoke(
      this.#o.driver,
      "networkIsPersistent",
      "virNetworkIsPersistent",
      "NETWORK",
      this.ref,
    );
  }
  /** `virNetworkGetDHCPLeases`. */
  getDHCPLeases(mac: string | null = null, flags = 0): Promise<Record<string, unknown>[]> {
    return invoke(
      this.#o.driver,
      "networkGetDHCPLeases",
      "virNetworkGetDHCPLeases",
      "NETWORK",
      this.ref,
      mac,
      flags,
    );
  }
}

/**
 * A storage pool handle (`virStoragePoolPtr`).
 *
 * @example
 * ```ts
 * import { connect } from "../mod.ts";
 * const conn = await connect("test:///default");
 * const pool = await conn.lookupStoragePoolByName("default-pool");
 * console.log((await pool.getInfo()).capacity);
 * await conn.close();
 * ```
 */
export class StoragePool {
  #o: HandleOwner;
  /** The wire reference. */
  readonly ref: StoragePoolRef;
  constructor(owner: HandleOwner, ref: StoragePoolRef) {
    this.#o = owner;
    this.ref = { ...ref };
  }
  /** The pool's name. */
  get name(): string {
    return this.ref.name;
  }
  /** The pool's UUID. */
  get uuid(): string {
    return this.ref.uuid;
  }
  #rw(api: string) {
    denyReadOnly(this.#o.readonly, api, "STORAGE");
  }
  /** `virStoragePoolBuild`. */
  async build(flags = 0): Promise<void> {
    this.#rw("virStoragePoolBuild");
    await invoke(
      this.#o.driver,
      "storagePoolBuild",
      "virStoragePoolBuild",
      "STORAGE",
      this.ref,
      flags,
    );
  }
  /** `virStoragePoolCreate`. */
  async create(flags = 0): Promise<void> {
    this.#rw("virStoragePoolCreate");
    await invoke(
      this.#o.driver,
      "storagePoolCreate",
      "virStoragePoolCreate",
      "STORAGE",
      this.ref,
      flags,
    );
  }
  /** `virStoragePoolDestroy`. */
  async destroy(): Promise<void> {
    this.#rw("virStoragePoolDestroy");
    await invoke(
      this.#o.driver,
      "storagePoolDestroy",
      "virStoragePoolDestroy",
      "STORAGE",
      this.ref,
    );
  }
  /** `virStoragePoolDelete`. */
  async delete(flags = 0): Promise<void> {
    this.#rw("virStoragePoolDelete");
    await invoke(
      this.#o.driver,
      "storagePoolDelete",
      "virStoragePoolDelete",
      "STORAGE",
      this.ref,
      flags,
    );
  }
  /** `virStoragePoolUndefine`. */
  async undefine(): Promise<void> {
    this.#rw("virStoragePoolUndefine");
    await invoke(
      this.#o.driver,
      "storagePoolUndefine",
      "virStoragePoolUndefine",
      "STORAGE",
      this.ref,
    );
  }
  /** `virStoragePoolRefresh`. */
  async refresh(flags = 0): Promise<void> {
    this.#rw("virStoragePoolRefresh");
    await invoke(
      this.#o.driver,
      "storagePoolRefresh",
      "virStoragePoolRefresh",
      "STORAGE",
      this.ref,
      flags,
    );
  }
  /** `virStoragePoolGetInfo`. */
  getInfo(): Promise<StoragePoolInfo> {
    return invoke(
      this.#o.driver,
      "storagePoolGetInfo",
      "virStoragePoolGetInfo",
      "STORAGE",
      this.ref,
    );
  }
  /** `virStoragePoolGetXMLDesc`. */
  getXMLDesc(flags = 0): Promise<string> {
    return invoke(
      this.#o.driver,
      "storagePoolGetXMLDesc",
      "virStoragePoolGetXMLDesc",
      "STORAGE",
      this.ref,
      flags,
    );
  }
  /** `virStoragePoolGetAutostart`. */
  getAutostart(): Promise<boolean> {
    return invoke(
      this.#o.driver,
      "storagePoolGetAutostart",
      "virStoragePoolGetAutostart",
      "STORAGE",
      this.ref,
    );
  }
  /** `virStoragePoolSetAutostart`. */
  async setAutostart(autostart: boolean | number): Promise<void> {
    this.#rw("virStoragePoolSetAutostart");
    await invoke(
      this.#o.driver,
      "storagePoolSetAutostart",
      "virStoragePoolSetAutostart",
      "STORAGE",
      this.ref,
      Boolean(autostart),
    );
  }
  /** `virStoragePoolIsActive`. */
  isActive(): Promise<boolean> {
    return invoke(
      this.#o.driver,
      "storagePoolIsActive",
      "virStoragePoolIsActive",
      "STORAGE",
      this.ref,
    );
  }
  /** `virStoragePoolIsPersistent`. */
  isPersistent(): Promise<boolean> {
    return invoke(
      this.#o.driver,
      "storagePoolIsPersistent",
      "virStoragePoolIsPersistent",
      "STORAGE",
      this.ref,
    );
  }
  /** `virStoragePoolNumOfVolumes`. */
  numOfVolumes(): Promise<number> {
    return invoke(
      this.#o.driver,
      "storagePoolNumOfVolumes",
      "virStoragePoolNumOfVolumes",
      "STORAGE",
      this.ref,
    );
  }
  /** `virStoragePoolListVolumes`. */
  listVolumes(): Promise<string[]> {
    return invoke(
      this.#o.driver,
      "storagePoolListVolumes",
      "virStoragePoolListVolumes",
      "STORAGE",
      this.ref,
    );
  }
  /** `virStoragePoolListAllVolumes`. */
  async listAllVolumes(flags = 0): Promise<StorageVolume[]> {
    const refs = await invoke(
      this.#o.driver,
      "storagePoolListAllVolumes",
      "virStoragePoolListAllVolumes",
      "STORAGE",
      this.ref,
      flags,
    );
    return refs.map((r) => new StorageVolume(this.#o, r));
  }
  /** `virStorageVolLookupByName`. */
  async lookupVolumeByName(name: string): Promise<StorageVolume> {
    const r = await invoke(
      this.#o.driver,
      "storageVolLookupByName",
      "virStorageVolLookupByName",
      "STORAGE",
      this.ref,
      name,
    );
    return new StorageVolume(this.#o, r);
  }
  /** `virStorageVolCreateXML`. */
  async createVolumeXML(xml: string, flags = 0): Promise<StorageVolume> {
    this.#rw("virStorageVolCreateXML");
    const r = await invoke(
      this.#o.driver,
      "storageVolCreateXML",
      "virStorageVolCreateXML",
      "STORAGE",
      this.ref,
      xml,
      flags,
    );
    return new StorageVolume(this.#o, r);
  }
  /** `virStorageVolCreateXMLFrom`. */
  async createVolumeXMLFrom(xml: string, clone: StorageVolume, flags = 0): Promise<StorageVolume> {
    this.#rw("virStorageVolCreateXMLFrom");
    const r = await invoke(
      this.#o.driver,
      "storageVolCreateXMLFrom",
      "virStorageVolCreateXMLFrom",
      "STORAGE",
      this.ref,
      xml,
      clone.ref,
      flags,
    );
    return new StorageVolume(this.#o, r);
  }
}

/**
 * A storage volume handle (`virStorageVolPtr`).
 *
 * @example
 * ```ts
 * import { connect } from "../mod.ts";
 * const conn = await connect("test:///default");
 * const pool = await conn.lookupStoragePoolByName("default-pool");
 * const vol = await pool.createVolumeXML(
 *   "<volume><name>a.img</name><capacity>1024</capacity></volume>",
 * );
 * console.log(await vol.getPath());
 * await conn.close();
 * ```
 */
export class StorageVolume {
  #o: HandleOwner;
  /** The wire reference. */
  readonly ref: StorageVolRef;
  constructor(owner: HandleOwner, ref: StorageVolRef) {
    this.#o = owner;
    this.ref = { ...ref };
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
  #rw(api: string) {
    denyReadOnly(this.#o.readonly, api, "STORAGE");
  }
  /** `virStorageVolDelete`. */
  async delete(flags = 0): Promise<void> {
    this.#rw("virStorageVolDelete");
    await invoke(
      this.#o.driver,
      "storageVolDelete",
      "virStorageVolDelete",
      "STORAGE",
      this.ref,
      flags,
    );
  }
  /** `virStorageVolWipe`. */
  async wipe(flags = 0): Promise<void> {
    this.#rw("virStorageVolWipe");
    await invoke(this.#o.driver, "storageVolWipe", "virStorageVolWipe", "STORAGE", this.ref, flags);
  }
  /** `virStorageVolGetInfo`. */
  getInfo(): Promise<StorageVolInfo> {
    return invoke(this.#o.driver, "storageVolGetInfo", "virStorageVolGetInfo", "STORAGE", this.ref);
  }
  /** `virStorageVolGetXMLDesc`. */
  getXMLDesc(flags = 0): Promise<string> {
    return invoke(
      this.#o.driver,
      "storageVolGetXMLDesc",
      "virStorageVolGetXMLDesc",
      "STORAGE",
      this.ref,
      flags,
    );
  }
  /** `virStorageVolGetPath`. */
  getPath(): Promise<string> {
    return invoke(this.#o.driver, "storageVolGetPath", "virStorageVolGetPath", "STORAGE", this.ref);
  }
  /** `virStorageVolResize`. */
  async resize(capacity: number, flags = 0): Promise<void> {
    this.#rw("virStorageVolResize");
    await invoke(
      this.#o.driver,
      "storageVolResize",
      "virStorageVolResize",
      "STORAGE",
      this.ref,
      capacity,
      flags,
    );
  }
}

/**
 * A host device handle (`virNodeDevicePtr`).
 *
 * @example
 * ```ts
 * import { connect } from "../mod.ts";
 * const conn = await connect("test:///default");
 * const devs = await conn.listAllNodeDevices();
 * console.log(devs.map((d) => d.name));
 * await conn.close();
 * ```
 */
export class NodeDevice {
  #o: HandleOwner;
  /** The wire reference. */
  readonly ref: NodeDeviceRef;
  constructor(owner: HandleOwner, ref: NodeDeviceRef) {
    this.#o = owner;
    this.ref = { ...ref };
  }
  /** The device's name. */
  get name(): string {
    return this.ref.name;
  }
  #rw(api: string) {
    denyReadOnly(this.#o.readonly, api, "NODEDEV");
  }
  /** `virNodeDeviceGetXMLDesc`. */
  getXMLDesc(flags = 0): Promise<string> {
    return invoke(
      this.#o.driver,
      "nodeDeviceGetXMLDesc",
      "virNodeDeviceGetXMLDesc",
      "NODEDEV",
      this.ref,
      flags,
    );
  }
  /** `virNodeDeviceGetParent`. */
  getParent(): Promise<string | null> {
    return invoke(
      this.#o.driver,
      "nodeDeviceGetParent",
      "virNodeDeviceGetParent",
      "NODEDEV",
      this.ref,
    );
  }
  /** `virNodeDeviceNumOfCaps`. */
  numOfCaps(): Promise<number> {
    return invoke(
      this.#o.driver,
      "nodeDeviceNumOfCaps",
      "virNodeDeviceNumOfCaps",
      "NODEDEV",
      this.ref,
    );
  }
  /** `virNodeDeviceListCaps`. */
  listCaps(): Promise<string[]> {
    return invoke(
      this.#o.driver,
      "nodeDeviceListCaps",
      "virNodeDeviceListCaps",
      "NODEDEV",
      this.ref,
    );
  }
  /** `virNodeDeviceDestroy`. */
  async destroy(): Promise<void> {
    this.#rw("virNodeDeviceDestroy");
    await invoke(this.#o.driver, "nodeDeviceDestroy", "virNodeDeviceDestroy", "NODEDEV", this.ref);
  }
  /** `virNodeDeviceIsActive`. */
  isActive(): Promise<boolean> {
    return invoke(
      this.#o.driver,
      "nodeDeviceIsActive",
      "virNodeDeviceIsActive",
      "NODEDEV",
      this.ref,
    );
  }
  /** `virNodeDeviceIsPersistent`. */
  isPersistent(): Promise<boolean> {
    return invoke(
      this.#o.driver,
      "nodeDeviceIsPersistent",
      "virNodeDeviceIsPersistent",
      "NODEDEV",
      this.ref,
    );
  }
}

/**
 * A host interface handle (`virInterfacePtr`).
 *
 * @example
 * ```ts
 * import { connect } from "../mod.ts";
 * const conn = await connect("test:///default");
 * const eth1 = await conn.lookupInterfaceByName("eth1");
 * console.log(eth1.mac);
 * await conn.close();
 * ```
 */
export class Interface {
  #o: HandleOwner;
  /** The wire reference. */
  readonly ref: InterfaceRef;
  constructor(owner: HandleOwner, ref: InterfaceRef) {
    this.#o = owner;
    this.ref = { ...ref };
  }
  /** The interface's name. */
  get name(): string {
    return this.ref.name;
  }
  /** The interface's MAC address. */
  get mac(): string {
    return this.ref.mac;
  }
  #rw(api: string) {
    denyReadOnly(this.#o.readonly, api, "INTERFACE");
  }
  /** `virInterfaceGetXMLDesc`. */
  getXMLDesc(flags = 0): Promise<string> {
    return invoke(
      this.#o.driver,
      "interfaceGetXMLDesc",
      "virInterfaceGetXMLDesc",
      "INTERFACE",
      this.ref,
      flags,
    );
  }
  /** `virInterfaceUndefine`. */
  async undefine(): Promise<void> {
    this.#rw("virInterfaceUndefine");
    await invoke(
      this.#o.driver,
      "interfaceUndefine",
      "virInterfaceUndefine",
      "INTERFACE",
      this.ref,
    );
  }
  /** `virInterfaceCreate`. */
  async create(flags = 0): Promise<void> {
    this.#rw("virInterfaceCreate");
    await invoke(
      this.#o.driver,
      "interfaceCreate",
      "virInterfaceCreate",
      "INTERFACE",
      this.ref,
      flags,
    );
  }
  /** `virInterfaceDestroy`. */
  async destroy(flags = 0): Promise<void> {
    this.#rw("virInterfaceDestroy");
    await invoke(
      this.#o.driver,
      "interfaceDestroy",
      "virInterfaceDestroy",
      "INTERFACE",
      this.ref,
      flags,
    );
  }
  /** `virInterfaceIsActive`. */
  isActive(): Promise<boolean> {
    return invoke(
      this.#o.driver,
      "interfaceIsActive",
      "virInterfaceIsActive",
      "INTERFACE",
      this.ref,
    );
  }
}

/**
 * A secret handle (`virSecretPtr`).
 *
 * @example
 * ```ts
 * import { connect } from "../mod.ts";
 * const conn = await connect("test:///default");
 * await conn.listAllSecrets().catch((e) => console.log(e.message)); // no secret driver
 * await conn.close();
 * ```
 */
export class Secret {
  #o: HandleOwner;
  /** The wire reference. */
  readonly ref: SecretRef;
  constructor(owner: HandleOwner, ref: SecretRef) {
    this.#o = owner;
    this.ref = { ...ref };
  }
  /** The secret's UUID. */
  get uuid(): string {
    return this.ref.uuid;
  }
  #rw(api: string) {
    denyReadOnly(this.#o.readonly, api, "SECRET");
  }
  /** `virSecretGetXMLDesc`. */
  getXMLDesc(flags = 0): Promise<string> {
    return invoke(
      this.#o.driver,
      "secretGetXMLDesc",
      "virSecretGetXMLDesc",
      "SECRET",
      this.ref,
      flags,
    );
  }
  /** `virSecretSetValue`. */
  async setValue(value: Uint8Array, flags = 0): Promise<void> {
    this.#rw("virSecretSetValue");
    await invoke(
      this.#o.driver,
      "secretSetValue",
      "virSecretSetValue",
      "SECRET",
      this.ref,
      [...value],
      flags,
    );
  }
  /** `virSecretGetValue`. */
  async getValue(flags = 0): Promise<Uint8Array> {
    this.#rw("virSecretGetValue");
    return new Uint8Array(
      await invoke(
        this.#o.driver,
        "secretGetValue",
        "virSecretGetValue",
        "SECRET",
        this.ref,
        flags,
      ),
    );
  }
  /** `virSecretUndefine`. */
  async undefine(): Promise<void> {
    this.#rw("virSecretUndefine");
    await invoke(this.#o.driver, "secretUndefine", "virSecretUndefine", "SECRET", this.ref);
  }
}
