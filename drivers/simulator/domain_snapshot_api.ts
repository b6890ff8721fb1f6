/**
 * Snapshots of libvirt's test driver (testDomainSnapshot*, testDomainRevertToSnapshot): only
 * metadata, kept in a moment tree per domain; creating one captures the domain's definition and
 * state, reverting puts them back with the lifecycle events libvirt 9.0 queues.
 *
 * @module
 */
import {
  alignSnapshotDisks,
  checkSnapshotRevert,
  CHILD_FLAGS,
  formatSnapshotXML,
  isOnlineSnapshot,
  LIST_FLAGS,
  parseSnapshotXML,
  redefinePrep,
  SNAPSHOT_STATES,
  type SnapshotDef,
  snapshotNames,
} from "../../conf/snapshot/mod.ts";
import type { DomainRef, DriverConnection } from "../../util/driver.ts";
import { VIR } from "../../util/constants.ts";
import { checkFlags, VirError } from "../../util/errors.ts";
import { domainFromRef, emitLifecycle, shutdownState, startState } from "./domain_access.ts";
import { isActive } from "../../conf/objects/domain_obj.ts";
import type { TestDomainObj, TestDriverState } from "./driver_state.ts";
import { captureDomain, momentByName, parseMomentDomain } from "./moment_access.ts";
import { deleteMoment } from "../../conf/objects/moment_delete.ts";
import type { Moment } from "../../conf/objects/moment_list.ts";
import { methodTable } from "../../util/method_table.ts";

const E = VIR;

/**
 * testDomainSnapshotAlignDisks: a disk in `manual` mode is refused first; the snapshot takes the
 * domain's state; memory goes where that state allows.
 */
function alignNew(obj: TestDomainObj, def: SnapshotDef): void {
  if (def.disks.some((d) => d.snapshot === "manual")) {
    throw VirError.report(
      "TEST",
      "OPERATION_UNSUPPORTED",
      "'manual' snapshot mode is not supported by the test driver",
    );
  }
  def.state = SNAPSHOT_STATES[obj.state];
  if (def.memory === "external") {
    alignSnapshotDisks(def, "external", false);
    return;
  }
  def.memory = def.state === "shutoff" ? "no" : "internal";
  alignSnapshotDisks(def, "internal", true);
}

/** testDomainRevertToSnapshot's state transitions and their events. */
function revert(
  state: TestDriverState,
  obj: TestDomainObj,
  snap: Moment<SnapshotDef>,
  flags: number,
) {
  const def = snap.def;
  const wantRun = checkSnapshotRevert(def, obj, flags, "TEST", true);
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
      const def = parseSnapshotXML(xml, {
        redefine,
        validate: (flags & E.DOMAIN_SNAPSHOT_CREATE_VALIDATE) !== 0,
        parseDomain: parseMomentDomain,
      });
      let snap: Moment<SnapshotDef> | undefined;
      if (redefine) snap = redefinePrep(obj.snapshots, obj.def.uuid, def);
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
      return snapshotNames(dom(ref).snapshots, undefined, flags).length;
    },
    domainSnapshotListNames: (ref, flags) => {
      checkFlags(flags, LIST_FLAGS, "testDomainSnapshotListNames", "TEST");
      return snapshotNames(dom(ref).snapshots, undefined, flags);
    },
    domainListAllSnapshots: (ref, flags) => {
      checkFlags(flags, LIST_FLAGS, "testDomainListAllSnapshots", "TEST");
      return snapshotNames(dom(ref).snapshots, undefined, flags);
    },
    domainSnapshotNumChildren: (ref, name, flags) => {
      checkFlags(flags, CHILD_FLAGS, "testDomainSnapshotNumChildren", "TEST");
      const { obj, snap } = snapOf(ref, name);
      return snapshotNames(obj.snapshots, snap, flags).length;
    },
    domainSnapshotListChildrenNames: (ref, name, flags) => {
      checkFlags(flags, CHILD_FLAGS, "testDomainSnapshotListChildrenNames", "TEST");
      const { obj, snap } = snapOf(ref, name);
      return snapshotNames(obj.snapshots, snap, flags);
    },
    domainSnapshotListAllChildren: (ref, name, flags) => {
      checkFlags(flags, CHILD_FLAGS, "testDomainSnapshotListAllChildren", "TEST");
      const { obj, snap } = snapOf(ref, name);
      return snapshotNames(obj.snapshots, snap, flags);
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
