import type {
  DomainRef,
  DriverConnection,
  DriverEvent,
  EventFamily,
  NodeInfo,
  SecurityModel,
} from "../util/driver.ts";
import { EventHub } from "../util/event_hub.ts";
import { VirError } from "../util/errors.ts";
import { parseUUID } from "../util/uuid.ts";
import { Domain, saveFlagsExclusive } from "./domain.ts";
import { denyReadOnly, invoke } from "./invoke.ts";
import { Interface, Network, NodeDevice, Secret, StoragePool, StorageVolume } from "./objects.ts";

/** An event as the public API delivers it: the driver event with a live object handle. */
export interface ConnectionEvent {
  family: EventFamily;
  eventId: number;
  /** Handle of the object the event is about (Domain, Network, StoragePool, NodeDevice, Secret). */
  object: Domain | Network | StoragePool | NodeDevice | Secret;
  data: Record<string, unknown>;
}

/** What to listen to: a family, optionally one event id and one object (by name or UUID). */
export interface EventFilter {
  family?: EventFamily;
  eventId?: number;
  name?: string;
  uuid?: string;
}

/**
 * A connection to a hypervisor, local or through the gateway (libvirt's `virConnectPtr`).
 * Method names are libvirt's in camelCase; every call is async and fails with a `VirError`
 * carrying libvirt's code, domain and message.
 *
 * @example
 * ```ts
 * import { connect } from "../mod.ts";
 * const conn = await connect("test:///default");
 * for (const d of await conn.listAllDomains()) console.log(d.name, d.id);
 * await conn.close();
 * ```
 */
export class Connection {
  /** The driver this connection talks to. */
  readonly driver: DriverConnection;
  /** The URI as given to `connect()`. */
  readonly uri: string;
  /** Whether mutating calls are refused (VIR_CONNECT_RO). */
  readonly readonly: boolean;
  #hub = new EventHub<ConnectionEvent>();
  #unsubscribe?: () => void;
  #callbacks = new Map<number, () => void>();
  #nextCallback = 1;
  #closed = false;

  constructor(driver: DriverConnection, uri: string, readonly = false) {
    this.driver = driver;
    this.uri = uri;
    this.readonly = readonly;
  }

  #rw(
    api: string,
    family: "NONE" | "DOMAIN" | "NETWORK" | "STORAGE" | "NODEDEV" | "INTERFACE" | "SECRET",
  ) {
    denyReadOnly(this.readonly, api, family);
  }
  #dom = (r: DomainRef) => new Domain(this, r);

  /** `virConnectClose`: ends event delivery and releases the driver connection. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#unsubscribe?.();
    this.#callbacks.clear();
    await this.driver.connectClose();
  }

  // ---- host ----
  /** `virConnectGetType`. */
  getType(): string {
    return this.driver.type;
  }
  /** `virConnectGetURI`. */
  async getURI(): Promise<string> {
    return this.driver.connectGetURI ? await this.driver.connectGetURI() : this.uri;
  }
  /** `virConnectGetVersion`: the hypervisor version (major*1e6 + minor*1e3 + micro). */
  getVersion(): Promise<number> {
    return invoke(this.driver, "connectGetVersion", "virConnectGetVersion", "NONE");
  }
  /** `virConnectGetLibVersion`: the libvirt version edgevirt matches (9.0.0). */
  async getLibVersion(): Promise<number> {
    return this.driver.connectGetLibVersion ? await this.driver.connectGetLibVersion() : 9000000;
  }
  /** `virConnectGetHostname`. */
  getHostname(): Promise<string> {
    return invoke(this.driver, "connectGetHostname", "virConnectGetHostname", "NONE");
  }
  /** `virConnectGetMaxVcpus`. */
  getMaxVcpus(type: string | null = null): Promise<number> {
    return invoke(this.driver, "connectGetMaxVcpus", "virConnectGetMaxVcpus", "NONE", type);
  }
  /** `virConnectGetCapabilities`. */
  getCapabilities(): Promise<string> {
    return invoke(this.driver, "connectGetCapabilities", "virConnectGetCapabilities", "NONE");
  }
  /** `virConnectGetDomainCapabilities`. */
  getDomainCapabilities(
    emulator: string | null = null,
    arch: string | null = null,
    machine: string | null = null,
    virttype: string | null = null,
    flags = 0,
  ): Promise<string> {
    return invoke(
      this.driver,
      "connectGetDomainCapabilities",
      "virConnectGetDomainCapabilities",
      "DOMAIN",
      emulator,
      arch,
      machine,
      virttype,
      flags,
    );
  }
  /** `virConnectGetSysinfo`. */
  getSysinfo(flags = 0): Promise<string> {
    return invoke(this.driver, "connectGetSysinfo", "virConnectGetSysinfo", "NONE", flags);
  }
  /** `virConnectIsAlive`. */
  async isAlive(): Promise<boolean> {
    return !this.#closed &&
      (this.driver.connectIsAlive ? await this.driver.connectIsAlive() : true);
  }
  /** `virConnectIsSecure`. */
  async isSecure(): Promise<boolean> {
    return this.driver.connectIsSecure ? await this.driver.connectIsSecure() : true;
  }
  /** `virConnectIsEncrypted`. */
  async isEncrypted(): Promise<boolean> {
    return this.driver.connectIsEncrypted ? await this.driver.connectIsEncrypted() : false;
  }
  /** `virNodeGetInfo`. */
  getNodeInfo(): Promise<NodeInfo> {
    return invoke(this.driver, "nodeGetInfo", "virNodeGetInfo", "NONE");
  }
  /** `virNodeGetCellsFreeMemory`, bytes per cell. */
  getCellsFreeMemory(startCell = 0, maxCells = 64): Promise<number[]> {
    return invoke(
      this.driver,
      "nodeGetCellsFreeMemory",
      "virNodeGetCellsFreeMemory",
      "NONE",
      startCell,
      maxCells,
    );
  }
  /** `virNodeGetFreeMemory`, bytes. */
  getFreeMemory(): Promise<number> {
    return invoke(this.driver, "nodeGetFreeMemory", "virNodeGetFreeMemory", "NONE");
  }
  /** `virNodeGetSecurityModel`: the host's security model and DOI. */
  getSecurityModel(): Promise<SecurityModel> {
    return invoke(this.driver, "nodeGetSecurityModel", "virNodeGetSecurityModel", "NONE");
  }
  /** `virNodeGetCPUMap`: which host CPUs are online, and how many. */
  getCPUMap(flags = 0): Promise<{ map: boolean[]; online: number }> {
    return invoke(this.driver, "nodeGetCPUMap", "virNodeGetCPUMap", "NONE", flags);
  }

  // ---- domains ----
  /** `virConnectListAllDomains`. */
  async listAllDomains(flags = 0): Promise<Domain[]> {
    const refs = await invoke(
      this.driver,
      "connectListAllDomains",
      "virConnectListAllDomains",
      "DOMAIN",
      flags,
    );
    return refs.map(this.#dom);
  }
  /** `virConnectListDomains`: ids of running domains. */
  listDomainsID(): Promise<number[]> {
    return invoke(this.driver, "connectListDomains", "virConnectListDomains", "DOMAIN");
  }
  /** `virConnectNumOfDomains`. */
  numOfDomains(): Promise<number> {
    return invoke(this.driver, "connectNumOfDomains", "virConnectNumOfDomains", "DOMAIN");
  }
  /** `virConnectListDefinedDomains`: names of inactive domains. */
  listDefinedDomains(): Promise<string[]> {
    return invoke(
      this.driver,
      "connectListDefinedDomains",
      "virConnectListDefinedDomains",
      "DOMAIN",
    );
  }
  /** `virConnectNumOfDefinedDomains`. */
  numOfDefinedDomains(): Promise<number> {
    return invoke(
      this.driver,
      "connectNumOfDefinedDomains",
      "virConnectNumOfDefinedDomains",
      "DOMAIN",
    );
  }
  /** `virDomainLookupByName`. */
  async lookupDomainByName(name: string): Promise<Domain> {
    return this.#dom(
      await invoke(this.driver, "domainLookupByName", "virDomainLookupByName", "DOMAIN", name),
    );
  }
  /** `virDomainLookupByUUIDString`: a malformed UUID is libvirt's "Invalid UUID". */
  async lookupDomainByUUID(uuid: string): Promise<Domain> {
    const id = parseUUID(uuid);
    if (!id) throw VirError.bare("DOMAIN", "INVALID_ARG", "Invalid UUID");
    return this.#dom(
      await invoke(this.driver, "domainLookupByUUID", "virDomainLookupByUUID", "DOMAIN", id),
    );
  }
  /** `virDomainLookupByID`. */
  async lookupDomainByID(id: number): Promise<Domain> {
    if (id < 0) {
      throw VirError.bare(
        "DOMAIN",
        "INVALID_ARG",
        "id in virDomainLookupByID must be zero or greater",
      );
    }
    return this.#dom(
      await invoke(this.driver, "domainLookupByID", "virDomainLookupByID", "DOMAIN", id),
    );
  }
  /** `virDomainDefineXML`. */
  defineXML(xml: string): Promise<Domain> {
    return this.defineXMLFlags(xml, 0);
  }
  /** `virDomainDefineXMLFlags`. */
  async defineXMLFlags(xml: string, flags = 0): Promise<Domain> {
    this.#rw("virDomainDefineXMLFlags", "DOMAIN");
    return this.#dom(
      await invoke(
        this.driver,
        "domainDefineXMLFlags",
        "virDomainDefineXMLFlags",
        "DOMAIN",
        xml,
        flags,
      ),
    );
  }
  /** `virDomainCreateXML`: a transient domain, started. */
  async createXML(xml: string, flags = 0): Promise<Domain> {
    this.#rw("virDomainCreateXML", "DOMAIN");
    return this.#dom(
      await invoke(this.driver, "domainCreateXML", "virDomainCreateXML", "DOMAIN", xml, flags),
    );
  }
  /** `virDomainRestore`. */
  restore(from: string): Promise<void> {
    return this.restoreFlags(from, null, 0);
  }
  /** `virDomainRestoreFlags`. */
  async restoreFlags(from: string, dxml: string | null = null, flags = 0): Promise<void> {
    this.#rw("virDomainRestoreFlags", "DOMAIN");
    saveFlagsExclusive(flags);
    await invoke(
      this.driver,
      "domainRestoreFlags",
      "virDomainRestoreFlags",
      "DOMAIN",
      from,
      dxml,
      flags,
    );
  }

  // ---- networks ----
  /** `virConnectListAllNetworks`. */
  async listAllNetworks(flags = 0): Promise<Network[]> {
    const refs = await invoke(
      this.driver,
      "connectListAllNetworks",
      "virConnectListAllNetworks",
      "NETWORK",
      flags,
    );
    return refs.map((r) => new Network(this, r));
  }
  /** `virConnectListNetworks`. */
  listNetworks(): Promise<string[]> {
    return invoke(this.driver, "connectListNetworks", "virConnectListNetworks", "NETWORK");
  }
  /** `virConnectListDefinedNetworks`. */
  listDefinedNetworks(): Promise<string[]> {
    return invoke(
      this.driver,
      "connectListDefinedNetworks",
      "virConnectListDefinedNetworks",
      "NETWORK",
    );
  }
  /** `virConnectNumOfNetworks`: active networks. */
  numOfNetworks(): Promise<number> {
    return invoke(this.driver, "connectNumOfNetworks", "virConnectNumOfNetworks", "NETWORK");
  }
  /** `virConnectNumOfDefinedNetworks`: inactive networks. */
  numOfDefinedNetworks(): Promise<number> {
    return invoke(
      this.driver,
      "connectNumOfDefinedNetworks",
      "virConnectNumOfDefinedNetworks",
      "NETWORK",
    );
  }
  /** `virNetworkLookupByName`. */
  async lookupNetworkByName(name: string): Promise<Network> {
    const r = await invoke(
      this.driver,
      "networkLookupByName",
      "virNetworkLookupByName",
      "NETWORK",
      name,
    );
    return new Network(this, r);
  }
  /** `virNetworkLookupByUUIDString`. */
  async lookupNetworkByUUID(uuid: string): Promise<Network> {
    uuid = validUUID(uuid, "NETWORK", "virNetworkLookupByUUIDString");
    const r = await invoke(
      this.driver,
      "networkLookupByUUID",
      "virNetworkLookupByUUID",
      "NETWORK",
      uuid,
    );
    return new Network(this, r);
  }
  /** `virNetworkDefineXML`. */
  defineNetworkXML(xml: string): Promise<Network> {
    return this.defineNetworkXMLFlags(xml, 0);
  }
  /** `virNetworkDefineXMLFlags`. */
  async defineNetworkXMLFlags(xml: string, flags = 0): Promise<Network> {
    this.#rw("virNetworkDefineXMLFlags", "NETWORK");
    const r = await invoke(
      this.driver,
      "networkDefineXMLFlags",
      "virNetworkDefineXMLFlags",
      "NETWORK",
      xml,
      flags,
    );
    return new Network(this, r);
  }
  /** `virNetworkCreateXML`. */
  async createNetworkXML(xml: string, flags = 0): Promise<Network> {
    this.#rw("virNetworkCreateXMLFlags", "NETWORK");
    const r = await invoke(
      this.driver,
      "networkCreateXML",
      "virNetworkCreateXML",
      "NETWORK",
      xml,
      flags,
    );
    return new Network(this, r);
  }

  // ---- storage ----
  /** `virConnectListAllStoragePools`. */
  async listAllStoragePools(flags = 0): Promise<StoragePool[]> {
    const refs = await invoke(
      this.driver,
      "connectListAllStoragePools",
      "virConnectListAllStoragePools",
      "STORAGE",
      flags,
    );
    return refs.map((r) => new StoragePool(this, r));
  }
  /** `virConnectListStoragePools`. */
  listStoragePools(): Promise<string[]> {
    return invoke(this.driver, "connectListStoragePools", "virConnectListStoragePools", "STORAGE");
  }
  /** `virConnectListDefinedStoragePools`. */
  listDefinedStoragePools(): Promise<string[]> {
    return invoke(
      this.driver,
      "connectListDefinedStoragePools",
      "virConnectListDefinedStoragePools",
      "STORAGE",
    );
  }
  /** `virConnectNumOfStoragePools`: active pools. */
  numOfStoragePools(): Promise<number> {
    return invoke(
      this.driver,
      "connectNumOfStoragePools",
      "virConnectNumOfStoragePools",
      "STORAGE",
    );
  }
  /** `virConnectNumOfDefinedStoragePools`: inactive pools. */
  numOfDefinedStoragePools(): Promise<number> {
    return invoke(
      this.driver,
      "connectNumOfDefinedStoragePools",
      "virConnectNumOfDefinedStoragePools",
      "STORAGE",
    );
  }
  /** `virStoragePoolLookupByName`. */
  async lookupStoragePoolByName(name: string): Promise<StoragePool> {
    const r = await invoke(
      this.driver,
      "storagePoolLookupByName",
      "virStoragePoolLookupByName",
      "STORAGE",
      name,
    );
    return new StoragePool(this, r);
  }
  /** `virStoragePoolLookupByUUIDString`. */
  async lookupStoragePoolByUUID(uuid: string): Promise<StoragePool> {
    uuid = validUUID(uuid, "STORAGE", "virStoragePoolLookupByUUIDString");
    const r = await invoke(
      this.driver,
      "storagePoolLookupByUUID",
      "virStoragePoolLookupByUUID",
      "STORAGE",
      uuid,
    );
    return new StoragePool(this, r);
  }
  /** `virStoragePoolLookupByVolume`. */
  async lookupStoragePoolByVolume(vol: StorageVolume): Promise<StoragePool> {
    const r = await invoke(
      this.driver,
      "storagePoolLookupByVolume",
      "virStoragePoolLookupByVolume",
      "STORAGE",
      vol.ref,
    );
    return new StoragePool(this, r);
  }
  /** `virStoragePoolDefineXML`. */
  async defineStoragePoolXML(xml: string, flags = 0): Promise<StoragePool> {
    this.#rw("virStoragePoolDefineXML", "STORAGE");
    const r = await invoke(
      this.driver,
      "storagePoolDefineXML",
      "virStoragePoolDefineXML",
      "STORAGE",
      xml,
      flags,
    );
    return new StoragePool(this, r);
  }
  /** `virStoragePoolCreateXML`. */
  async createStoragePoolXML(xml: string, flags = 0): Promise<StoragePool> {
    this.#rw("virStoragePoolCreateXML", "STORAGE");
    const r = await invoke(
      this.driver,
      "storagePoolCreateXML",
      "virStoragePoolCreateXML",
      "STORAGE",
      xml,
      flags,
    );
    return new StoragePool(this, r);
  }
  /** `virConnectFindStoragePoolSources`. */
  findStoragePoolSources(type: string, srcSpec: string | null = null, flags = 0): Promise<string> {
    return invoke(
      this.driver,
      "connectFindStoragePoolSources",
      "virConnectFindStoragePoolSources",
      "STORAGE",
      type,
      srcSpec,
      flags,
    );
  }
  /** `virStorageVolLookupByKey`. */
  async lookupStorageVolByKey(key: string): Promise<StorageVolume> {
    const r = await invoke(
      this.driver,
      "storageVolLookupByKey",
      "virStorageVolLookupByKey",
      "STORAGE",
      key,
    );
    return new StorageVolume(this, r);
  }
  /** `virStorageVolLookupByPath`. */
  async lookupStorageVolByPath(path: string): Promise<StorageVolume> {
    const r = await invoke(
      this.driver,
      "storageVolLookupByPath",
      "virStorageVolLookupByPath",
      "STORAGE",
      path,
    );
    return new StorageVolume(this, r);
  }

  // ---- node devices ----
  /** `virConnectListAllNodeDevices`. */
  async listAllNodeDevices(flags = 0): Promise<NodeDevice[]> {
    const refs = await invoke(
      this.driver,
      "connectListAllNodeDevices",
      "virConnectListAllNodeDevices",
      "NODEDEV",
      flags,
    );
    return refs.map((r) => new NodeDevice(this, r));
  }
  /** `virNodeListDevices`. */
  listNodeDevices(cap: string | null = null, flags = 0): Promise<string[]> {
    return invoke(this.driver, "nodeListDevices", "virNodeListDevices", "NODEDEV", cap, flags);
  }
  /** `virNodeNumOfDevices`. */
  numOfNodeDevices(cap: string | null = null, flags = 0): Promise<number> {
    return invoke(this.driver, "nodeNumOfDevices", "virNodeNumOfDevices", "NODEDEV", cap, flags);
  }
  /** `virNodeDeviceLookupByName`. */
  async lookupNodeDeviceByName(name: string): Promise<NodeDevice> {
    const r = await invoke(
      this.driver,
      "nodeDeviceLookupByName",
      "virNodeDeviceLookupByName",
      "NODEDEV",
      name,
    );
    return new NodeDevice(this, r);
  }
  /** `virNodeDeviceCreateXML`. */
  async createNodeDeviceXML(xml: string, flags = 0): Promise<NodeDevice> {
    this.#rw("virNodeDeviceCreateXML", "NODEDEV");
    const r = await invoke(
      this.driver,
      "nodeDeviceCreateXML",
      "virNodeDeviceCreateXML",
      "NODEDEV",
      xml,
      flags,
    );
    return new NodeDevice(this, r);
  }

  // ---- interfaces ----
  /** `virConnectListAllInterfaces`. */
  async listAllInterfaces(flags = 0): Promise<Interface[]> {
    const refs = await invoke(
      this.driver,
      "connectListAllInterfaces",
      "virConnectListAllInterfaces",
      "INTERFACE",
      flags,
    );
    return refs.map((r) => new Interface(this, r));
  }
  /** `virConnectListInterfaces`. */
  listInterfaces(): Promise<string[]> {
    return invoke(this.driver, "connectListInterfaces", "virConnectListInterfaces", "INTERFACE");
  }
  /** `virConnectListDefinedInterfaces`. */
  listDefinedInterfaces(): Promise<string[]> {
    return invoke(
      this.driver,
      "connectListDefinedInterfaces",
      "virConnectListDefinedInterfaces",
      "INTERFACE",
    );
  }
  /** `virConnectNumOfInterfaces`: active interfaces. */
  numOfInterfaces(): Promise<number> {
    return invoke(
      this.driver,
      "connectNumOfInterfaces",
      "virConnectNumOfInterfaces",
      "INTERFACE",
    );
  }
  /** `virConnectNumOfDefinedInterfaces`: inactive interfaces. */
  numOfDefinedInterfaces(): Promise<number> {
    return invoke(
      this.driver,
      "connectNumOfDefinedInterfaces",
      "virConnectNumOfDefinedInterfaces",
      "INTERFACE",
    );
  }
  /** `virInterfaceLookupByName`. */
  async lookupInterfaceByName(name: string): Promise<Interface> {
    const r = await invoke(
      this.driver,
      "interfaceLookupByName",
      "virInterfaceLookupByName",
      "INTERFACE",
      name,
    );
    return new Interface(this, r);
  }
  /** `virInterfaceLookupByMACString`. */
  async lookupInterfaceByMACString(mac: string): Promise<Interface> {
    const r = await invoke(
      this.driver,
      "interfaceLookupByMACString",
      "virInterfaceLookupByMACString",
      "INTERFACE",
      mac,
    );
    return new Interface(this, r);
  }
  /** `virInterfaceDefineXML`. */
  async defineInterfaceXML(xml: string, flags = 0): Promise<Interface> {
    this.#rw("virInterfaceDefineXML", "INTERFACE");
    const r = await invoke(
      this.driver,
      "interfaceDefineXML",
      "virInterfaceDefineXML",
      "INTERFACE",
      xml,
      flags,
    );
    return new Interface(this, r);
  }
  /** `virInterfaceChangeBegin`. */
  async interfaceChangeBegin(flags = 0): Promise<void> {
    this.#rw("virInterfaceChangeBegin", "INTERFACE");
    await invoke(
      this.driver,
      "interfaceChangeBegin",
      "virInterfaceChangeBegin",
      "INTERFACE",
      flags,
    );
  }
  /** `virInterfaceChangeCommit`. */
  async interfaceChangeCommit(flags = 0): Promise<void> {
    this.#rw("virInterfaceChangeCommit", "INTERFACE");
    await invoke(
      this.driver,
      "interfaceChangeCommit",
      "virInterfaceChangeCommit",
      "INTERFACE",
      flags,
    );
  }
  /** `virInterfaceChangeRollback`. */
  async interfaceChangeRollback(flags = 0): Promise<void> {
    this.#rw("virInterfaceChangeRollback", "INTERFACE");
    await invoke(
      this.driver,
      "interfaceChangeRollback",
      "virInterfaceChangeRollback",
      "INTERFACE",
      flags,
    );
  }

  // ---- secrets ----
  /** `virConnectListAllSecrets`. */
  async listAllSecrets(flags = 0): Promise<Secret[]> {
    const refs = await invoke(
      this.driver,
      "connectListAllSecrets",
      "virConnectListAllSecrets",
      "SECRET",
      flags,
    );
    return refs.map((r) => new Secret(this, r));
  }
  /** `virSecretLookupByUUIDString`. */
  async lookupSecretByUUID(uuid: string): Promise<Secret> {
    uuid = validUUID(uuid, "SECRET", "virSecretLookupByUUIDString");
    const r = await invoke(
      this.driver,
      "secretLookupByUUID",
      "virSecretLookupByUUID",
      "SECRET",
      uuid,
    );
    return new Secret(this, r);
  }
  /** `virSecretDefineXML`. */
  async defineSecretXML(xml: string, flags = 0): Promise<Secret> {
    this.#rw("virSecretDefineXML", "SECRET");
    const r = await invoke(
      this.driver,
      "secretDefineXML",
      "virSecretDefineXML",
      "SECRET",
      xml,
      flags,
    );
    return new Secret(this, r);
  }

  // ---- events ----
  #ensureSubscribed(): void {
    if (this.#unsubscribe || !this.driver.subscribe) return;
    this.#unsubscribe = this.driver.subscribe((ev) => this.#hub.emit(this.#wrap(ev)));
  }

  #wrap(ev: DriverEvent): ConnectionEvent {
    const r = ev.ref as unknown as Record<string, unknown>;
    let object: ConnectionEvent["object"];
    switch (ev.family) {
      case "domain":
        object = new Domain(this, ev.ref as DomainRef);
        break;
      case "network":
        object = new Network(this, r as never);
        break;
      case "storage_pool":
        object = new StoragePool(this, r as never);
        break;
      case "node_device":
        object = new NodeDevice(this, r as never);
        break;
      default:
        object = new Secret(this, r as never);
    }
    return { family: ev.family, eventId: ev.eventId, object, data: ev.data };
  }

  /**
   * Registers a callback like `virConnectDomainEventRegisterAny` (and its network, pool,
   * node-device and secret twins); returns the callback id for {@link eventDeregisterAny}.
   */
  eventRegisterAny(filter: EventFilter, callback: (ev: ConnectionEvent) => void): number {
    if (!this.driver.subscribe) {
      throw VirError.report("NONE", "NO_SUPPORT", "virConnectDomainEventRegisterAny");
    }
    this.#ensureSubscribed();
    const id = this.#nextCallback++;
    this.#callbacks.set(id, this.#hub.on((ev) => matches(ev, filter) && callback(ev)));
    return id;
  }

  /** `virConnectDomainEventRegisterAny` for domain events (default: lifecycle). */
  domainEventRegisterAny(
    dom: Domain | null,
    eventId: number,
    callback: (ev: ConnectionEvent) => void,
  ): number {
    return this.eventRegisterAny({ family: "domain", eventId, uuid: dom?.uuid }, callback);
  }

  /** Removes a callback registered with {@link eventRegisterAny}. */
  eventDeregisterAny(callbackID: number): void {
    const off = this.#callbacks.get(callbackID);
    if (!off) {
      throw VirError.report(
        "NONE",
        "INVALID_ARG",
        `could not find event callback ${callbackID} for deletion`,
      );
    }
    off();
    this.#callbacks.delete(callbackID);
  }

  /**
   * Events as an async iterable, from now until `signal` aborts or the loop breaks.
   *
   * @example
   * ```ts
   * import { connect } from "../mod.ts";
   * const conn = await connect("test:///default");
   * const ac = new AbortController();
   * (async () => {
   *   for await (const ev of conn.events({ family: "domain" }, ac.signal)) console.log(ev.data);
   * })();
   * ac.abort();
   * await conn.close();
   * ```
   */
  async *events(filter: EventFilter = {}, signal?: AbortSignal): AsyncGenerator<ConnectionEvent> {
    this.#ensureSubscribed();
    for await (const ev of this.#hub.iterate(signal)) if (matches(ev, filter)) yield ev;
  }
}

function matches(ev: ConnectionEvent, f: EventFilter): boolean {
  if (f.family && ev.family !== f.family) return false;
  if (f.eventId !== undefined && ev.eventId !== f.eventId) return false;
  const o = ev.object as unknown as { name?: string; uuid?: string };
  if (f.name !== undefined && o.name !== f.name) return false;
  if (f.uuid !== undefined && o.uuid?.toLowerCase() !== f.uuid.toLowerCase()) return false;
  return true;
}

/**
 * The canonical form of a UUID string, or virCheckUUIDArg's error for the family's lookup API
 * ("uuidstr in virNetworkLookupByUUIDString must be a valid UUID").
 */
function validUUID(uuid: string, family: "NETWORK" | "STORAGE" | "SECRET", api: string): string {
  const id = parseUUID(uuid);
  if (!id) throw VirError.bare(family, "INVALID_ARG", `uuidstr in ${api} must be a valid UUID`);
  return id;
}
