/**
 * What the lists of objects identified by UUID and name share (libvirt's `virDomainObjList`,
 * `virNetworkObjList`, `virStoragePoolObjList`): lookups by UUID in any spelling, and the
 * duplicate rules their `*ObjListAdd` / `*AssignDef` apply before taking a definition.
 *
 * @module
 */
import { type ErrorDomainName, VirError } from "../../util/errors.ts";
import { parseUUID } from "../../util/uuid.ts";
import { type Key } from "./keyed_table.ts";
import { NamedObjList } from "./named_obj_list.ts";

/** An object whose definition has a name and a UUID. */
export interface UUIDObj {
  def: { name: string; uuid: string };
  active?: boolean;
}

/**
 * The duplicate rules of `virDomainObjListAdd`, `virNetworkObjAssignDef` and
 * `virStoragePoolObjListAdd`: the object with the definition's UUID must have its name (else
 * "<kind> 'x' is already defined with uuid …") and is returned; without one, no other object
 * may have the name ("<kind> 'x' already exists with uuid …").
 *
 * @example
 * ```ts
 * import { sameUUID } from "./uuid_obj_list.ts";
 * const def = { name: "a", uuid: "c7a5fdbd-edaf-9455-926a-d65c16db1809" };
 * sameUUID(undefined, () => undefined, def, "domain", "DOMAIN"); // undefined: a new object
 * ```
 */
export function sameUUID<T extends UUIDObj>(
  byUUID: T | undefined,
  byName: () => T | undefined,
  def: { name: string; uuid: string },
  kind: string,
  from: ErrorDomainName,
): T | undefined {
  if (byUUID) {
    if (byUUID.def.name !== def.name) {
      throw VirError.report(
        from,
        "OPERATION_FAILED",
        `${kind} '${byUUID.def.name}' is already defined with uuid ${byUUID.def.uuid}`,
      );
    }
    return byUUID;
  }
  const other = byName();
  if (other) {
    throw VirError.report(
      from,
      "OPERATION_FAILED",
      `${kind} '${def.name}' already exists with uuid ${other.def.uuid}`,
    );
  }
  return undefined;
}

/**
 * A named object list that also indexes its objects by UUID.
 *
 * @example
 * ```ts
 * import { UUIDObjList } from "./uuid_obj_list.ts";
 * const list = new UUIDObjList<{ def: { name: string; uuid: string } }>();
 * list.add({ def: { name: "a", uuid: "c7a5fdbd-edaf-9455-926a-d65c16db1809" } });
 * list.findByUUID("C7A5FDBDEDAF9455926AD65C16DB1809")?.def.name; // "a"
 * ```
 */
export class UUIDObjList<T extends UUIDObj> extends NamedObjList<T, "uuid"> {
  constructor() {
    super({ uuid: (obj: T): Key => obj.def.uuid });
  }

  /** The object with this UUID, in any spelling libvirt accepts. */
  findByUUID(uuid: string): T | undefined {
    return this.get("uuid", parseUUID(uuid));
  }

  /**
   * {@link sameUUID} against this list; with `checkLive` an active object is refused too
   * ("<kind> is already active as 'x'").
   */
  protected sameUUID(
    def: { name: string; uuid: string },
    kind: string,
    from: ErrorDomainName,
    checkLive: boolean,
  ): T | undefined {
    const same = sameUUID(
      this.get("uuid", def.uuid),
      () => this.findByName(def.name),
      def,
      kind,
      from,
    );
    if (checkLive && same?.active) {
      throw VirError.report(
        from,
        "OPERATION_INVALID",
        `${kind} is already active as '${same.def.name}'`,
      );
    }
    return same;
  }
}
