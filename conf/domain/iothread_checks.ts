/**
 * The checks every driver makes before adding or removing an IOThread
 * (`virDomainDriverAddIOThreadCheck`, `virDomainDriverDelIOThreadCheck` of libvirt 9.0's
 * hypervisor/domain_driver.c): the id must be free to add, and known and unused by any disk or
 * controller to remove.
 *
 * @module
 */
import type { DomainDef } from "./def.ts";
import { iothreadIdsOf, iothreadOf } from "./iothreads.ts";
import { child } from "../../util/xml/mod.ts";
import { VirError } from "../../util/errors.ts";

const invalidArg = (message: string) => VirError.report("DOMAIN", "INVALID_ARG", message);

/**
 * Refuses to add IOThread `id` when the definition has it already.
 *
 * @example
 * ```ts
 * import { addIOThreadCheck } from "./iothread_checks.ts";
 * import type { DomainDef } from "./def.ts";
 * declare const def: DomainDef;
 * addIOThreadCheck(def, 1); // throws "… an IOThread is already using iothread_id '1'" with <iothreads>1</iothreads>
 * ```
 */
export function addIOThreadCheck(def: DomainDef, id: number): void {
  if (iothreadIdsOf(def).includes(id)) {
    throw invalidArg(`an IOThread is already using iothread_id '${id}'`);
  }
}

/**
 * Refuses to remove IOThread `id` when the definition lacks it or a disk or controller runs in
 * it.
 *
 * @example
 * ```ts
 * import { delIOThreadCheck } from "./iothread_checks.ts";
 * import type { DomainDef } from "./def.ts";
 * declare const def: DomainDef;
 * delIOThreadCheck(def, 3); // throws "… cannot find IOThread '3' in iothreadids list"
 * ```
 */
export function delIOThreadCheck(def: DomainDef, id: number): void {
  if (!iothreadIdsOf(def).includes(id)) {
    throw invalidArg(`cannot find IOThread '${id}' in iothreadids list`);
  }
  const users = def.devices.other.filter((d) => iothreadOf(d) === id);
  const disk = users.find((d) => d.name === "disk");
  if (disk) {
    throw invalidArg(
      `cannot remove IOThread ${id} since it is being used by disk '${
        child(disk, "target")?.attributes.dev
      }'`,
    );
  }
  if (users.some((d) => d.name === "controller")) {
    throw invalidArg(`cannot remove IOThread '${id}' since it is being used by controller`);
  }
}
