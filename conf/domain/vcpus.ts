/**
 * `<vcpus>`: the per-vCPU states (virDomainVcpuParse's list and virDomainVcpuDefPostParse). A
 * listed state makes libvirt keep one entry per vCPU up to the maximum: unlisted vCPUs are
 * offline, and a vCPU is hotpluggable by default exactly when it is offline.
 *
 * @example
 * ```ts
 * import { parseVcpuList } from "./vcpus.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * parseVcpuList(parse("<vcpus><vcpu id='1' enabled='yes'/></vcpus>"), 2).map((v) => v.enabled);
 * // [false, true]
 * ```
 * @module
 */
import { VirError } from "../../util/errors.ts";
import type { XmlElement } from "../../util/xml/mod.ts";
import { children } from "../../util/xml/mod.ts";
import { parseYesNo, xmlPropUInt } from "../common/mod.ts";
import type { DomainVcpuInfo } from "./def.ts";

/** More vCPUs than an array can hold entries for. */
const MAX_LISTED = 2 ** 24;

/** The entries of `<vcpus>` for a domain of `max` vCPUs, post-parse defaults applied. */
export function parseVcpuList(el: XmlElement, max: number): DomainVcpuInfo[] {
  // libvirt allocates one entry per vCPU up to the maximum and dies trying for a count like
  // <vcpu>-1</vcpu> (UINT_MAX); the entries here are as real, so such a count is out of memory.
  if (max > MAX_LISTED) throw VirError.report("DOMAIN", "NO_MEMORY");
  const list: { online: boolean; hotpluggable?: boolean; order: number }[] = Array.from(
    { length: max },
    () => ({ online: false, order: 0 }),
  );
  for (const v of children(el, "vcpu")) {
    const id = xmlPropUInt(v, "id");
    if (id === undefined) throw missing("id");
    if (id >= max) {
      throw VirError.report(
        "DOMAIN",
        "XML_ERROR",
        `vcpu id '${id}' is out of range of maximum vcpu count`,
      );
    }
    const entry = list[id];
    const enabled = parseYesNo(v.attributes.enabled, "XML", "enabled", "vcpu");
    if (enabled === undefined) throw missing("enabled");
    entry.online = enabled;
    entry.hotpluggable = parseYesNo(v.attributes.hotpluggable, "XML", "hotpluggable", "vcpu");
    entry.order = xmlPropUInt(v, "order") ?? 0;
  }
  // An offline vCPU that is not hotpluggable is refused after the whole parse
  // (virDomainVcpuDefPostParse; see checkVcpuList).
  return list.map((e, id) => {
    const hotpluggable = e.hotpluggable ?? !e.online;
    return { id, enabled: e.online, hotpluggable, ...(e.order ? { order: e.order } : {}) };
  });
}

function missing(attr: string): VirError {
  return VirError.report(
    "XML",
    "XML_ERROR",
    `Missing required attribute '${attr}' in element 'vcpu'`,
  );
}

/**
 * virDomainVcpuDefPostParse's check, made after the whole definition is parsed: an offline
 * vCPU must be hotpluggable.
 *
 * @example
 * ```ts
 * import { checkVcpuList } from "./vcpus.ts";
 * checkVcpuList([{ id: 0, enabled: true, hotpluggable: false }]); // passes
 * ```
 */
export function checkVcpuList(list: DomainVcpuInfo[] | undefined): void {
  const bad = list?.find((v) => !v.enabled && !v.hotpluggable);
  if (bad) {
    throw VirError.report(
      "DOMAIN",
      "CONFIG_UNSUPPORTED",
      `vcpu '${bad.id}' is both offline and not hotpluggable`,
    );
  }
}
