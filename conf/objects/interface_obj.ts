/**
 * libvirt's `virInterfaceObj` and `virInterfaceObjList` (src/conf/virinterfaceobj.c): host
 * interfaces by name and by MAC (which several may share), `virInterfaceObjListAssignDef` and
 * the filters of `virInterfaceObjListExport`.
 *
 * @module
 */
import type { InterfaceDef } from "../interface/model.ts";
import type { InterfaceRef } from "../../util/driver.ts";
import { VIR } from "../../util/constants.ts";
import { pairFilter } from "./list_filter.ts";
import { NamedObjList } from "./named_obj_list.ts";

/** A host interface (`virInterfaceObj`). */
export interface InterfaceObj {
  def: InterfaceDef;
  active: boolean;
}

/** Every filter `connectListAllInterfaces` accepts. */
export const INTERFACE_LIST_FILTERS_ALL = VIR.CONNECT_LIST_INTERFACES_ACTIVE |
  VIR.CONNECT_LIST_INTERFACES_INACTIVE;

/**
 * The handle of an interface (`virGetInterface`).
 *
 * @example
 * ```ts
 * import { interfaceRef } from "./interface_obj.ts";
 * declare const obj: import("./interface_obj.ts").InterfaceObj;
 * interfaceRef(obj).mac;
 * ```
 */
export function interfaceRef(obj: InterfaceObj): InterfaceRef {
  return { name: obj.def.name, mac: obj.def.mac ?? "" };
}

/** g_ascii_strcasecmp's folding: ASCII letters only. */
function asciiLower(s: string): string {
  return s.replace(/[A-Z]/g, (c) => c.toLowerCase());
}

/**
 * A driver's host interfaces.
 *
 * @example
 * ```ts
 * import { InterfaceObjList } from "./interface_obj.ts";
 * declare const def: import("../interface/model.ts").InterfaceDef;
 * const ifaces = new InterfaceObjList();
 * ifaces.assignDef(def).active; // false
 * ```
 */
export class InterfaceObjList extends NamedObjList<InterfaceObj, never> {
  constructor() {
    super({});
  }

  /**
   * `virInterfaceObjListFindByMACString`: every interface with this MAC, in any case. libvirt
   * compares with g_ascii_strcasecmp, which answers "equal" for a definition without a MAC
   * (its NULL check returns 0), so such an interface matches whatever MAC is asked for.
   */
  findByMAC(mac: string): readonly InterfaceObj[] {
    const want = asciiLower(mac);
    return this.filter((i) => !i.def.mac || asciiLower(i.def.mac) === want);
  }

  /**
   * `virInterfaceObjListAssignDef`: a definition replaces the one of the same name (keeping
   * its run state) or adds an inactive interface.
   */
  assignDef(def: InterfaceDef): InterfaceObj {
    const same = this.findByName(def.name);
    if (same) {
      same.def = def;
      this.reindex(same);
      return same;
    }
    return this.add({ def, active: false });
  }

  /** `virInterfaceObjListExport`: the interfaces matching the active/inactive filters. */
  export(flags: number): InterfaceObj[] {
    return this.filter((i) =>
      pairFilter(
        flags,
        VIR.CONNECT_LIST_INTERFACES_ACTIVE,
        VIR.CONNECT_LIST_INTERFACES_INACTIVE,
        i.active,
      )
    );
  }
}
