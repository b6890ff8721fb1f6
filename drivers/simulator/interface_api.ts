/**
 * Host interfaces of libvirt's test driver (`testInterfaceDriver`): listing, lookups by name
 * and MAC, define/undefine, start/stop and the change transaction (begin, commit, rollback),
 * which snapshots the whole interface list.
 *
 * @module
 */
import type { DriverConnection } from "../../util/driver.ts";
import { VIR } from "../../util/constants.ts";
import { checkFlags, VirError } from "../../util/errors.ts";
import {
  INTERFACE_LIST_FILTERS_ALL,
  interfaceRef as ref,
} from "../../conf/objects/interface_obj.ts";
import { orNotFound } from "../../conf/objects/not_found.ts";
import { formatInterfaceXML, parseInterfaceXML } from "./conf_adapters.ts";
import type { TestDriverState } from "./driver_state.ts";
import { methodTable } from "../../util/method_table.ts";

const F = "TEST";

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
      state.ifaces.findByName(name),
      F,
      "NO_INTERFACE",
      `no interface with matching name '${name}'`,
    );
  const names = (active: boolean) => state.ifaces.names(active);
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
  return methodTable({
    connectNumOfInterfaces: () => names(true).length,
    connectListInterfaces: () => names(true),
    connectNumOfDefinedInterfaces: () => names(false).length,
    connectListDefinedInterfaces: () => names(false),
    connectListAllInterfaces: (flags) => {
      checkFlags(flags, INTERFACE_LIST_FILTERS_ALL, "testConnectListAllInterfaces", F);
      return state.ifaces.export(flags).map(ref);
    },
    interfaceLookupByName: (name) => ref(byName(name)),
    interfaceLookupByMACString: (mac) => {
      const matches = state.ifaces.findByMAC(mac);
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
      return ref(state.ifaces.assignDef(parseInterfaceXML(xml, flags)));
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
      // virInterfaceObjListClone copies the definitions into new objects, which start
      // inactive: a rollback leaves every interface inactive.
      state.ifaceBackup = [...state.ifaces].map((o) => ({
        def: structuredClone(o.def),
        active: false,
      }));
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
