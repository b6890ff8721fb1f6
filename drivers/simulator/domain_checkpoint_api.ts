/**
 * Checkpoints of libvirt's test driver (testDomainCheckpoint*): only metadata, kept in a moment
 * tree per domain, on running domains without snapshots.
 *
 * @module
 */
import {
  alignCheckpointDisks,
  CHECKPOINT_CHILD_FLAGS,
  CHECKPOINT_LIST_FLAGS,
  type CheckpointDef,
  checkpointLink,
  checkpointNames,
  checkpointRedefineCommit,
  checkpointRedefinePrep,
  formatCheckpointXML,
  parseCheckpointXML,
} from "../../conf/checkpoint/mod.ts";
import type { DomainRef, DriverConnection } from "../../util/driver.ts";
import { VIR } from "../../util/constants.ts";
import { checkFlags, VirError } from "../../util/errors.ts";
import { domainFromRef } from "./domain_access.ts";
import { checkActive, isActive } from "../../conf/objects/domain_obj.ts";
import type { TestDriverState } from "./driver_state.ts";
import { captureDomain, momentByName, parseMomentDomain } from "./moment_access.ts";
import { deleteMoment } from "../../conf/objects/moment_delete.ts";
import type { Moment } from "../../conf/objects/moment_list.ts";
import { methodTable } from "../../util/method_table.ts";

const E = VIR;
/**
 * The checkpoint part of the test driver's hypervisor table.
 *
 * @example
 * ```ts
 * import { domainCheckpointMethods } from "./domain_checkpoint_api.ts";
 * import { TestDriverState } from "./driver_state.ts";
 * const methods = domainCheckpointMethods(new TestDriverState());
 * ```
 */
export function domainCheckpointMethods(state: TestDriverState): Partial<DriverConnection> {
  const dom = (ref: DomainRef) => domainFromRef(state, ref);
  const chkOf = (ref: DomainRef, name: string) => {
    const obj = dom(ref);
    return { obj, chk: momentByName(obj.checkpoints, name, "checkpoint") };
  };
  return methodTable({
    domainCheckpointCreateXML: (ref, xml, flags) => {
      checkFlags(
        flags,
        E.DOMAIN_CHECKPOINT_CREATE_REDEFINE | E.DOMAIN_CHECKPOINT_CREATE_QUIESCE,
        "testDomainCheckpointCreateXML",
        "TEST",
      );
      const isRedefine = (flags & E.DOMAIN_CHECKPOINT_CREATE_REDEFINE) !== 0;
      const obj = dom(ref);
      const unsupported = (msg: string) => VirError.report("TEST", "OPERATION_UNSUPPORTED", msg);
      if (obj.snapshots.size > 0) {
        throw unsupported("cannot create checkpoint while snapshot exists");
      }
      if (!isActive(obj)) throw unsupported("cannot create checkpoint for inactive domain");
      const def = parseCheckpointXML(xml, {
        redefine: isRedefine,
        parseDomain: parseMomentDomain,
      });
      let chk: Moment<CheckpointDef>;
      let updateCurrent = !isRedefine;
      if (isRedefine) {
        updateCurrent = checkpointRedefinePrep(obj.checkpoints, obj.def.uuid, def);
        chk = checkpointRedefineCommit(obj.checkpoints, def);
      } else {
        def.dom = captureDomain(obj.def);
        alignCheckpointDisks(def);
        chk = obj.checkpoints.assign(def);
      }
      const current = obj.checkpoints.current;
      if (current && !isRedefine) chk.def.parent = current.def.name;
      checkpointLink(obj.checkpoints, chk, updateCurrent);
      return chk.def.name;
    },
    domainListAllCheckpoints: (ref, flags) => {
      checkFlags(
        flags,
        CHECKPOINT_LIST_FLAGS,
        "testDomainListAllCheckpoints",
        "TEST",
      );
      return checkpointNames(dom(ref).checkpoints, undefined, flags);
    },
    domainCheckpointListAllChildren: (ref, name, flags) => {
      checkFlags(
        flags,
        CHECKPOINT_CHILD_FLAGS,
        "testDomainCheckpointListAllChildren",
        "TEST",
      );
      const { obj, chk } = chkOf(ref, name);
      return checkpointNames(obj.checkpoints, chk, flags);
    },
    domainCheckpointLookupByName: (ref, name, flags) => {
      checkFlags(flags, 0, "testDomainCheckpointLookupByName", "TEST");
      return chkOf(ref, name).chk.def.name;
    },
    domainCheckpointGetParent: (ref, name, flags) => {
      checkFlags(flags, 0, "testDomainCheckpointGetParent", "TEST");
      const { chk } = chkOf(ref, name);
      if (chk.def.parent === undefined) {
        throw VirError.report(
          "TEST",
          "NO_DOMAIN_CHECKPOINT",
          `checkpoint '${name}' does not have a parent`,
        );
      }
      return chk.def.parent;
    },
    domainCheckpointGetXMLDesc: (ref, name, flags) => {
      checkFlags(
        flags,
        E.DOMAIN_CHECKPOINT_XML_SECURE | E.DOMAIN_CHECKPOINT_XML_NO_DOMAIN |
          E.DOMAIN_CHECKPOINT_XML_SIZE,
        "testDomainCheckpointGetXMLDesc",
        "TEST",
      );
      const { obj, chk } = chkOf(ref, name);
      // libvirt sets sizes the formatter never prints (it checks a flag the test driver
      // leaves unset), so SIZE only adds the running check.
      if (flags & E.DOMAIN_CHECKPOINT_XML_SIZE) checkActive(obj);
      return formatCheckpointXML(chk.def, {
        noDomain: (flags & E.DOMAIN_CHECKPOINT_XML_NO_DOMAIN) !== 0,
        secure: (flags & E.DOMAIN_CHECKPOINT_XML_SECURE) !== 0,
      });
    },
    domainCheckpointDelete: (ref, name, flags) => {
      checkFlags(
        flags,
        E.DOMAIN_CHECKPOINT_DELETE_CHILDREN | E.DOMAIN_CHECKPOINT_DELETE_METADATA_ONLY |
          E.DOMAIN_CHECKPOINT_DELETE_CHILDREN_ONLY,
        "testDomainCheckpointDelete",
        "TEST",
      );
      const { obj, chk } = chkOf(ref, name);
      deleteMoment(obj.checkpoints, chk, {
        children: (flags & E.DOMAIN_CHECKPOINT_DELETE_CHILDREN) !== 0,
        childrenOnly: (flags & E.DOMAIN_CHECKPOINT_DELETE_CHILDREN_ONLY) !== 0,
      });
    },
  });
}
