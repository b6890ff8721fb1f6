/**
 * The state behind a test driver connection (libvirt's `testDriver`): every object family,
 * the node description, the id counter and the event queue. `test:///default` shares one of
 * these between all its connections; a node file gets a private one per connection.
 *
 * @module
 */
import type { DriverEvent, NodeInfo } from "../../util/driver.ts";
import { EventHub } from "../../util/event_hub.ts";
import { type DomainObj, newDomainObj } from "../../conf/objects/domain_obj.ts";
import { DomainObjList } from "../../conf/objects/domain_obj_list.ts";
import { type InterfaceObj, InterfaceObjList } from "../../conf/objects/interface_obj.ts";
import { NetworkObjList } from "../../conf/objects/network_obj.ts";
import { NodeDeviceObjList } from "../../conf/objects/node_device_obj.ts";
import { StoragePoolObjList } from "../../conf/objects/storage_pool_obj.ts";
import type { DomainDef } from "../../conf/domain/def.ts";

/** A domain as the test driver keeps it: libvirt's object plus the test driver's private data. */
export interface TestDomainObj extends DomainObj {
  /** Guest clock for get/setTime; also drives getControlInfo's fake job states. */
  seconds: number;
  nseconds: number;
  /** Freeze state of the two fake file systems `/` and `/boot`. */
  frozen: [boolean, boolean];
  /** `priv->iothreads`: polling parameters of the IOThreads added by API (or loaded). */
  iothreadPolls: IOThreadPoll[];
}

/** `testIOThreadInfo`: an IOThread's polling parameters. */
export interface IOThreadPoll {
  id: number;
  pollMaxNs: number;
  pollGrow: number;
  pollShrink: number;
}

/** `virDomainObjNew` with the test driver's private data. */
function newTestDomainObj(def: DomainDef): TestDomainObj {
  return {
    ...newDomainObj(def),
    seconds: 627319920,
    nseconds: 0,
    frozen: [false, false],
    iothreadPolls: [],
  };
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
  readonly domains = new DomainObjList(newTestDomainObj);
  readonly networks = new NetworkObjList();
  readonly pools = new StoragePoolObjList();
  /** Interfaces by name and by lower-case MAC, which several may share. */
  readonly ifaces = new InterfaceObjList();
  /** The interfaces as they were at `interfaceChangeBegin`, while a transaction runs. */
  ifaceBackup?: InterfaceObj[];
  readonly devices = new NodeDeviceObjList();
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
