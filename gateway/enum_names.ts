/**
 * Names for libvirt's enum numbers in the gateway's JSON (`"state": 1, "stateName": "running"`)
 * and events (`"names": {"eventId": "lifecycle", "event": "started", "detail": "booted"}`), taken
 * from the constants' own names (`VIR_DOMAIN_RUNNING` → `running`), so that they follow libvirt.
 *
 * @example
 * ```ts
 * import { DOMAIN_STATES, eventNames } from "./enum_names.ts";
 * DOMAIN_STATES.name(1); // "running"
 * eventNames({ family: "domain", eventId: 0, ref: { name: "d", uuid: "", id: 1 }, data: { event: 2, detail: 0 } });
 * // { eventId: "lifecycle", event: "started", detail: "booted" }
 * ```
 * @module
 */
import { VIR } from "../util/constants.ts";
import type { DriverEvent, EventFamily } from "../util/driver.ts";

/** One libvirt enum: number ↔ lower-case name. */
export class EnumNames {
  readonly #byNumber = new Map<number, string>();
  readonly #byName = new Map<string, number>();

  /** The constants `VIR_<prefix><NAME>` for each of `names`, or every one with the prefix. */
  constructor(prefix: string, names?: readonly string[]) {
    const keys = names?.map((n) => prefix + n) ??
      Object.keys(VIR).filter((k) => k.startsWith(prefix) && !k.endsWith("_LAST"));
    for (const key of keys) {
      const value = (VIR as Record<string, number>)[key];
      if (value === undefined) throw new Error(`no constant VIR_${key}`);
      const name = key.slice(prefix.length).toLowerCase();
      // Aliases (libvirt keeps old names beside new ones): the first listed wins.
      if (!this.#byNumber.has(value)) this.#byNumber.set(value, name);
      this.#byName.set(name, value);
    }
  }

  /** The name of `value`; `undefined` for a number libvirt 9.0 does not name. */
  name(value: unknown): string | undefined {
    return typeof value === "number" ? this.#byNumber.get(value) : undefined;
  }

  /** The number named `name`, if any. */
  value(name: string): number | undefined {
    return this.#byName.get(name);
  }

  /** Every name, in the order of their numbers. */
  names(): string[] {
    return [...this.#byNumber].sort((a, b) => a[0] - b[0]).map(([, n]) => n);
  }
}

/** `virDomainState`. */
export const DOMAIN_STATES: EnumNames = new EnumNames("DOMAIN_", [
  "NOSTATE",
  "RUNNING",
  "BLOCKED",
  "PAUSED",
  "SHUTDOWN",
  "SHUTOFF",
  "CRASHED",
  "PMSUSPENDED",
]);

/** `virStoragePoolState`. */
export const POOL_STATES: EnumNames = new EnumNames("STORAGE_POOL_", [
  "INACTIVE",
  "BUILDING",
  "RUNNING",
  "DEGRADED",
  "INACCESSIBLE",
]);

/** Per family: the constants' prefix, and the lifecycle events' names. */
const FAMILIES: Record<EventFamily, { prefix: string; lifecycle: readonly string[] }> = {
  domain: {
    prefix: "DOMAIN_EVENT_",
    lifecycle: [
      "DEFINED",
      "UNDEFINED",
      "STARTED",
      "SUSPENDED",
      "RESUMED",
      "STOPPED",
      "SHUTDOWN",
      "PMSUSPENDED",
      "CRASHED",
    ],
  },
  network: { prefix: "NETWORK_EVENT_", lifecycle: ["DEFINED", "UNDEFINED", "STARTED", "STOPPED"] },
  storage_pool: {
    prefix: "STORAGE_POOL_EVENT_",
    lifecycle: ["DEFINED", "UNDEFINED", "STARTED", "STOPPED", "CREATED", "DELETED"],
  },
  node_device: {
    prefix: "NODE_DEVICE_EVENT_",
    lifecycle: ["CREATED", "DELETED", "DEFINED", "UNDEFINED"],
  },
  secret: { prefix: "SECRET_EVENT_", lifecycle: ["DEFINED", "UNDEFINED"] },
};

interface FamilyNames {
  ids: EnumNames;
  events: EnumNames;
  /** Lifecycle details per event name (libvirt has none for some events). */
  details: Map<string, EnumNames>;
}

const NAMES = new Map<EventFamily, FamilyNames>(
  Object.entries(FAMILIES).map(([family, { prefix, lifecycle }]) => {
    const events = new EnumNames(prefix, lifecycle);
    const details = new Map<string, EnumNames>();
    for (const event of lifecycle) {
      details.set(event.toLowerCase(), new EnumNames(`${prefix}${event}_`));
    }
    return [family as EventFamily, { ids: new EnumNames(`${prefix}ID_`), events, details }];
  }),
);

/** What an event's numbers mean: its id, and for a lifecycle event its event and detail. */
export interface EventNames {
  eventId?: string;
  event?: string;
  detail?: string;
}

/** The names of `ev`'s numbers (those libvirt 9.0 names). */
export function eventNames(ev: DriverEvent): EventNames {
  const family = NAMES.get(ev.family);
  if (!family) return {};
  const eventId = family.ids.name(ev.eventId);
  if (eventId !== "lifecycle") return { eventId };
  const event = family.events.name(ev.data.event);
  const detail = event ? family.details.get(event)?.name(ev.data.detail) : undefined;
  return { eventId, event, detail };
}

/**
 * An event as the gateway's event streams send it: the driver's event, and `names` beside its
 * numbers.
 */
export function namedEvent(ev: DriverEvent): DriverEvent & { names: EventNames } {
  return { ...ev, names: eventNames(ev) };
}
