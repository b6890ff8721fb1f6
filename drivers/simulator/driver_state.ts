/**
 * The state behind a test driver connection (libvirt's `testDriver`): every object family,
 * the node description, the id counter and the event queue. `test:///default` shares one of
 * these between all its connections; a node file gets a private one per connection.
 *
 * @module
 */
import type { DriverEvent, NodeInfo } from "../../util/driver.ts";
import { EventHub } from "../../util/event_hub.ts";
import { type DomainObj, isActive } from "./domain_obj.ts";
import { KeyedTable } from "./keyed_table.ts";
import type {
  InterfaceDef,
  NetworkDef,
  NodeDeviceDef,
  StoragePoolDef,
  StorageVolDef,
} from "./conf_adapters.ts";

/** A network object (`virNetworkObj`). */
export interface NetworkObj {
  def: NetworkDef;
  newDef?: NetworkDef;
  name: string;
  uuid: string;
  active: boolean;
  persistent: boolean;
  autostart: boolean;
}

/** A storage pool object (`virStoragePoolObj`) with its volumes. */
export interface PoolObj {
  def: StoragePoolDef;
  active: boolean;
  /** libvirt's "has a config file": defined pools, not pools made by createXML. */
  persistent: boolean;
  autostart: boolean;
  volumes: VolumeTable;
}

/** A pool's volumes, by name and, across pools, by key and path (`virStorageVolObjList`). */
export type VolumeTable = KeyedTable<StorageVolDef, "name" | "key" | "path">;

/**
 * An empty volume list for a new pool.
 *
 * @example
 * ```ts
 * import { newVolumeTable } from "./driver_state.ts";
 * newVolumeTable().size; // 0
 * ```
 */
export function newVolumeTable(): VolumeTable {
  return new KeyedTable({
    name: (v: StorageVolDef) => v.name,
    key: (v: StorageVolDef) => v.key,
    path: (v: StorageVolDef) => v.target.path,
  });
}

/** A host interface object (`virInterfaceObj`). */
export interface InterfaceObj {
  def: InterfaceDef;
  active: boolean;
}

/** A node device object (`virNodeDeviceObj`). */
export interface NodeDeviceObj {
  def: NodeDeviceDef;
}

/** One NUMA cell of the fake host. */
export interface TestCell {
  /** Cell memory, KiB. */
  mem: number;
  /** Free memory, KiB. */
  freeMem: number;
  numCpus: number;
}

/** A user of the node file's `<auth>` section. */
export interface TestAuthUser {
  username: string;
  password?: string;
}

/**
 * Everything one test driver instance holds.
 *
 * @example
 * ```ts
 * import { TestDriverState } from "./driver_state.ts";
 * const state = new TestDriverState();
 * console.log(state.allocateId()); // 1
 * ```
 */
export class TestDriverState {
  /** libvirt's `defaultNodeInfo`; a node file's `<cpu>` and `<memory>` override parts. */
  nodeInfo: NodeInfo = {
    model: "i686",
    memory: 3 * 1024 * 1024,
    cpus: 16,
    mhz: 1400,
    nodes: 2,
    sockets: 2,
    cores: 2,
    threads: 2,
  };
  cells: TestCell[] = [];
  auths: TestAuthUser[] = [];
  /** Domains by canonical UUID, name and, while active, id (`virDomainObjList`). */
  readonly domains = new KeyedTable({
    uuid: (d: DomainObj) => d.def.uuid,
    name: (d: DomainObj) => d.def.name,
    id: (d: DomainObj) => isActive(d) ? d.def.id : undefined,
  });
  readonly networks = new KeyedTable({
    uuid: (n: NetworkObj) => n.uuid,
    name: (n: NetworkObj) => n.name,
  });
  readonly pools = new KeyedTable({
    uuid: (p: PoolObj) => p.def.uuid,
    name: (p: PoolObj) => p.def.name,
  });
  /** Interfaces by name and by lower-case MAC, which several may share. */
  readonly ifaces = new KeyedTable({
    name: (i: InterfaceObj) => i.def.name,
    mac: (i: InterfaceObj) => i.def.mac?.toLowerCase(),
  });
  /** The interfaces as they were at `interfaceChangeBegin`, while a transaction runs. */
  ifaceBackup?: InterfaceObj[];
  readonly devices = new KeyedTable({ name: (d: NodeDeviceObj) => d.def.name });
  #nextDomId = 1;
  readonly events: EventHub<DriverEvent> = new EventHub<DriverEvent>();

  /** The next domain id; ids are never reused while this state lives. */
  allocateId(): number {
    return this.#nextDomId++;
  }

  /** Queues an event for every connection sharing this state. */
  emit(ev: DriverEvent): void {
    this.events.emit(ev);
  }
}
