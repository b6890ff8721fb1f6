/**
 * libvirt 9.0's network filter (`virNWFilterDef` of `src/conf/nwfilter_conf.h`) as data.
 *
 * @module
 */

/** One attribute of a rule's protocol element. */
export interface NWFilterItem {
  /** The value as libvirt writes it back (a `$variable` keeps its `$`). */
  text: string;
  /** The number checks compare (the IP protocol of a port rule), 0 when there is none. */
  num: number;
  variable: boolean;
  /** Under `match='no'`. */
  neg: boolean;
}

/** A `<rule>`. */
export interface NWFilterRule {
  action: string;
  direction: string;
  priority: number;
  /** `statematch='false'`. */
  noStatematch: boolean;
  /** The protocol element, when the rule has one. */
  protocol?: string;
  /** Its attributes by name. */
  items: Record<string, NWFilterItem>;
}

/** A `<filterref>`: another filter with parameters (names with their values). */
export interface NWFilterRef {
  filter: string;
  params: Map<string, string[]>;
}

/** A rule or a reference, in document order. */
export type NWFilterEntry = { rule: NWFilterRule } | { ref: NWFilterRef };

/** A `<filter>`. */
export interface NWFilterDef {
  name: string;
  /** The chain suffix (`root`, `mac…`, `ipv4…`, …). */
  chain: string;
  /** The chain priority; 0 is not written. */
  priority: number;
  uuid: string;
  /** Whether the document gave the UUID (libvirt's `uuid_specified`). */
  uuidSpecified: boolean;
  entries: NWFilterEntry[];
}
