/**
 * The state behind a test driver connection (libvirt's `testDriver`): every object family,
 * the node description, the id counter and the event queue. `test:///default` shares one of
 * these between all its connections; a node file gets a private one per connection.
 *
 * @module
 */
import type { DriverEvent, NodeInfo } from "../../util/driver.ts";
import { EventHub } from "../../util/event_hub.ts";
import type { DomainObj } from "./domain_obj.ts";
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
  volumes: StorageVolDef[];
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
  domains: DomainObj[] = [];
  networks: NetworkObj[] = [];
  pools: PoolObj[] = [];
  ifaces: InterfaceObj[] = [];
  /** The interfaces as they were at `interfaceChangeBegin`, while a transaction runs. */
  ifaceBackup?: InterfaceObj[];
  devices: NodeDeviceObj[] = [];
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
