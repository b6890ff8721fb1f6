/**
 * Domain lookups, listing and lifecycle calls of libvirt's test driver: create/define/undefine,
 * start, shutdown, reboot, destroy, suspend, resume, reset, rename, state and XML.
 *
 * @module
 */
import type { DomainRef, DriverConnection } from "../../util/driver.ts";
import { VIR } from "../../util/constants.ts";
import { checkFlags, VirError } from "../../util/errors.ts";
import { checkActive, isActive, refOf } from "../../conf/objects/domain_obj.ts";
import { DOMAIN_LIST_FILTERS_ALL } from "../../conf/objects/domain_obj_list.ts";
import { orNotFound } from "../../conf/objects/not_found.ts";
import { formatDomainXML, parseTestDomain } from "./conf_adapters.ts";
import { domainFromRef, emitLifecycle, shutdownState, startState } from "./domain_access.ts";
import type { TestDomainObj, TestDriverState } from "./driver_state.ts";
import { methodTable } from "../../util/method_table.ts";

const F = "TEST";
const E = VIR;

/** `testDomainActionSetState`: where an on_poweroff / on_reboot action leaves the domain. */
function applyAction(obj: TestDomainObj, action: string | undefined): void {
  if (action === "restart" || action === "rename-restart") {
    obj.state = E.DOMAIN_RUNNING;
    obj.reason = E.DOMAIN_RUNNING_BOOTED;
  } else {
    obj.state = E.DOMAIN_SHUTOFF;
    obj.reason = E.DOMAIN_SHUTOFF_SHUTDOWN;
  }
}

/**
 * Stops a domain for good: shut-off state, a STOPPED event, and a transient domain vanishes.
 *
 * @example
 * ```ts
 * import { stopDomain } from "./domain_lifecycle_api.ts";
 * import { VIR } from "../../util/constants.ts";
 * declare const state: import("./driver_state.ts").TestDriverState;
 * declare const obj: import("./driver_state.ts").TestDomainObj;
 * stopDomain(state, obj, VIR.DOMAIN_SHUTOFF_DESTROYED, VIR.DOMAIN_EVENT_STOPPED_DESTROYED);
 * ```
 */
export function stopDomain(
  state: TestDriverState,
  obj: TestDomainObj,
  reason: number,
  detail: number,
): void {
  shutdownState(state, obj, reason);
  emitLifecycle(state, obj, E.DOMAIN_EVENT_STOPPED, detail);
  if (!obj.persistent) state.domains.remove(obj);
}

/** Shutdown and reboot: follow the configured action; only a resulting shutoff is an event. */
function actOn(state: TestDriverState, obj: TestDomainObj, action: string | undefined): void {
  applyAction(obj, action);
  if (obj.state === E.DOMAIN_SHUTOFF) {
    stopDomain(state, obj, E.DOMAIN_SHUTOFF_SHUTDOWN, E.DOMAIN_EVENT_STOPPED_SHUTDOWN);
  }
}

/**
 * The lifecycle half of the test driver's hypervisor table.
 *
 * @example
 * ```ts
 * import { domainLifecycleMethods } from "./domain_lifecycle_api.ts";
 * import { TestDriverState } from "./driver_state.ts";
 * const methods = domainLifecycleMethods(new TestDriverState());
 * ```
 */
export function domainLifecycleMethods(state: TestDriverState): Partial<DriverConnection> {
  const get = (ref: DomainRef) => domainFromRef(state, ref);
  const lookup = (obj: TestDomainObj | undefined) => refOf(orNotFound(obj, F, "NO_DOMAIN"));
  const table = methodTable({
    connectNumOfDomains: () => state.domains.activeIDs().length,
    connectListDomains: () => state.domains.activeIDs(),
    connectNumOfDefinedDomains: () => state.domains.inactiveNames().length,
    connectListDefinedDomains: () => state.domains.inactiveNames(),
    connectListAllDomains: (flags) => {
      checkFlags(flags, DOMAIN_LIST_FILTERS_ALL, "testConnectListAllDomains", F);
      return state.domains.export(flags).map(refOf);
    },
    domainLookupByID: (id) => lookup(state.domains.findByID(id)),
    domainLookupByUUID: (uuid) => lookup(state.domains.findByUUID(uuid)),
    domainLookupByName: (name) => lookup(state.domains.findByName(name)),

    domainCreateXML: (xml, flags) => {
      checkFlags(flags, E.DOMAIN_START_VALIDATE, "testDomainCreateXML", F);
      const def = parseTestDomain(xml, (flags & E.DOMAIN_START_VALIDATE) !== 0);
      const { obj } = state.domains.add(def, { live: true, checkLive: true });
      startState(state, obj, E.DOMAIN_RUNNING_BOOTED);
      emitLifecycle(state, obj, E.DOMAIN_EVENT_STARTED, E.DOMAIN_EVENT_STARTED_BOOTED);
      return refOf(obj);
    },
    domainDefineXMLFlags: (xml, flags) => {
      checkFlags(flags, E.DOMAIN_DEFINE_VALIDATE, "testDomainDefineXMLFlags", F);
      const def = parseTestDomain(xml, (flags & E.DOMAIN_DEFINE_VALIDATE) !== 0);
      if (def.name.includes("\n")) {
        throw VirError.report("XML", "XML_DETAIL", "invalid char in name: 0x0a");
      }
      const { obj, oldDef } = state.domains.add(def, { live: false, checkLive: false });
      obj.persistent = true;
      emitLifecycle(
        state,
        obj,
        E.DOMAIN_EVENT_DEFINED,
        oldDef ? E.DOMAIN_EVENT_DEFINED_UPDATED : E.DOMAIN_EVENT_DEFINED_ADDED,
      );
      return refOf(obj);
    },
    domainCreateWithFlags: (ref, flags) => {
      checkFlags(flags, 0, "testDomainCreateWithFlags", F);
      const obj = get(ref);
      if (obj.state !== E.DOMAIN_SHUTOFF) {
        throw VirError.report(F, "INTERNAL_ERROR", `Domain '${ref.name}' is already running`);
      }
      startState(state, obj, E.DOMAIN_RUNNING_BOOTED);
      emitLifecycle(state, obj, E.DOMAIN_EVENT_STARTED, E.DOMAIN_EVENT_STARTED_BOOTED);
      return refOf(obj);
    },
    domainUndefineFlags: (ref, flags) => {
      checkFlags(
        flags,
        E.DOMAIN_UNDEFINE_MANAGED_SAVE | E.DOMAIN_UNDEFINE_SNAPSHOTS_METADATA,
        "testDomainUndefineFlags",
        F,
      );
      const obj = get(ref);
      if (obj.hasManagedSave && !(flags & E.DOMAIN_UNDEFINE_MANAGED_SAVE)) {
        throw VirError.report(
          F,
          "OPERATION_INVALID",
          "Refusing to undefine while domain managed save image exists",
        );
      }
      // libvirt only asks for the metadata flag: the test driver has no snapshot files to drop.
      const nsnapshots = obj.snapshots.size;
      if (!isActive(obj) && nsnapshots && !(flags & E.DOMAIN_UNDEFINE_SNAPSHOTS_METADATA)) {
        throw VirError.report(
          F,
          "OPERATION_INVALID",
          `cannot delete inactive domain with ${nsnapshots} snapshots`,
        );
      }
      emitLifecycle(state, obj, E.DOMAIN_EVENT_UNDEFINED, E.DOMAIN_EVENT_UNDEFINED_REMOVED);
      obj.hasManagedSave = false;
      if (isActive(obj)) obj.persistent = false;
      else state.domains.remove(obj);
    },
    domainShutdownFlags: (ref, flags) => {
      checkFlags(flags, 0, "testDomainShutdownFlags", F);
      const obj = get(ref);
      if (obj.state === E.DOMAIN_SHUTOFF) {
        throw VirError.report(F, "INTERNAL_ERROR", `domain '${ref.name}' not running`);
      }
      actOn(state, obj, obj.def.onPoweroff);
    },
    domainReboot: (ref, flags) => {
      checkFlags(
        flags,
        E.DOMAIN_REBOOT_DEFAULT | E.DOMAIN_REBOOT_ACPI_POWER_BTN | E.DOMAIN_REBOOT_GUEST_AGENT |
          E.DOMAIN_REBOOT_INITCTL | E.DOMAIN_REBOOT_SIGNAL | E.DOMAIN_REBOOT_PARAVIRT,
        "testDomainReboot",
        F,
      );
      const obj = get(ref);
      checkActive(obj);
      actOn(state, obj, obj.def.onReboot ?? "restart");
    },
    domainReset: (ref, flags) => {
      checkFlags(flags, 0, "testDomainReset", F);
      checkActive(get(ref));
    },
    domainDestroyFlags: (ref, flags) => {
      checkFlags(flags, E.DOMAIN_DESTROY_GRACEFUL, "testDomainDestroyFlags", F);
      const obj = get(ref);
      checkActive(obj);
      stopDomain(state, obj, E.DOMAIN_SHUTOFF_DESTROYED, E.DOMAIN_EVENT_STOPPED_DESTROYED);
    },
    domainSuspend: (ref) => {
      const obj = get(ref);
      if (obj.state === E.DOMAIN_SHUTOFF || obj.state === E.DOMAIN_PAUSED) {
        throw VirError.report(F, "INTERNAL_ERROR", `domain '${ref.name}' not running`);
      }
      obj.state = E.DOMAIN_PAUSED;
      obj.reason = E.DOMAIN_PAUSED_USER;
      emitLifecycle(state, obj, E.DOMAIN_EVENT_SUSPENDED, E.DOMAIN_EVENT_SUSPENDED_PAUSED);
    },
    domainResume: (ref) => {
      const obj = get(ref);
      if (obj.state !== E.DOMAIN_PAUSED) {
        throw VirError.report(F, "INTERNAL_ERROR", `domain '${ref.name}' not paused`);
      }
      obj.state = E.DOMAIN_RUNNING;
      obj.reason = E.DOMAIN_RUNNING_UNPAUSED;
      emitLifecycle(state, obj, E.DOMAIN_EVENT_RESUMED, E.DOMAIN_EVENT_RESUMED_UNPAUSED);
    },
    domainRename: (ref, newName, flags) => {
      checkFlags(flags, 0, "testDomainRename", F);
      const obj = get(ref);
      if (isActive(obj)) {
        throw VirError.report(F, "OPERATION_INVALID", "cannot rename active domain");
      }
      if (!obj.persistent) {
        throw VirError.report(F, "OPERATION_INVALID", "cannot rename a transient domain");
      }
      if (obj.state !== E.DOMAIN_SHUTOFF) {
        throw VirError.report(F, "OPERATION_INVALID", "domain has to be shutoff before renaming");
      }
      state.domains.rename(obj, newName, () => {
        if (newName.includes("/")) {
          throw VirError.report(F, "XML_ERROR", `name ${newName} cannot contain '/'`);
        }
        emitLifecycle(state, obj, E.DOMAIN_EVENT_UNDEFINED, E.DOMAIN_EVENT_UNDEFINED_RENAMED);
        obj.def.name = newName;
        emitLifecycle(state, obj, E.DOMAIN_EVENT_DEFINED, E.DOMAIN_EVENT_DEFINED_RENAMED);
      });
      return refOf(obj);
    },
    domainIsActive: (ref) => isActive(get(ref)),
    domainIsPersistent: (ref) => get(ref).persistent,
    domainIsUpdated: (ref) => {
      get(ref);
      return false;
    },
    domainGetState: (ref, flags) => {
      checkFlags(flags, 0, "testDomainGetState", F);
      const obj = get(ref);
      return [obj.state, obj.reason];
    },
    domainGetInfo: (ref) => {
      const obj = get(ref);
      return {
        state: obj.state,
        memory: obj.def.memory.current,
        maxMem: obj.def.memory.total,
        nrVirtCpu: obj.def.vcpu.current,
        cpuTime: Date.now() * 1e6,
      };
    },
    domainGetOSType: (ref) => {
      get(ref);
      return "linux";
    },
    domainGetXMLDesc: (ref, flags) => {
      checkFlags(
        flags,
        // VIR_DOMAIN_XML_COMMON_FLAGS: UPDATE_CPU is not among them.
        E.DOMAIN_XML_SECURE | E.DOMAIN_XML_INACTIVE | E.DOMAIN_XML_MIGRATABLE,
        "testDomainGetXMLDesc",
        F,
      );
      const obj = get(ref);
      const def = flags & E.DOMAIN_XML_INACTIVE && obj.newDef ? obj.newDef : obj.def;
      return formatDomainXML(def, flags);
    },
    domainGetAutostart: (ref) => get(ref).autostart,
    domainSetAutostart: (ref, autostart) => {
      get(ref).autostart = Boolean(autostart);
    },
  });
  // The test driver ignores the descriptors: starting works as without them.
  return {
    ...table,
    domainCreateWithFiles: (ref, _files, flags) => table.domainCreateWithFlags!(ref, flags),
    domainCreateXMLWithFiles: (xml, _files, flags) => table.domainCreateXML!(xml, flags),
  };
}
