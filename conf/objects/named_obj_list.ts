/**
 * What the object lists of the host families share (libvirt's `virNetworkObjList`,
 * `virStoragePoolObjList`, `virInterfaceObjList`, `virNodeDeviceObjList`): objects found by the
 * name of their definition, and the names of the active or inactive ones for the old
 * `connectList*` / `connectListDefined*` calls.
 *
 * @module
 */
import { type Key, KeyedTable } from "./keyed_table.ts";

/** An object whose definition has a name and which may be running. */
export interface NamedObj {
  def: { name: string };
  active?: boolean;
}

/**
 * A keyed table that indexes its objects by name besides the family's own keys.
 *
 * @example
 * ```ts
 * import { NamedObjList } from "./named_obj_list.ts";
 * const list = new NamedObjList<{ def: { name: string }; active: boolean }, never>({});
 * list.add({ def: { name: "eth0" }, active: true });
 * list.names(true); // ["eth0"]
 * ```
 */
export class NamedObjList<T extends NamedObj, I extends string> extends KeyedTable<T, I | "name"> {
  constructor(indexes: Record<I, (obj: T) => Key>) {
    super({ ...indexes, name: (obj: T) => obj.def.name } as Record<I | "name", (obj: T) => Key>);
  }

  /** The object whose definition has this name. */
  findByName(name: string | undefined): T | undefined {
    return this.get("name", name);
  }

  /** `vir*ObjListGetNames`: the names of the active (or inactive) objects, in order. */
  names(active: boolean): string[] {
    return this.filter((obj) => Boolean(obj.active) === active).map((obj) => obj.def.name);
  }
}
