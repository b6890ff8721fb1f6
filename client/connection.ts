import type {
  DomainRef,
  DriverConnection,
  DriverEvent,
  DriverMethod,
  EventFamily,
  NodeInfo,
  SecurityModel,
  TypedParams,
} from "../util/driver.ts";
import { FAMILIES, type FamilyName } from "../util/contract/contract.ts";
import type { ApiFamily } from "../util/contract/declare.ts";
import { EventHub } from "../util/event_hub.ts";
import { VirError } from "../util/errors.ts";
import { LIBVIRT_VERSION } from "../util/lib_version.ts";
import { parseUUID } from "../util/uuid.ts";
import { Domain } from "./domain.ts";
import { callDriver, type DriverArgs, type DriverResult } from "./handle.ts";
import { Stream } from "./stream.ts";
import { Interface, Network, NodeDevice, Secret, StoragePool, StorageVolume } from "./objects.ts";

/** An event as the public API delivers it: the driver event with a live object handle. */
export interface ConnectionEvent {
  /** The object family the event is about. */
  family: EventFamily;
  /** The family's event id (`VIR_DOMAIN_EVENT_ID_LIFECYCLE`, …). */
  eventId: number;
  /** Handle of the object the event is about (Domain, Network, StoragePool, NodeDevice, Secret). */
  object: Domain | Network | StoragePool | NodeDevice | Secret;
  /** The event's details, as the driver reports them. */
  data: Record<string, unknown>;
}

/** What to listen to: a family, optionally one event id and one object (by name or UUID). */
export interface EventFilter {
  /** Only events of this object family. */
  family?: EventFamily;
  /** Only this event id. */
  eventId?: number;
  /** Only events about the object of this name. */
  name?: string;
  /** Only events about the object of this UUID (any case). */
  uuid?: string;
}

/** The secondary event families: the driver family that registers them and libvirt's API. */
const EVENT_REGISTER: Partial<Record<EventFamily, { driver: FamilyName; api: string }>> = {
  network: { driver: "network", api: "virConnectNetworkEventRegisterAny" },
  storage_pool: { driver: "storage", api: "virConnectStoragePoolEventRegisterAny" },
  node_device: { driver: "nodedev", api: "virConnectNodeDeviceEventRegisterAny" },
  secret: { driver: "secret", api: "virConnectSecretEventRegisterAny" },
};

/**
 * A connection to a hypervisor, local or through the gateway (libvirt's `virConnectPtr`).
 * Method names are libvirt's in camelCase; every call is async and fails with a `VirError`
 * carrying libvirt's code, domain and message.
 *
 * @example
 * ```ts
 * import { connect } from "../host.ts";
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

  /** Wraps an open driver connection; use {@link connect} rather than this. */
  constructor(driver: DriverConnection, uri: string, readonly = false) {
    this.driver = driver;
    this.uri = uri;
    this.readonly = readonly;
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

  /**
   * Any call of the driver contract by its driver method name, with libvirt's checks first —
   * what every handle method does. A call declared in `util/contract/` is usable here (and
   * through the gateway) before any handle method wraps it.
   *
   * @example
   * ```ts
   * import { connect } from "../mod.ts";
   * const conn = await connect("test:///default");
   * const ref = await conn.call("domainLookupByName", "test");
   * console.log((await conn.call("domainGetInfo", ref)).nrVirtCpu); // 2
   * await conn.close();
   * ```
   */
  call<M extends DriverMethod>(method: M, ...args: DriverArgs<M>): DriverResult<M> {
    return callDriver(this, method, ...args);
  }

  // ---- host ----
  /** `virStreamNew`: a stream for a stream call of this connection to bind. */
  newStream(flags = 0): Stream {
    return new Stream(this, flags);
  }
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
    return callDriver(this, "connectGetVersion");
  }
  /** `virConnectGetLibVersion`: the libvirt version edgevirt matches (9.0.0). */
  async getLibVersion(): Promise<number> {
    return this.driver.connectGetLibVersion
      ? await this.driver.connectGetLibVersion()
      : LIBVIRT_VERSION;
  }
  /** `virConnectGetHostname`. */
  getHostname(): Promise<string> {
    return callDriver(this, "connectGetHostname");
  }
  /** `virConnectGetMaxVcpus`. */
  getMaxVcpus(type: string | null = null): Promise<number> {
    return callDriver(this, "connectGetMaxVcpus", type);
  }
  /** `virConnectGetCapabilities`. */
  getCapabilities(): Promise<string> {
    return callDriver(this, "connectGetCapabilities");
  }
  /** `virConnectGetDomainCapabilities`. */
  getDomainCapabilities(
    emulator: string | null = null,
    arch: string | null = null,
    machine: string | null = null,
    virttype: string | null = null,
    flags = 0,
  ): Promise<string> {
    return callDriver(
      this,
      "connectGetDomainCapabilities",
      emulator,
      arch,
      machine,
      virttype,
      flags,
    );
  }
  /** `virConnectGetCPUModelNames`: the CPU models libvirt knows for `arch`. */
  getCPUModelNames(arch: string, flags = 0): Promise<string[]> {
    return callDriver(this, "connectGetCPUModelNames", arch, flags);
  }
  /** `virConnectGetSysinfo`. */
  getSysinfo(flags = 0): Promise<string> {
    return callDriver(this, "connectGetSysinfo", flags);
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
    return callDriver(this, "nodeGetInfo");
  }
  /** `virNodeGetCellsFreeMemory`, bytes per cell. */
  getCellsFreeMemory(startCell = 0, maxCells = 64): Promise<number[]> {
    return callDriver(this, "nodeGetCellsFreeMemory", startCell, maxCells);
  }
  /** `virNodeGetFreeMemory`, bytes. */
  getFreeMemory(): Promise<number> {
    return callDriver(this, "nodeGetFreeMemory");
  }
  /** `virNodeGetSecurityModel`: the host's security model and DOI. */
  getSecurityModel(): Promise<SecurityModel> {
    return callDriver(this, "nodeGetSecurityModel");
  }
  /** `virNodeGetCPUMap`: which host CPUs are online, and how many. */
  getCPUMap(flags = 0): Promise<{ map: boolean[]; online: number }> {
    return callDriver(this, "nodeGetCPUMap", flags);
  }
  /** `virNodeGetMemoryParameters`: the host's KSM tunables (`shm_pages_to_scan`, …). */
  getMemoryParameters(flags = 0): Promise<TypedParams> {
    return callDriver(this, "nodeGetMemoryParameters", flags);
  }
  /** `virNodeSetMemoryParameters`. */
  async setMemoryParameters(params: TypedParams, flags = 0): Promise<void> {
    await callDriver(this, "nodeSetMemoryParameters", params, flags);
  }
  /** `virNodeAllocPages`: sets (or adds) huge page pools; the number of cells changed. */
  allocPages(
    pageSizes: number[],
    pageCounts: number[],
    startCell = 0,
    cellCount = 0,
    flags = 0,
  ): Promise<number> {
    return callDriver(this, "nodeAllocPages", pageSizes, pageCounts, startCell, cellCount, flags);
  }
  /** `virNodeGetSEVInfo`: the host's AMD SEV parameters. */
  getSEVInfo(flags = 0): Promise<TypedParams> {
    return callDriver(this, "nodeGetSEVInfo", flags);
  }
  /** `virNodeSuspendForDuration`: suspends the host to `target` for `duration` seconds. */
  async suspendForDuration(target: number, duration: number, flags = 0): Promise<void> {
    await callDriver(this, "nodeSuspendForDuration", target, duration, flags);
  }
  /** `virConnectGetStoragePoolCapabilities`: the pool types and formats the host supports. */
  getStoragePoolCapabilities(flags = 0): Promise<string> {
    return callDriver(this, "connectGetStoragePoolCapabilities", flags);
  }
  /** `virConnectDomainXMLFromNative`: a domain XML from a native configuration. */
  domainXMLFromNative(nativeFormat: string, nativeConfig: string, flags = 0): Promise<string> {
    return callDriver(this, "connectDomainXMLFromNative", nativeFormat, nativeConfig, flags);
  }
  /** `virConnectDomainXMLToNative`: a domain XML as a native configuration. */
  domainXMLToNative(nativeFormat: string, domainXml: string, flags = 0): Promise<string> {
    return callDriver(this, "connectDomainXMLToNative", nativeFormat, domainXml, flags);
  }
  /** `virConnectSetIdentity`: the identity the daemon acts for (privileged callers only). */
  async setIdentity(params: TypedParams, flags = 0): Promise<void> {
    await callDriver(this, "connectSetIdentity", params, flags);
  }

  // ---- domains ----
  /** `virConnectListAllDomains`. */
  async listAllDomains(flags = 0): Promise<Domain[]> {
    return (await callDriver(this, "connectListAllDomains", flags)).map(this.#dom);
  }
  /** `virConnectListDomains`: ids of running domains. */
  listDomainsID(): Promise<number[]> {
    return callDriver(this, "connectListDomains");
  }
  /** `virConnectNumOfDomains`. */
  numOfDomains(): Promise<number> {
    return callDriver(this, "connectNumOfDomains");
  }
  /** `virConnectListDefinedDomains`: names of inactive domains. */
  listDefinedDomains(): Promise<string[]> {
    return callDriver(this, "connectListDefinedDomains");
  }
  /** `virConnectNumOfDefinedDomains`. */
  numOfDefinedDomains(): Promise<number> {
    return callDriver(this, "connectNumOfDefinedDomains");
  }
  /** `virDomainLookupByName`. */
  async lookupDomainByName(name: string): Promise<Domain> {
    return this.#dom(await callDriver(this, "domainLookupByName", name));
  }
  /** `virDomainLookupByUUIDString`: a malformed UUID is libvirt's "Invalid UUID". */
  async lookupDomainByUUID(uuid: string): Promise<Domain> {
    const id = parseUUID(uuid);
    if (!id) throw VirError.bare("DOMAIN", "INVALID_ARG", "Invalid UUID");
    return this.#dom(await callDriver(this, "domainLookupByUUID", id));
  }
  /** `virDomainLookupByID`. */
  async lookupDomainByID(id: number): Promise<Domain> {
    return this.#dom(await callDriver(this, "domainLookupByID", id));
  }
  /** `virDomainDefineXML`. */
  defineXML(xml: string): Promise<Domain> {
    return this.defineXMLFlags(xml, 0);
  }
  /** `virDomainDefineXMLFlags`. */
  async defineXMLFlags(xml: string, flags = 0): Promise<Domain> {
    return this.#dom(await callDriver(this, "domainDefineXMLFlags", xml, flags));
  }
  /** `virDomainCreateXML`: a transient domain, started. */
  async createXML(xml: string, flags = 0): Promise<Domain> {
    return this.#dom(await callDriver(this, "domainCreateXML", xml, flags));
  }
  /** `virDomainCreateXMLWithFiles`: a transient domain, started with file descriptors. */
  async createXMLWithFiles(xml: string, files: number[], flags = 0): Promise<Domain> {
    return this.#dom(
      await callDriver(this, "domainCreateXMLWithFiles", xml, files, flags),
    );
  }
  /** `virDomainRestore`. */
  restore(from: string): Promise<void> {
    return this.restoreFlags(from, null, 0);
  }
  /** `virDomainRestoreFlags`. */
  async restoreFlags(from: string, dxml: string | null = null, flags = 0): Promise<void> {
    await callDriver(this, "domainRestoreFlags", from, dxml, flags);
  }
  /** `virDomainRestoreParams`: restores the image `params` (`file`, `dxml`) name. */
  async restoreParams(params: TypedParams, flags = 0): Promise<void> {
    await callDriver(this, "domainRestoreParams", params, flags);
  }

  // ---- networks ----
  /** `virConnectListAllNetworks`. */
  async listAllNetworks(flags = 0): Promise<Network[]> {
    const refs = await callDriver(this, "connectListAllNetworks", flags);
    return refs.map((r) => new Network(this, r));
  }
  /** `virConnectListNetworks`. */
  listNetworks(): Promise<string[]> {
    return callDriver(this, "connectListNetworks");
  }
  /** `virConnectListDefinedNetworks`. */
  listDefinedNetworks(): Promise<string[]> {
    return callDriver(this, "connectListDefinedNetworks");
  }
  /** `virConnectNumOfNetworks`: active networks. */
  numOfNetworks(): Promise<number> {
    return callDriver(this, "connectNumOfNetworks");
  }
  /** `virConnectNumOfDefinedNetworks`: inactive networks. */
  numOfDefinedNetworks(): Promise<number> {
    return callDriver(this, "connectNumOfDefinedNetworks");
  }
  /** `virNetworkLookupByName`. */
  async lookupNetworkByName(name: string): Promise<Network> {
    return new Network(this, await callDriver(this, "networkLookupByName", name));
  }
  /** `virNetworkLookupByUUIDString`. */
  async lookupNetworkByUUID(uuid: string): Promise<Network> {
    uuid = validUUID(uuid, "NETWORK", "virNetworkLookupByUUIDString");
    return new Network(this, await callDriver(this, "networkLookupByUUID", uuid));
  }
  /** `virNetworkDefineXML`. */
  defineNetworkXML(xml: string): Promise<Network> {
    return this.defineNetworkXMLFlags(xml, 0);
  }
  /** `virNetworkDefineXMLFlags`. */
  async defineNetworkXMLFlags(xml: string, flags = 0): Promise<Network> {
    const r = await callDriver(this, "networkDefineXMLFlags", xml, flags);
    return new Network(this, r);
  }
  /** `virNetworkCreateXML`. */
  async createNetworkXML(xml: string, flags = 0): Promise<Network> {
    return new Network(this, await callDriver(this, "networkCreateXML", xml, flags));
  }

  // ---- storage ----
  /** `virConnectListAllStoragePools`. */
  async listAllStoragePools(flags = 0): Promise<StoragePool[]> {
    const refs = await callDriver(this, "connectListAllStoragePools", flags);
    return refs.map((r) => new StoragePool(this, r));
  }
  /** `virConnectListStoragePools`. */
  listStoragePools(): Promise<string[]> {
    return callDriver(this, "connectListStoragePools");
  }
  /** `virConnectListDefinedStoragePools`. */
  listDefinedStoragePools(): Promise<string[]> {
    return callDriver(this, "connectListDefinedStoragePools");
  }
  /** `virConnectNumOfStoragePools`: active pools. */
  numOfStoragePools(): Promise<number> {
    return callDriver(this, "connectNumOfStoragePools");
  }
  /** `virConnectNumOfDefinedStoragePools`: inactive pools. */
  numOfDefinedStoragePools(): Promise<number> {
    return callDriver(this, "connectNumOfDefinedStoragePools");
  }
  /** `virStoragePoolLookupByName`. */
  async lookupStoragePoolByName(name: string): Promise<StoragePool> {
    const r = await callDriver(this, "storagePoolLookupByName", name);
    return new StoragePool(this, r);
  }
  /** `virStoragePoolLookupByUUIDString`. */
  async lookupStoragePoolByUUID(uuid: string): Promise<StoragePool> {
    uuid = validUUID(uuid, "STORAGE", "virStoragePoolLookupByUUIDString");
    const r = await callDriver(this, "storagePoolLookupByUUID", uuid);
    return new StoragePool(this, r);
  }
  /** `virStoragePoolLookupByVolume`. */
  async lookupStoragePoolByVolume(vol: StorageVolume): Promise<StoragePool> {
    const r = await callDriver(this, "storagePoolLookupByVolume", vol.ref);
    return new StoragePool(this, r);
  }
  /** `virStoragePoolDefineXML`. */
  async defineStoragePoolXML(xml: string, flags = 0): Promise<StoragePool> {
    const r = await callDriver(this, "storagePoolDefineXML", xml, flags);
    return new StoragePool(this, r);
  }
  /** `virStoragePoolCreateXML`. */
  async createStoragePoolXML(xml: string, flags = 0): Promise<StoragePool> {
    const r = await callDriver(this, "storagePoolCreateXML", xml, flags);
    return new StoragePool(this, r);
  }
  /** `virConnectFindStoragePoolSources`. */
  findStoragePoolSources(type: string, srcSpec: string | null = null, flags = 0): Promise<string> {
    return callDriver(this, "connectFindStoragePoolSources", type, srcSpec, flags);
  }
  /** `virStorageVolLookupByKey`. */
  async lookupStorageVolByKey(key: string): Promise<StorageVolume> {
    const r = await callDriver(this, "storageVolLookupByKey", key);
    return new StorageVolume(this, r);
  }
  /** `virStorageVolLookupByPath`. */
  async lookupStorageVolByPath(path: string): Promise<StorageVolume> {
    const r = await callDriver(this, "storageVolLookupByPath", path);
    return new StorageVolume(this, r);
  }

  // ---- node devices ----
  /** `virConnectListAllNodeDevices`. */
  async listAllNodeDevices(flags = 0): Promise<NodeDevice[]> {
    const refs = await callDriver(this, "connectListAllNodeDevices", flags);
    return refs.map((r) => new NodeDevice(this, r));
  }
  /** `virNodeListDevices`. */
  listNodeDevices(cap: string | null = null, flags = 0): Promise<string[]> {
    return callDriver(this, "nodeListDevices", cap, flags);
  }
  /** `virNodeNumOfDevices`. */
  numOfNodeDevices(cap: string | null = null, flags = 0): Promise<number> {
    return callDriver(this, "nodeNumOfDevices", cap, flags);
  }
  /** `virNodeDeviceLookupByName`. */
  async lookupNodeDeviceByName(name: string): Promise<NodeDevice> {
    const r = await callDriver(this, "nodeDeviceLookupByName", name);
    return new NodeDevice(this, r);
  }
  /** `virNodeDeviceCreateXML`. */
  async createNodeDeviceXML(xml: string, flags = 0): Promise<NodeDevice> {
    const r = await callDriver(this, "nodeDeviceCreateXML", xml, flags);
    return new NodeDevice(this, r);
  }

  // ---- interfaces ----
  /** `virConnectListAllInterfaces`. */
  async listAllInterfaces(flags = 0): Promise<Interface[]> {
    const refs = await callDriver(this, "connectListAllInterfaces", flags);
    return refs.map((r) => new Interface(this, r));
  }
  /** `virConnectListInterfaces`. */
  listInterfaces(): Promise<string[]> {
    return callDriver(this, "connectListInterfaces");
  }
  /** `virConnectListDefinedInterfaces`. */
  listDefinedInterfaces(): Promise<string[]> {
    return callDriver(this, "connectListDefinedInterfaces");
  }
  /** `virConnectNumOfInterfaces`: active interfaces. */
  numOfInterfaces(): Promise<number> {
    return callDriver(this, "connectNumOfInterfaces");
  }
  /** `virConnectNumOfDefinedInterfaces`: inactive interfaces. */
  numOfDefinedInterfaces(): Promise<number> {
    return callDriver(this, "connectNumOfDefinedInterfaces");
  }
  /** `virInterfaceLookupByName`. */
  async lookupInterfaceByName(name: string): Promise<Interface> {
    const r = await callDriver(this, "interfaceLookupByName", name);
    return new Interface(this, r);
  }
  /** `virInterfaceLookupByMACString`. */
  async lookupInterfaceByMACString(mac: string): Promise<Interface> {
    const r = await callDriver(this, "interfaceLookupByMACString", mac);
    return new Interface(this, r);
  }
  /** `virInterfaceDefineXML`. */
  async defineInterfaceXML(xml: string, flags = 0): Promise<Interface> {
    const r = await callDriver(this, "interfaceDefineXML", xml, flags);
    return new Interface(this, r);
  }
  /** `virInterfaceChangeBegin`. */
  async interfaceChangeBegin(flags = 0): Promise<void> {
    await callDriver(this, "interfaceChangeBegin", flags);
  }
  /** `virInterfaceChangeCommit`. */
  async interfaceChangeCommit(flags = 0): Promise<void> {
    await callDriver(this, "interfaceChangeCommit", flags);
  }
  /** `virInterfaceChangeRollback`. */
  async interfaceChangeRollback(flags = 0): Promise<void> {
    await callDriver(this, "interfaceChangeRollback", flags);
  }

  // ---- secrets ----
  /** `virConnectListAllSecrets`. */
  async listAllSecrets(flags = 0): Promise<Secret[]> {
    const refs = await callDriver(this, "connectListAllSecrets", flags);
    return refs.map((r) => new Secret(this, r));
  }
  /** `virSecretLookupByUUIDString`. */
  async lookupSecretByUUID(uuid: string): Promise<Secret> {
    uuid = validUUID(uuid, "SECRET", "virSecretLookupByUUIDString");
    return new Secret(this, await callDriver(this, "secretLookupByUUID", uuid));
  }
  /** `virSecretDefineXML`. */
  async defineSecretXML(xml: string, flags = 0): Promise<Secret> {
    return new Secret(this, await callDriver(this, "secretDefineXML", xml, flags));
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
    const reg = filter.family && EVENT_REGISTER[filter.family];
    if (reg) {
      // libvirt registers through the family's driver: a connection without one
      // (test:///default has no secret driver) refuses the registration, as its other calls
      const fam: { calls: object; family: ApiFamily } = FAMILIES[reg.driver];
      if (!Object.keys(fam.calls).some((m) => m in this.driver)) {
        throw VirError.report(fam.family, "NO_SUPPORT", reg.api);
      }
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
   * import { connect } from "../host.ts";
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
