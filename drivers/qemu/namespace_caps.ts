/**
 * `<qemu:capabilities>` at a start (qemu_process.c's qemuProcessStartUpdateCustomCaps): libvirt
 * sets or clears the named flags of its QEMU capability cache, changing how it builds the
 * command line. edgevirt builds its command line from what QEMU answers, with no such flags to
 * set, so a start asking for one is refused rather than run as if honoured; a name libvirt does
 * not know fails first, with libvirt's error.
 *
 * `qemu_caps_names.json` is libvirt 9.0.0's virQEMUCaps names, in order (VIR_ENUM_IMPL of
 * src/qemu/qemu_capabilities.c).
 *
 * @module
 */
import type { DomainDef } from "../../conf/domain/def.ts";
import { VirError } from "../../util/errors.ts";
import NAMES from "./qemu_caps_names.json" with { type: "json" };

const KNOWN: ReadonlySet<string> = new Set(NAMES);

/**
 * Refuses a start whose definition adds or removes QEMU capabilities: an unknown name is
 * libvirt's internal error (the additions first, then the removals, as libvirt reads them),
 * a known one edgevirt's CONFIG_UNSUPPORTED.
 *
 * @example
 * ```ts
 * import { refuseCustomCaps } from "./namespace_caps.ts";
 * import type { DomainDef } from "../../conf/domain/def.ts";
 * declare const def: DomainDef;
 * refuseCustomCaps(def); // throws when <qemu:capabilities> names any
 * ```
 */
export function refuseCustomCaps(def: DomainDef): void {
  const ns = def.qemuNamespace;
  if (!ns) return;
  const names = [...ns.capsAdd, ...ns.capsDel];
  const unknown = names.find((n) => !KNOWN.has(n));
  if (unknown !== undefined) {
    throw VirError.report(
      "QEMU",
      "INTERNAL_ERROR",
      `invalid qemu namespace capability '${unknown}'`,
    );
  }
  if (names.length) {
    throw VirError.report(
      "QEMU",
      "CONFIG_UNSUPPORTED",
      `adding or removing QEMU capabilities (qemu:capabilities '${names[0]}') is not supported`,
    );
  }
}
