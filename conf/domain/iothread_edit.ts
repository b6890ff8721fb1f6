/**
 * IOThreads removed and pinned in a definition as libvirt 9.0's `virDomainIOThreadIDDel` and
 * the drivers' pin calls change `def->iothreadids`, with its `autofill` flags: libvirt lists
 * `<iothreadids>` once one IOThread is not filled in automatically, and a removal or a pin
 * makes some so.
 *
 * @module
 */
import type { DomainDef } from "./def.ts";
import { filledIothreadIds, iothreadIdsOf, writeIothreadIds } from "./iothreads.ts";
import { iothreadPinsOf, replacePins, writeIothreadPins } from "./pins.ts";
import { children } from "../../util/xml/mod.ts";

/**
 * Removes IOThread `id` with its pin and scheduler. The IOThreads after it stop being filled in
 * (libvirt keeps them as they are); when all those left are filled in, `<iothreads>` alone
 * counts them.
 *
 * @example
 * ```ts
 * import { removeIothread } from "./iothread_edit.ts";
 * import type { DomainDef } from "./def.ts";
 * declare const def: DomainDef;
 * removeIothread(def, 2); // <iothreads>3</iothreads> → <iothreads>2</iothreads><iothreadids> 1, 3
 * ```
 */
export function removeIothread(def: DomainDef, id: number): void {
  const ids = iothreadIdsOf(def);
  const after = ids.slice(ids.indexOf(id) + 1);
  const filled = filledIothreadIds(def).filter((i) => i !== id && !after.includes(i));
  const pins = iothreadPinsOf(def);
  const rest = ids.filter((i) => i !== id);
  writeIothreadIds(def, rest, filled);
  writeIothreadPins(def, rest, pins);
  const cputune = def.sections.find((s) => s.name === "cputune");
  const scheds = children(cputune, "iothreadsched");
  replacePins(def, "iothreadsched", scheds.filter((s) => s.attributes.iothreads !== String(id)));
}

/**
 * Pins IOThread `id` (one of the definition's) to `cpus`; a pinned IOThread is no longer filled
 * in, so the IOThreads get listed.
 *
 * @example
 * ```ts
 * import { pinIothread } from "./iothread_edit.ts";
 * import type { DomainDef } from "./def.ts";
 * declare const def: DomainDef;
 * pinIothread(def, 1, [0]); // <iothreadpin iothread='1' cpuset='0'/>
 * ```
 */
export function pinIothread(def: DomainDef, id: number, cpus: number[]): void {
  const ids = iothreadIdsOf(def);
  const pins = iothreadPinsOf(def);
  pins.set(id, cpus);
  writeIothreadIds(def, ids, filledIothreadIds(def).filter((i) => i !== id));
  writeIothreadPins(def, ids, pins);
}
