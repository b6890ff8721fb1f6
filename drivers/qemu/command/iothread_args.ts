/**
 * IOThreads on the command line (libvirt 9.0's `qemuBuildIOThreadCommandLine`): an `iothread`
 * object per IOThread, in the definition's order, and the `main-loop` object of a
 * `<defaultiothread>`, each with the worker pool bounds the XML sets; and the `iothread`
 * property of a device that runs in one.
 *
 * @module
 */
import type { DomainDef } from "../../../conf/domain/def.ts";
import { iothreadIdsOf, iothreadOf, iothreadPoolOf } from "../../../conf/domain/iothreads.ts";
import type { XmlElement } from "../../../util/xml/mod.ts";

/**
 * QEMU's id of IOThread `id` (its object's id and QOM path `/objects/iothreadN`).
 *
 * @example
 * ```ts
 * import { iothreadAlias } from "./iothread_args.ts";
 * iothreadAlias(2); // "iothread2"
 * ```
 */
export function iothreadAlias(id: number): string {
  return `iothread${id}`;
}

/** libvirt's `k:` properties: a pool bound only when set (not -1). */
function poolProps(min: number, max: number): Record<string, number> {
  return {
    ...(min >= 0 ? { "thread-pool-min": min } : {}),
    ...(max >= 0 ? { "thread-pool-max": max } : {}),
  };
}

/**
 * The `-object` arguments of the definition's IOThreads and default IOThread, in libvirt's
 * JSON form.
 *
 * @example
 * ```ts
 * import { iothreadObjectArgs } from "./iothread_args.ts";
 * import type { DomainDef } from "../../../conf/domain/def.ts";
 * declare const def: DomainDef;
 * iothreadObjectArgs(def); // ["-object", '{"qom-type":"iothread","id":"iothread1"}']
 * ```
 */
export function iothreadObjectArgs(def: DomainDef): string[] {
  const objects = iothreadIdsOf(def).map((id) => {
    const { min, max } = iothreadPoolOf(def, id);
    return { "qom-type": "iothread", id: iothreadAlias(id), ...poolProps(min, max) };
  });
  const main = def.sections.find((s) => s.name === "defaultiothread")?.attributes;
  const [min, max] = [main?.thread_pool_min, main?.thread_pool_max].map((v) => Number(v ?? -1));
  // libvirt keeps a <defaultiothread> only with a bound set.
  if (min >= 0 || max >= 0) {
    objects.push({ "qom-type": "main-loop", id: "main-loop", ...poolProps(min, max) });
  }
  return objects.flatMap((o) => ["-object", JSON.stringify(o)]);
}

/**
 * The `iothread` device property of a virtio disk or virtio-scsi controller that names one.
 *
 * @example
 * ```ts
 * import { iothreadProp } from "./iothread_args.ts";
 * import { element } from "../../../util/xml/mod.ts";
 * iothreadProp(element("disk", {}, [element("driver", { iothread: "2" })])); // { iothread: "iothread2" }
 * ```
 */
export function iothreadProp(dev: XmlElement): { iothread?: string } {
  const id = iothreadOf(dev);
  return id ? { iothread: iothreadAlias(id) } : {};
}
