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

/** A constant's name after its prefix that is one word (`RUNNING`, not `RUNNING_BOOTED`). */
const ONE_WORD = (suffix: string) => /^[A-Z]+$/.test(suffix);

/** One libvirt enum: number ↔ lower-case name. */
export class EnumNames {
  readonly #byNumber = new Map<number, string>();
  readonly #byName = new Map<string, number>();

  /** The constants `VIR_<prefix><SUFFIX>` whose suffix `pick` takes (all but `…_LAST`). */
  constructor(prefix: string, pick: (suffix: string) => boolean = (s) => !s.endsWith("LAST")) {
    const keys = Object.keys(VIR).filter((k) => k.startsWith(prefix))
      .filter((k) => pick(k.slice(prefix.length)));
    for (const key of keys) {
      const value = (VIR as Record<string, number>)[key];
      const name = key.slice(prefix.length).toLowerCase();
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

/** `virDomainState` (`VIR_DOMAIN_NONE` is another enum's 0). */
export const DOMAIN_STATES: EnumNames = new EnumNames(
  "DOMAIN_",
  (s) => ONE_WORD(s) && s !== "NONE",
);

/** `virStoragePoolState`. */
export const POOL_STATES: EnumNames = new EnumNames("STORAGE_POOL_", ONE_WORD);

/** Each family's event constants' prefix; its lifecycle events are the one-word ones. */
const FAMILIES: Record<EventFamily, string> = {
  domain: "DOMAIN_EVENT_",
  network: "NETWORK_EVENT_",
  storage_pool: "STORAGE_POOL_EVENT_",
  node_device: "NODE_DEVICE_EVENT_",
  secret: "SECRET_EVENT_",
};

interface FamilyNames {
  ids: EnumNames;
  events: EnumNames;
  /** Lifecycle details per event name (libvirt has none for some events). */
  details: Map<string, EnumNames>;
}

const NAMES = new Map<EventFamily, FamilyNames>(
  Object.entries(FAMILIES).map(([family, prefix]) => {
    const events = new EnumNames(prefix, ONE_WORD);
    const details = new Map<string, EnumNames>();
    for (const event of events.names()) {
      details.set(event, new EnumNames(`${prefix}${event.toUpperCase()}_`));
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
