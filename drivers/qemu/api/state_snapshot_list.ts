/**
 * The read side of the QEMU driver's snapshots (`qemuDomainSnapshotNum`, `…ListNames`,
 * `…LookupByName`, `…Current`, `…GetXMLDesc`, `…GetParent`, children, is-current,
 * has-metadata), over the tree of {@link snapshotsOf}.
 *
 * @module
 */
import type { Moment } from "../../../conf/objects/moment_list.ts";
import {
  CHILD_FLAGS,
  formatSnapshotXML,
  LIST_FLAGS,
  type SnapshotDef,
  snapshotNames,
} from "../../../conf/snapshot/mod.ts";
import { VIR } from "../../../util/constants.ts";
import type { DomainRef, DriverConnection } from "../../../util/driver.ts";
import { checkFlags, VirError } from "../../../util/errors.ts";
import type { QemuDomainObj } from "../domain_private.ts";
import type { QemuDriverState } from "../driver_state.ts";
import { snapshotsOf } from "./state_snapshot_store.ts";

const E = VIR;

/**
 * `qemuSnapObjFromName`: a snapshot by name, or libvirt's NO_DOMAIN_SNAPSHOT error.
 *
 * @example
 * ```ts
 * import { snapshotByName } from "./state_snapshot_list.ts";
 * declare const state: import("../driver_state.ts").QemuDriverState;
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * await snapshotByName(state, obj, "s1");
 * ```
 */
export async function snapshotByName(
  s: QemuDriverState,
  obj: QemuDomainObj,
  name: string,
): Promise<Moment<SnapshotDef>> {
  const snap = (await snapshotsOf(s, obj)).find(name);
  if (snap) return snap;
  throw VirError.report(
    "QEMU",
    "NO_DOMAIN_SNAPSHOT",
    `no domain snapshot with matching name '${name}'`,
  );
}

type SnapshotReads = Pick<
  DriverConnection,
  | "domainSnapshotNum"
  | "domainSnapshotListNames"
  | "domainListAllSnapshots"
  | "domainSnapshotNumChildren"
  | "domainSnapshotListChildrenNames"
  | "domainSnapshotListAllChildren"
  | "domainSnapshotLookupByName"
  | "domainHasCurrentSnapshot"
  | "domainSnapshotGetParent"
  | "domainSnapshotCurrent"
  | "domainSnapshotGetXMLDesc"
  | "domainSnapshotIsCurrent"
  | "domainSnapshotHasMetadata"
>;

/**
 * The snapshot read calls of a connection; `objOf` resolves a domain reference.
 *
 * @example
 * ```ts
 * import { snapshotReads } from "./state_snapshot_list.ts";
 * declare const state: import("../driver_state.ts").QemuDriverState;
 * declare const objOf: (ref: import("../../../util/driver.ts").DomainRef) => import("../domain_private.ts").QemuDomainObj;
 * const reads = snapshotReads(state, objOf);
 * ```
 */
export function snapshotReads(
  s: QemuDriverState,
  objOf: (ref: DomainRef) => QemuDomainObj,
): Required<SnapshotReads> {
  const list = (ref: DomainRef) => snapshotsOf(s, objOf(ref));
  const names = async (ref: DomainRef, flags: number, api: string) => {
    checkFlags(flags, LIST_FLAGS, api, "QEMU");
    return snapshotNames(await list(ref), undefined, flags);
  };
  const children = async (ref: DomainRef, name: string, flags: number, api: string) => {
    checkFlags(flags, CHILD_FLAGS, api, "QEMU");
    const obj = objOf(ref);
    return snapshotNames(obj.snapshots, await snapshotByName(s, obj, name), flags);
  };
  const one = async (ref: DomainRef, name: string, flags: number, api: string) => {
    checkFlags(flags, 0, api, "QEMU");
    const obj = objOf(ref);
    return { obj, snap: await snapshotByName(s, obj, name) };
  };
  const current = async (ref: DomainRef, flags: number, api: string) => {
    checkFlags(flags, 0, api, "QEMU");
    return (await list(ref)).current;
  };
  return {
    domainSnapshotNum: async (ref, flags) =>
      (await names(ref, flags, "qemuDomainSnapshotNum")).length,
    domainSnapshotListNames: (ref, flags) => names(ref, flags, "qemuDomainSnapshotListNames"),
    domainListAllSnapshots: (ref, flags) => names(ref, flags, "qemuDomainListAllSnapshots"),
    domainSnapshotNumChildren: async (ref, name, flags) =>
      (await children(ref, name, flags, "qemuDomainSnapshotNumChildren")).length,
    domainSnapshotListChildrenNames: (ref, name, flags) =>
      children(ref, name, flags, "qemuDomainSnapshotListChildrenNames"),
    domainSnapshotListAllChildren: (ref, name, flags) =>
      children(ref, name, flags, "qemuDomainSnapshotListAllChildren"),
    domainSnapshotLookupByName: async (ref, name, flags) =>
      (await one(ref, name, flags, "qemuDomainSnapshotLookupByName")).snap.def.name,
    domainHasCurrentSnapshot: async (ref, flags) =>
      (await current(ref, flags, "qemuDomainHasCurrentSnapshot")) !== undefined,
    domainSnapshotGetParent: async (ref, name, flags) => {
      const { snap } = await one(ref, name, flags, "qemuDomainSnapshotGetParent");
      if (snap.def.parent !== undefined) return snap.def.parent;
      throw VirError.report(
        "QEMU",
        "NO_DOMAIN_SNAPSHOT",
        `snapshot '${name}' does not have a parent`,
      );
    },
    domainSnapshotCurrent: async (ref, flags) => {
      const snap = await current(ref, flags, "qemuDomainSnapshotCurrent");
      if (snap) return snap.def.name;
      throw VirError.report(
        "QEMU",
        "NO_DOMAIN_SNAPSHOT",
        "the domain does not have a current snapshot",
      );
    },
    domainSnapshotGetXMLDesc: async (ref, name, flags) => {
      checkFlags(flags, E.DOMAIN_SNAPSHOT_XML_SECURE, "qemuDomainSnapshotGetXMLDesc", "QEMU");
      const snap = await snapshotByName(s, objOf(ref), name);
      return formatSnapshotXML(snap.def, ref.uuid, (flags & E.DOMAIN_SNAPSHOT_XML_SECURE) !== 0);
    },
    domainSnapshotIsCurrent: async (ref, name, flags) => {
      const { obj, snap } = await one(ref, name, flags, "qemuDomainSnapshotIsCurrent");
      return obj.snapshots.current === snap;
    },
    domainSnapshotHasMetadata: async (ref, name, flags) => {
      await one(ref, name, flags, "qemuDomainSnapshotHasMetadata");
      return true;
    },
  };
}
