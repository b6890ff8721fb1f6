/**
 * Snapshots of libvirt's test driver (testDomainSnapshot*, testDomainRevertToSnapshot): only
 * metadata, kept in a moment tree per domain; creating one captures the domain's definition and
 * state, reverting puts them back with the lifecycle events libvirt 9.0 queues.
 *
 * @module
 */
import {
  alignSnapshotDisks,
  formatSnapshotXML,
  isExternalSnapshot,
  isOnlineSnapshot,
  parseSnapshotXML,
  SNAPSHOT_STATES,
  type SnapshotDef,
} from "../../conf/snapshot/mod.ts";
import type { DomainRef, DriverConnection } from "../../util/driver.ts";
import { VIR } from "../../util/constants.ts";
import { checkFlags, VirError } from "../../util/errors.ts";
import { domainFromRef, emitLifecycle, shutdownState, startState } from "./domain_access.ts";
import { isActive } from "../../conf/objects/domain_obj.ts";
import type { TestDomainObj, TestDriverState } from "./driver_state.ts";
import { captureDomain, momentByName, parseMomentDomain } from "./moment_access.ts";
import { deleteMoment } from "../../conf/objects/moment_delete.ts";
import { type Moment, MOMENT_LIST } from "../../conf/objects/moment_list.ts";
import { methodTable } from "../../util/method_table.ts";

const E = VIR;
const FILTERS_LEAVES = E.DOMAIN_SNAPSHOT_LIST_LEAVES | E.DOMAIN_SNAPSHOT_LIST_NO_LEAVES;
const FILTERS_STATUS = E.DOMAIN_SNAPSHOT_LIST_INACTIVE | E.DOMAIN_SNAPSHOT_LIST_ACTIVE |
  E.DOMAIN_SNAPSHOT_LIST_DISK_ONLY;
const FILTERS_LOCATION = E.DOMAIN_SNAPSHOT_LIST_INTERNAL | E.DOMAIN_SNAPSHOT_LIST_EXTERNAL;
const FILTERS_ALL = FILTERS_LEAVES | FILTERS_STATUS | FILTERS_LOCATION |
  E.DOMAIN_SNAPSHOT_LIST_METADATA | E.DOMAIN_SNAPSHOT_LIST_NO_METADATA;
const LIST_FLAGS = E.DOMAIN_SNAPSHOT_LIST_ROOTS | E.DOMAIN_SNAPSHOT_LIST_TOPOLOGICAL |
  FILTERS_ALL;
const CHILD_FLAGS = E.DOMAIN_SNAPSHOT_LIST_DESCENDANTS | E.DOMAIN_SNAPSHOT_LIST_TOPOLOGICAL |
  FILTERS_ALL;
/** Public list flags and the moment-list flags they become. */
const TO_MOMENT: [number, number][] = [
  [E.DOMAIN_SNAPSHOT_LIST_ROOTS, MOMENT_LIST.ROOTS],
  [E.DOMAIN_SNAPSHOT_LIST_TOPOLOGICAL, MOMENT_LIST.TOPOLOGICAL],
  [E.DOMAIN_SNAPSHOT_LIST_LEAVES, MOMENT_LIST.LEAVES],
  [E.DOMAIN_SNAPSHOT_LIST_NO_LEAVES, MOMENT_LIST.NO_LEAVES],
  [E.DOMAIN_SNAPSHOT_LIST_METADATA, MOMENT_LIST.METADATA],
  [E.DOMAIN_SNAPSHOT_LIST_NO_METADATA, MOMENT_LIST.NO_METADATA],
];

/** virDomainSnapshotFilter: state and location filters left after the moment flags. */
function keep(def: SnapshotDef, flags: number): boolean {
  if (flags & FILTERS_STATUS) {
    if (!(flags & E.DOMAIN_SNAPSHOT_LIST_INACTIVE) && def.state === "shutoff") return false;
    if (!(flags & E.DOMAIN_SNAPSHOT_LIST_DISK_ONLY) && def.state === "disk-snapshot") return false;
    if (
      !(flags & E.DOMAIN_SNAPSHOT_LIST_ACTIVE) && def.state !== "shutoff" &&
      def.state !== "disk-snapshot"
    ) return false;
  }
  if ((flags & E.DOMAIN_SNAPSHOT_LIST_INTERNAL) && isExternalSnapshot(def)) return false;
  if ((flags & E.DOMAIN_SNAPSHOT_LIST_EXTERNAL) && !isExternalSnapshot(def)) return false;
  return true;
}

/** virDomainSnapshotObjListGetNames: public flags split into moment flags and filters. */
function snapshotNames(obj: TestDomainObj, from: Moment<SnapshotDef> | undefined, flags: number) {
  for (const group of [FILTERS_LEAVES, FILTERS_STATUS, FILTERS_LOCATION]) {
    if ((flags & group) === group) flags &= ~group;
  }
  let moment = 0;
  for (const [pub, mom] of TO_MOMENT) {
    if (flags & pub) {
      flags &= ~pub;
      moment |= mom;
    }
  }
  return obj.snapshots.names(from, moment, (def) => keep(def, flags));
}

/**
 * testDomainSnapshotAlignDisks: the snapshot takes the domain's state; memory goes where that
 * state allows.
 */
function alignNew(obj: TestDomainObj, def: SnapshotDef): void {
  def.state = SNAPSHOT_STATES[obj.state];
  if (def.memory === "external") {
    alignSnapshotDisks(def, "external", false);
    return;
  }
  def.memory = def.state === "shutoff" ? "no" : "internal";
  alignSnapshotDisks(def, "internal", true);
}

/**
 * virDomainSnapshotRedefinePrep: checks a redefinition against the tree and the snapshot it
 * replaces; returns that snapshot, now holding the new definition, if there is one.
 */
function redefinePrep(obj: TestDomainObj, def: SnapshotDef): Moment<SnapshotDef> | undefined {
  obj.snapshots.checkCycles(def);
  const other = obj.snapshots.find(def.name);
  const invalid = (msg: string) => VirError.report("DOMAIN_SNAPSHOT", "INVALID_ARG", msg);
  if (def.dom && def.dom.uuid !== obj.def.uuid) {
    throw invalid(`definition for snapshot ${def.name} must use uuid ${obj.def.uuid}`);
  }
  if (other) {
    if (isOnlineSnapshot(other.def) !== isOnlineSnapshot(def)) {
      throw invalid(
        `cannot change between online and offline snapshot state in snapshot ${def.name}`,
      );
    }
    if ((other.def.state === "disk-snapshot") !== (def.state === "disk-snapshot")) {
      throw invalid(`cannot change between disk only and full system in snapshot ${def.name}`);
    }
    if (!def.dom && other.def.dom) def.dom = other.def.dom;
  }
  const external = def.state === "disk-snapshot" || isExternalSnapshot(def);
  alignSnapshotDisks(def, external ? "external" : "internal", !external);
  if (!other) return undefined;
  obj.snapshots.dropParent(other);
  other.def = def;
  return other;
}

/** testDomainRevertToSnapshot's state transitions and their events. */
function revert(
  state: TestDriverState,
  obj: TestDomainObj,
  snap: Moment<SnapshotDef>,
  flags: number,
) {
  const def = snap.def;
  const wantRun = (flags & (E.DOMAIN_SNAPSHOT_REVERT_RUNNING | E.DOMAIN_SNAPSHOT_REVERT_PAUSED)) !==
    0;
  if (!obj.persistent && !isOnlineSnapshot(def) && !wantRun) {
    throw VirError.report(
      "TEST",
      "OPERATION_INVALID",
      "transient domain needs to request run or pause to revert to inactive snapshot",
    );
  }
  if (!(flags & E.DOMAIN_SNAPSHOT_REVERT_FORCE) && !def.dom) {
    throw VirError.report(
      "TEST",
      "SNAPSHOT_REVERT_RISKY",
      `snapshot '${def.name}' lacks domain '${obj.def.name}' rollback info`,
    );
  }
  obj.snapshots.current = undefined;
  const config = captureDomain(def.dom!);
  // virDomainObjAssignDef(live = false): an active domain keeps running its definition.
  const assign = () => {
    if (isActive(obj)) obj.newDef = config;
    else obj.def = config;
  };
  const lifecycle = (event: number, detail: number) => emitLifecycle(state, obj, event, detail);
  if (isOnlineSnapshot(def)) {
    // libvirt 9.0 never keeps an active domain running across the revert: it stops it and
    // starts it again from the snapshot, with a new id.
    if (isActive(obj)) {
      shutdownState(state, obj, E.DOMAIN_SHUTOFF_FROM_SNAPSHOT);
      lifecycle(E.DOMAIN_EVENT_STOPPED, E.DOMAIN_EVENT_STOPPED_FROM_SNAPSHOT);
    }
    assign();
    startState(state, obj, E.DOMAIN_RUNNING_FROM_SNAPSHOT);
    lifecycle(E.DOMAIN_EVENT_STARTED, E.DOMAIN_EVENT_STARTED_FROM_SNAPSHOT);
    const pause = !(flags & E.DOMAIN_SNAPSHOT_REVERT_RUNNING) &&
      (def.state === "paused" || (flags & E.DOMAIN_SNAPSHOT_REVERT_PAUSED) !== 0);
    if (pause) {
      obj.state = E.DOMAIN_PAUSED;
      obj.reason = E.DOMAIN_PAUSED_FROM_SNAPSHOT;
      lifecycle(E.DOMAIN_EVENT_SUSPENDED, E.DOMAIN_EVENT_SUSPENDED_FROM_SNAPSHOT);
    }
  } else {
    assign();
    if (isActive(obj)) {
      shutdownState(state, obj, E.DOMAIN_SHUTOFF_FROM_SNAPSHOT);
      lifecycle(E.DOMAIN_EVENT_STOPPED, E.DOMAIN_EVENT_STOPPED_FROM_SNAPSHOT);
    }
    if (wantRun) {
      // libvirt announces the start it was asked for but leaves the domain shut off.
      lifecycle(E.DOMAIN_EVENT_STARTED, E.DOMAIN_EVENT_STARTED_FROM_SNAPSHOT);
      if (flags & E.DOMAIN_SNAPSHOT_REVERT_PAUSED) {
        lifecycle(E.DOMAIN_EVENT_SUSPENDED, E.DOMAIN_EVENT_SUSPENDED_FROM_SNAPSHOT);
      }
    }
  }
  obj.snapshots.current = snap;
}

/**
 * The snapshot part of the test driver's hypervisor table.
 *
 * @example
 * ```ts
 * import { domainSnapshotMethods } from "./domain_snapshot_api.ts";
 * import { TestDriverState } from "./driver_state.ts";
 * const methods = domainSnapshotMethods(new TestDriverState());
 * ```
 */
export function domainSnapshotMethods(state: TestDriverState): Partial<DriverConnection> {
  const dom = (ref: DomainRef) => domainFromRef(state, ref);
  const snapOf = (ref: DomainRef, name: string) => {
    const obj = dom(ref);
    return { obj, snap: momentByName(obj.snapshots, name, "snapshot") };
  };
  return methodTable({
    domainSnapshotCreateXML: (ref, xml, flags) => {
      checkFlags(
        flags,
        E.DOMAIN_SNAPSHOT_CREATE_REDEFINE | E.DOMAIN_SNAPSHOT_CREATE_CURRENT |
          E.DOMAIN_SNAPSHOT_CREATE_HALT | E.DOMAIN_SNAPSHOT_CREATE_QUIESCE |
          E.DOMAIN_SNAPSHOT_CREATE_ATOMIC | E.DOMAIN_SNAPSHOT_CREATE_LIVE |
          E.DOMAIN_SNAPSHOT_CREATE_VALIDATE,
        "testDomainSnapshotCreateXML",
        "TEST",
      );
      const redefine = (flags & E.DOMAIN_SNAPSHOT_CREATE_REDEFINE) !== 0;
      const updateCurrent = !redefine || (flags & E.DOMAIN_SNAPSHOT_CREATE_CURRENT) !== 0;
      const obj = dom(ref);
      if (obj.checkpoints.size > 0) {
        throw VirError.report(
          "TEST",
          "OPERATION_UNSUPPORTED",
          "cannot create snapshot while checkpoint exists",
        );
      }
      const halt = (flags & E.DOMAIN_SNAPSHOT_CREATE_HALT) !== 0;
      if (!obj.persistent && halt) {
        throw VirError.report(
          "TEST",
          "OPERATION_INVALID",
          "cannot halt after transient domain snapshot",
        );
      }
      const def = parseSnapshotXML(xml, { redefine, parseDomain: parseMomentDomain });
      let snap: Moment<SnapshotDef> | undefined;
      if (redefine) snap = redefinePrep(obj, def);
      else {
        def.dom = captureDomain(obj.def);
        alignNew(obj, def);
      }
      snap ??= obj.snapshots.assign(def);
      if (!redefine) {
        snap.def.parent = obj.snapshots.current?.def.name;
        if (halt && isActive(obj)) {
          shutdownState(state, obj, E.DOMAIN_SHUTOFF_FROM_SNAPSHOT);
          emitLifecycle(state, obj, E.DOMAIN_EVENT_STOPPED, E.DOMAIN_EVENT_STOPPED_FROM_SNAPSHOT);
        }
      }
      if (updateCurrent) obj.snapshots.current = snap;
      obj.snapshots.linkParent(snap);
      return snap.def.name;
    },
    domainSnapshotNum: (ref, flags) => {
      checkFlags(flags, LIST_FLAGS, "testDomainSnapshotNum", "TEST");
      return snapshotNames(dom(ref), undefined, flags).length;
    },
    domainSnapshotListNames: (ref, flags) => {
      checkFlags(flags, LIST_FLAGS, "testDomainSnapshotListNames", "TEST");
      return snapshotNames(dom(ref), undefined, flags);
    },
    domainListAllSnapshots: (ref, flags) => {
      checkFlags(flags, LIST_FLAGS, "testDomainListAllSnapshots", "TEST");
      return snapshotNames(dom(ref), undefined, flags);
    },
    domainSnapshotNumChildren: (ref, name, flags) => {
      checkFlags(flags, CHILD_FLAGS, "testDomainSnapshotNumChildren", "TEST");
      const { obj, snap } = snapOf(ref, name);
      return snapshotNames(obj, snap, flags).length;
    },
    domainSnapshotListChildrenNames: (ref, name, flags) => {
      checkFlags(flags, CHILD_FLAGS, "testDomainSnapshotListChildrenNames", "TEST");
      const { obj, snap } = snapOf(ref, name);
      return snapshotNames(obj, snap, flags);
    },
    domainSnapshotListAllChildren: (ref, name, flags) => {
      checkFlags(flags, CHILD_FLAGS, "testDomainSnapshotListAllChildren", "TEST");
      const { obj, snap } = snapOf(ref, name);
      return snapshotNames(obj, snap, flags);
    },
    domainSnapshotLookupByName: (ref, name, flags) => {
      checkFlags(flags, 0, "testDomainSnapshotLookupByName", "TEST");
      return snapOf(ref, name).snap.def.name;
    },
    domainHasCurrentSnapshot: (ref, flags) => {
      checkFlags(flags, 0, "testDomainHasCurrentSnapshot", "TEST");
      return dom(ref).snapshots.current !== undefined;
    },
    domainSnapshotGetParent: (ref, name, flags) => {
      checkFlags(flags, 0, "testDomainSnapshotGetParent", "TEST");
      const { snap } = snapOf(ref, name);
      if (snap.def.parent === undefined) {
        throw VirError.report(
          "TEST",
          "NO_DOMAIN_SNAPSHOT",
          `snapshot '${name}' does not have a parent`,
        );
      }
      return snap.def.parent;
    },
    domainSnapshotCurrent: (ref, flags) => {
      checkFlags(flags, 0, "testDomainSnapshotCurrent", "TEST");
      const current = dom(ref).snapshots.current;
      if (!current) {
        throw VirError.report(
          "TEST",
          "NO_DOMAIN_SNAPSHOT",
          "the domain does not have a current snapshot",
        );
      }
      return current.def.name;
    },
    domainSnapshotGetXMLDesc: (ref, name, flags) => {
      checkFlags(flags, E.DOMAIN_SNAPSHOT_XML_SECURE, "testDomainSnapshotGetXMLDesc", "TEST");
      const { snap } = snapOf(ref, name);
      return formatSnapshotXML(snap.def, ref.uuid, (flags & E.DOMAIN_SNAPSHOT_XML_SECURE) !== 0);
    },
    domainSnapshotIsCurrent: (ref, name, flags) => {
      checkFlags(flags, 0, "testDomainSnapshotIsCurrent", "TEST");
      const { obj, snap } = snapOf(ref, name);
      return obj.snapshots.current === snap;
    },
    domainSnapshotHasMetadata: (ref, name, flags) => {
      checkFlags(flags, 0, "testDomainSnapshotHasMetadata", "TEST");
      snapOf(ref, name);
      return true;
    },
    domainSnapshotDelete: (ref, name, flags) => {
      checkFlags(
        flags,
        E.DOMAIN_SNAPSHOT_DELETE_CHILDREN | E.DOMAIN_SNAPSHOT_DELETE_CHILDREN_ONLY,
        "testDomainSnapshotDelete",
        "TEST",
      );
      const { obj, snap } = snapOf(ref, name);
      deleteMoment(obj.snapshots, snap, {
        children: (flags & E.DOMAIN_SNAPSHOT_DELETE_CHILDREN) !== 0,
        childrenOnly: (flags & E.DOMAIN_SNAPSHOT_DELETE_CHILDREN_ONLY) !== 0,
      });
    },
    domainRevertToSnapshot: (ref, name, flags) => {
      checkFlags(
        flags,
        E.DOMAIN_SNAPSHOT_REVERT_RUNNING | E.DOMAIN_SNAPSHOT_REVERT_PAUSED |
          E.DOMAIN_SNAPSHOT_REVERT_FORCE,
        "testDomainRevertToSnapshot",
        "TEST",
      );
      const { obj, snap } = snapOf(ref, name);
      revert(state, obj, snap, flags);
    },
  });
}
