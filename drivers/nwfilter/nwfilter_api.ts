/**
 * The calls of libvirt's nwfilter driver (`nwfilter_driver.c`) over {@link NWFilterState}:
 * filters listed, looked up, defined (with `virNWFilterObjListAssignDef`'s name, UUID and loop
 * rules), described and undefined; bindings listed, looked up, described, created and deleted.
 * A session answers as libvirt's unprivileged driver: no filters, and no defining.
 *
 * A binding's filter is put on its port device by the ebiptables backend (build.ts), and taken
 * off when the binding is deleted; a filter that changes is rebuilt on the devices that use it,
 * and one in use on a device cannot be undefined. A binding of a device that does not exist is
 * kept with nothing instantiated, as libvirt keeps it.
 *
 * @module
 */
import type { DriverConnection, NWFilterBindingRef, NWFilterRef } from "../../util/driver.ts";
import { VIR } from "../../util/constants.ts";
import { checkFlags, VirError } from "../../util/errors.ts";
import { methodTable } from "../../util/method_table.ts";
import {
  formatNWFilterBindingXML,
  formatNWFilterXML,
  type NWFilterBindingDef,
  type NWFilterDef,
  parseNWFilterBindingXML,
  parseNWFilterXML,
} from "../../conf/nwfilter/mod.ts";
import type { NWFilterState } from "./state.ts";
import { instantiateBinding, rebuildAll, teardownBinding } from "./build.ts";

const F = "NWFILTER";

const refOf = (def: NWFilterDef): NWFilterRef => ({ name: def.name, uuid: def.uuid });
const bindingRef = (def: NWFilterBindingDef): NWFilterBindingRef => ({
  portdev: def.portdev,
  filtername: def.filter,
});

/** `virNWFilterObjListDefLoopDetect`: whether `def` reaches itself through the filters known. */
function loops(state: NWFilterState, def: NWFilterDef, name = def.name): boolean {
  for (const e of def.entries) {
    if (!("ref" in e)) continue;
    if (e.ref.filter === name) return true;
    const next = state.byName(e.ref.filter);
    if (next && loops(state, next, name)) return true;
  }
  return false;
}

/**
 * `virNWFilterObjListAssignDef`: the checks, then the filter added or replaced; a filter that
 * changes is first rebuilt on the devices that use it.
 */
async function assignDef(state: NWFilterState, def: NWFilterDef): Promise<void> {
  const sameUUID = state.filters.get(def.uuid);
  if (sameUUID && sameUUID.name !== def.name) {
    throw VirError.report(
      F,
      "OPERATION_FAILED",
      `filter with same UUID but different name ('${sameUUID.name}') already exists`,
    );
  }
  const sameName = state.byName(def.name);
  if (!sameUUID && sameName) {
    throw VirError.report(
      F,
      "OPERATION_FAILED",
      `filter '${def.name}' already exists with uuid ${sameName.uuid}`,
    );
  }
  if (loops(state, def)) {
    throw VirError.report(F, "OPERATION_FAILED", "filter would introduce a loop");
  }
  if (sameName && formatNWFilterXML(sameName) !== formatNWFilterXML(def)) {
    await rebuildAll(state, { name: def.name, def });
  }
  state.filters.set(def.uuid, def);
}

/**
 * The nwfilter calls of one nwfilter driver connection.
 *
 * @example
 * ```ts
 * import { nwfilterMethods } from "./nwfilter_api.ts";
 * import { NWFilterState, SYSFS_HOST } from "./state.ts";
 * nwfilterMethods(new NWFilterState({ configDir: "/tmp/c", stateDir: "/tmp/s" }, false, SYSFS_HOST));
 * ```
 */
export function nwfilterMethods(state: NWFilterState): Partial<DriverConnection> {
  const byUUID = (uuid: string): NWFilterDef => {
    const def = state.filters.get(uuid.toLowerCase());
    if (!def) {
      throw VirError.report(
        F,
        "NO_NWFILTER",
        `no nwfilter with matching uuid '${uuid.toLowerCase()}'`,
      );
    }
    return def;
  };
  const binding = (portdev: string): NWFilterBindingDef => {
    const def = state.bindings.get(portdev);
    if (!def) {
      throw VirError.report(
        F,
        "NO_NWFILTER_BINDING",
        `no nwfilter binding for port dev '${portdev}'`,
      );
    }
    return def;
  };
  return methodTable({
    connectNumOfNWFilters: () => state.filters.size,
    connectListNWFilters: () => [...state.filters.values()].map((d) => d.name),
    connectListAllNWFilters: (flags) => {
      checkFlags(flags, 0, "nwfilterConnectListAllNWFilters", F);
      return [...state.filters.values()].map(refOf);
    },
    nwfilterLookupByName: (name) => {
      const def = state.byName(name);
      if (!def) {
        throw VirError.report(F, "NO_NWFILTER", `no nwfilter with matching name '${name}'`);
      }
      return refOf(def);
    },
    nwfilterLookupByUUID: (uuid) => refOf(byUUID(uuid)),
    nwfilterDefineXMLFlags: async (xml, flags) => {
      checkFlags(flags, VIR.NWFILTER_DEFINE_VALIDATE, "nwfilterDefineXMLFlags", F);
      if (!state.privileged) {
        throw VirError.report(F, "OPERATION_INVALID", "Can't define NWFilters in session mode");
      }
      const def = parseNWFilterXML(xml, flags);
      await assignDef(state, def);
      try {
        await state.save(def);
      } catch (e) {
        // virNWFilterObjListRemove: the filter goes, even one that was there before.
        state.filters.delete(def.uuid);
        throw e;
      }
      return refOf(def);
    },
    nwfilterUndefine: async (ref) => {
      const def = byUUID(ref.uuid);
      // virNWFilterObjTestUnassignDef: the bindings rebuilt as if it were gone.
      try {
        await rebuildAll(state, { name: def.name });
      } catch {
        throw VirError.report(F, "OPERATION_INVALID", "nwfilter is in use");
      }
      await state.remove(def);
      state.filters.delete(def.uuid);
    },
    nwfilterGetXMLDesc: (ref, flags) => {
      checkFlags(flags, 0, "nwfilterGetXMLDesc", F);
      return formatNWFilterXML(byUUID(ref.uuid));
    },
    connectListAllNWFilterBindings: (flags) => {
      checkFlags(flags, 0, "nwfilterConnectListAllNWFilterBindings", F);
      return [...state.bindings.values()].map(bindingRef);
    },
    nwfilterBindingLookupByPortDev: (portdev) => bindingRef(binding(portdev)),
    nwfilterBindingGetXMLDesc: (ref, flags) => {
      checkFlags(flags, 0, "nwfilterBindingGetXMLDesc", F);
      return formatNWFilterBindingXML(binding(ref.portdev));
    },
    nwfilterBindingCreateXML: async (xml, flags) => {
      checkFlags(flags, VIR.NWFILTER_BINDING_CREATE_VALIDATE, "nwfilterBindingCreateXML", F);
      if (!state.privileged) {
        throw VirError.report(
          F,
          "OPERATION_INVALID",
          "Can't define NWFilter bindings in session mode",
        );
      }
      const def = parseNWFilterBindingXML(xml, flags);
      if (state.bindings.has(def.portdev)) {
        throw VirError.report(F, "OPERATION_FAILED", `binding '${def.portdev}' already exists`);
      }
      state.bindings.set(def.portdev, def);
      try {
        await instantiateBinding(state, def);
      } catch (e) {
        state.bindings.delete(def.portdev);
        throw e;
      }
      await state.saveBinding(def);
      return bindingRef(def);
    },
    nwfilterBindingDelete: async (ref) => {
      await teardownBinding(state, binding(ref.portdev));
      state.bindings.delete(ref.portdev);
      await state.deleteBinding(ref.portdev);
    },
  });
}
