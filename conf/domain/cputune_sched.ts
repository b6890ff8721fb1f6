/**
 * The scheduler values of `<cputune>` (`def->cputune.shares`, `period`, `quota`,
 * `emulator_period`, …), read from and written into the section so the XML prints them where
 * libvirt does and they follow the live/persistent split.
 *
 * @module
 */
import type { DomainDef } from "./def.ts";
import { replacePins } from "./pins.ts";
import { children, childText } from "../../util/xml/mod.ts";

/** The `<cputune>` children holding one number each. */
export type CputuneValue =
  | "shares"
  | "period"
  | "quota"
  | "global_period"
  | "global_quota"
  | "emulator_period"
  | "emulator_quota"
  | "iothread_period"
  | "iothread_quota";

/**
 * A `<cputune>` number, or undefined when unset (libvirt's 0 for periods and quotas).
 *
 * @example
 * ```ts
 * import { cputuneValue } from "./cputune_sched.ts";
 * import type { DomainDef } from "./def.ts";
 * declare const def: DomainDef;
 * cputuneValue(def, "shares"); // 2048 for <shares>2048</shares>
 * ```
 */
export function cputuneValue(def: DomainDef, name: CputuneValue): number | undefined {
  const text = childText(def.sections.find((s) => s.name === "cputune"), name);
  return text === undefined ? undefined : Number(text);
}

/**
 * Sets a `<cputune>` number (undefined removes it).
 *
 * @example
 * ```ts
 * import { setCputuneValue } from "./cputune_sched.ts";
 * import type { DomainDef } from "./def.ts";
 * declare const def: DomainDef;
 * setCputuneValue(def, "shares", 2048); // <shares>2048</shares>
 * ```
 */
export function setCputuneValue(def: DomainDef, name: CputuneValue, value?: number): void {
  replacePins(
    def,
    name,
    value === undefined ? [] : [{
      type: "element",
      name,
      attributes: {},
      children: [{ type: "text", text: String(value) }],
    }],
  );
}

/** A thread's `<vcpusched>`, `<iothreadsched>` or `<emulatorsched>`: its scheduler and priority. */
export interface ThreadSched {
  scheduler: string;
  priority?: number;
}

/** The attribute naming the threads of each scheduler element (the emulator's has none). */
const SCHED_IDS = { vcpusched: "vcpus", iothreadsched: "iothreads", emulatorsched: undefined };

/**
 * The scheduler `<cputune>` gives vCPU or IOThread `id` (the parse leaves one id per element),
 * or the emulator thread, or undefined.
 *
 * @example
 * ```ts
 * import { threadSchedOf } from "./cputune_sched.ts";
 * import type { DomainDef } from "./def.ts";
 * declare const def: DomainDef;
 * threadSchedOf(def, "iothreadsched", 1); // { scheduler: "fifo", priority: 1 }
 * threadSchedOf(def, "emulatorsched"); // { scheduler: "idle", priority: undefined }
 * ```
 */
export function threadSchedOf(
  def: DomainDef,
  name: keyof typeof SCHED_IDS,
  id?: number,
): ThreadSched | undefined {
  const attr = SCHED_IDS[name];
  const el = children(def.sections.find((s) => s.name === "cputune"), name)
    .find((e) => attr === undefined || e.attributes[attr] === String(id));
  if (!el) return undefined;
  const { scheduler, priority } = el.attributes;
  return { scheduler, priority: priority === undefined ? undefined : Number(priority) };
}
