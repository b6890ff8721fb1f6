/**
 * The limits of `<memtune>` (`def->mem.hard_limit`, `soft_limit`, `swap_hard_limit`), in KiB,
 * read from and written into the section so the XML prints them where libvirt does; an
 * absent limit is `VIR_DOMAIN_MEMORY_UNLIMITED`.
 *
 * @module
 */
import type { DomainDef, XmlElementJSON } from "./def.ts";
import { dropIfEmpty, kidOrder, section, setChild } from "./tune_xml.ts";
import { childText } from "../../util/xml/mod.ts";
import { MEMORY_UNLIMITED } from "../../util/cgroup/backend.ts";

/** The `<memtune>` limits, in libvirt's parameter order (`virDomainGetMemoryParameters`). */
export const MEMTUNE_LIMITS = ["hard_limit", "soft_limit", "swap_hard_limit"] as const;

/** One of {@link MEMTUNE_LIMITS}. */
export type MemtuneLimit = (typeof MEMTUNE_LIMITS)[number];

/**
 * A `<memtune>` limit in KiB ({@link MEMORY_UNLIMITED} when unset).
 *
 * @example
 * ```ts
 * import { memtuneLimit } from "./memtune_limits.ts";
 * import type { DomainDef } from "./def.ts";
 * declare const def: DomainDef;
 * memtuneLimit(def, "hard_limit"); // 1048576 for <hard_limit unit='GiB'>1</hard_limit>
 * ```
 */
export function memtuneLimit(def: DomainDef, name: MemtuneLimit): number {
  const text = childText(def.sections.find((s) => s.name === "memtune"), name);
  return text === undefined ? MEMORY_UNLIMITED : Number(text);
}

/**
 * Sets a `<memtune>` limit in KiB; a limit at or above {@link MEMORY_UNLIMITED} is no
 * limit (libvirt prints none), and an empty `<memtune>` goes.
 *
 * @example
 * ```ts
 * import { setMemtuneLimit } from "./memtune_limits.ts";
 * import type { DomainDef } from "./def.ts";
 * declare const def: DomainDef;
 * setMemtuneLimit(def, "soft_limit", 65536); // <soft_limit unit='KiB'>65536</soft_limit>
 * ```
 */
export function setMemtuneLimit(def: DomainDef, name: MemtuneLimit, kib: number): void {
  const el: XmlElementJSON | undefined = kib < MEMORY_UNLIMITED
    ? {
      type: "element",
      name,
      attributes: { unit: "KiB" },
      children: [{ type: "text", text: String(kib) }],
    }
    : undefined;
  setChild(section(def, "memtune", true), name, el, kidOrder("memtune"));
  dropIfEmpty(def, "memtune");
}
