/**
 * What a JSON domain definition may leave out, filled in as libvirt fills it in or as the
 * served driver needs it: `name`, `memory` and `vcpu` are enough. `memory` (KiB) and `vcpu` may
 * be plain numbers; the current amounts default to the maximum ones, as libvirt's
 * `currentMemory` and `vcpu current` do; the UUID is generated when absent (libvirt generates
 * one on define), the domain type is the served driver's, `os` is `hvm`.
 *
 * @example
 * ```ts
 * import { domainDefaults } from "./json_defaults.ts";
 * const def = domainDefaults({ name: "web", memory: 65536, vcpu: 1 }, "test") as { vcpu: unknown };
 * def.vcpu; // { max: 1, current: 1 }
 * ```
 * @module
 */

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** `body` with the defaults of a domain definition for a driver of `virtType` filled in. */
export function domainDefaults(body: unknown, virtType: string): unknown {
  if (!isObject(body)) return body;
  const out: Json = { type: virtType, id: -1, uuid: crypto.randomUUID(), sections: [], ...body };
  const memory = typeof body.memory === "number" ? { total: body.memory } : body.memory;
  if (isObject(memory)) out.memory = { current: memory.total, ...memory };
  const vcpu = typeof body.vcpu === "number" ? { max: body.vcpu } : body.vcpu;
  if (isObject(vcpu)) out.vcpu = { current: vcpu.max, ...vcpu };
  const os = body.os ?? {};
  if (isObject(os)) out.os = { type: "hvm", extra: [], ...os };
  const devices = body.devices ?? {};
  if (isObject(devices)) {
    out.devices = { disks: [], interfaces: [], graphics: [], other: [], ...devices };
  }
  return out;
}

/**
 * The `<domain type=…>` for JSON definitions on a driver: `test` for libvirt's test driver, and
 * for QEMU `kvm` where the host has it, else `qemu` (TCG).
 */
export function defaultVirtType(driverType: string, hasKvm: boolean): string {
  if (driverType === "QEMU") return hasKvm ? "kvm" : "qemu";
  return driverType.toLowerCase();
}
