/**
 * Host interfaces of libvirt's test driver (`testInterfaceDriver`): listing, lookups by name
 * and MAC, define/undefine, start/stop and the change transaction (begin, commit, rollback),
 * which snapshots the whole interface list.
 *
 * @module
 */
import type { DriverConnection, InterfaceRef } from "../../util/driver.ts";
import { VIR } from "../../util/constants.ts";
import { checkFlags, VirError } from "../../util/errors.ts";
import { formatInterfaceXML, parseInterfaceXML } from "./conf_adapters.ts";
import type { InterfaceObj, TestDriverState } from "./driver_state.ts";
import { pairFilter } from "./list_filter.ts";
import { orNotFound } from "./object_lookup.ts";
import { lift } from "./sync_table.ts";

const F = "TEST";

function ref(obj: InterfaceObj): InterfaceRef {
  return { name: obj.def.name, mac: obj.def.mac ?? "" };
}

/**
 * `virInterfaceObjListAssignDef`: a definition replaces the one of the same name (keeping its
 * run state) or adds an inactive interface.
 *
 * @example
 * ```ts
 * import { assignInterface } from "./interface_api.ts";
 * declare const state: import("./driver_state.ts").TestDriverState;
 * declare const def: import("./conf_adapters.ts").InterfaceDef;
 * assignInterface(state, def).active; // false for a new interface
 * ```
 */
export function assignInterface(
  state: TestDriverState,
  def: InterfaceObj["def"],
): InterfaceObj {
  const same = state.ifaces.get("name", def.name);
  if (same) {
    same.def = def;
    state.ifaces.reindex(same);
    return same;
  }
  return state.ifaces.add({ def, active: false });
}

/**
 * The test driver's interface table.
 *
 * @example
 * ```ts
 * import { interfaceMethods } from "./interface_api.ts";
 * import { TestDriverState } from "./driver_state.ts";
 * const methods = interfaceMethods(new TestDriverState());
 * ```
 */
export function interfaceMethods(state: TestDriverState): Partial<DriverConnection> {
  const byName = (name: string) =>
    orNotFound(
      state.ifaces.get("name", name),
      "NO_INTERFACE",
      `no interface with matching name '${name}'`,
    );
  const names = (active: boolean) =>
    state.ifaces.filter((i) => i.active === active).map((i) => i.def.name);
  const backup = (action: string) => {
    if (!state.ifaceBackup) {
      throw VirError.report(
        F,
        "OPERATION_INVALID",
        `no transaction running, nothing to ${action}.`,
      );
    }
    return state.ifaceBackup;
  };
  return lift({
    connectNumOfInterfaces: () => names(true).length,
    connectListInterfaces: () => names(true),
    connectNumOfDefinedInterfaces: () => names(false).length,
    connectListDefinedInterfaces: () => names(false),
    connectListAllInterfaces: (flags) => {
      const filters = VIR.CONNECT_LIST_INTERFACES_ACTIVE | VIR.CONNECT_LIST_INTERFACES_INACTIVE;
      checkFlags(flags, filters, "testConnectListAllInterfaces", F);
      return state.ifaces.filter((i) =>
        pairFilter(
          flags,
          VIR.CONNECT_LIST_INTERFACES_ACTIVE,
          VIR.CONNECT_LIST_INTERFACES_INACTIVE,
          i.active,
        )
      ).map(ref);
    },
    interfaceLookupByName: (name) => ref(byName(name)),
    interfaceLookupByMACString: (mac) => {
      const matches = state.ifaces.all("mac", mac.toLowerCase());
      if (!matches.length) {
        throw VirError.report(F, "NO_INTERFACE", `no interface with matching mac '${mac}'`);
      }
      if (matches.length > 1) throw VirError.report(F, "MULTIPLE_INTERFACES");
      // libvirt hands back the MAC as the caller spelled it.
      return { name: matches[0].def.name, mac };
    },
    interfaceGetXMLDesc: (iface, flags) => {
      checkFlags(flags, 0, "testInterfaceGetXMLDesc", F);
      return formatInterfaceXML(byName(iface.name).def);
    },
    interfaceDefineXML: (xml, flags) => {
      checkFlags(flags, VIR.INTERFACE_DEFINE_VALIDATE, "testInterfaceDefineXML", F);
      return ref(assignInterface(state, parseInterfaceXML(xml, flags)));
    },
    interfaceUndefine: (iface) => {
      const obj = byName(iface.name);
      state.ifaces.delete(obj);
    },
    interfaceCreate: (iface, flags) => {
      checkFlags(flags, 0, "testInterfaceCreate", F);
      const obj = byName(iface.name);
      if (obj.active) throw VirError.report(F, "OPERATION_INVALID");
      obj.active = true;
    },
    interfaceDestroy: (iface, flags) => {
      checkFlags(flags, 0, "testInterfaceDestroy", F);
      const obj = byName(iface.name);
      if (!obj.active) throw VirError.report(F, "OPERATION_INVALID");
      obj.active = false;
    },
    interfaceIsActive: (iface) => byName(iface.name).active,
    interfaceChangeBegin: (flags) => {
      checkFlags(flags, 0, "testInterfaceChangeBegin", F);
      if (state.ifaceBackup) {
        throw VirError.report(F, "OPERATION_INVALID", "there is another transaction running.");
      }
      state.ifaceBackup = structuredClone([...state.ifaces]);
    },
    interfaceChangeCommit: (flags) => {
      checkFlags(flags, 0, "testInterfaceChangeCommit", F);
      backup("be committed");
      state.ifaceBackup = undefined;
    },
    interfaceChangeRollback: (flags) => {
      checkFlags(flags, 0, "testInterfaceChangeRollback", F);
      const saved = backup("rollback");
      state.ifaces.clear();
      for (const obj of saved) state.ifaces.add(obj);
      state.ifaceBackup = undefined;
    },
  });
}
