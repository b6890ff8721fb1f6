/**
 * `virDomainDetachDeviceAlias` of the QEMU driver (`qemuDomainDetachDeviceAliasLiveAndConfig`):
 * the device with that `<alias name>` leaves the definitions the flags select; the live one
 * only once the guest lets go (the request does not wait for DEVICE_DELETED).
 *
 * @module
 */
import type { DomainDef, DomainInterface } from "../../../conf/domain/def.ts";
import { VirError } from "../../../util/errors.ts";
import { child, type XmlElement } from "../../../util/xml/mod.ts";
import type { QemuDomainObj } from "../domain_private.ts";
import type { QemuDriverState } from "../driver_state.ts";
import { nicAlias } from "../net/link.ts";
import { changeDefs } from "./device_config.ts";
import { detachConfig, requestUnplug } from "./device_detach.ts";
import { findNic } from "./device_nic.ts";

/**
 * Detaches the device `alias` names from the live and/or persistent definition (`flags`:
 * VIR_DOMAIN_AFFECT_*).
 *
 * @example
 * ```ts
 * import { detachDeviceAlias } from "./device_detach_alias.ts";
 * declare const state: import("../driver_state.ts").QemuDriverState;
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * await detachDeviceAlias(state, obj, "ua-disk1", 2);
 * ```
 */
export function detachDeviceAlias(
  s: QemuDriverState,
  obj: QemuDomainObj,
  alias: string,
  flags: number,
): Promise<void> {
  return changeDefs(s, obj, flags, "qemuDomainDetachDeviceAliasLiveAndConfig", {
    config(vmdef) {
      // As libvirt, the device found stands for itself in the generic detach.
      const found = findByAlias(vmdef, alias);
      if ("nic" in found) vmdef.devices.interfaces.splice(findNic(vmdef, found.nic), 1);
      else detachConfig(vmdef, structuredClone(found.element));
    },
    live: () => requestUnplug(s, obj, findByAlias(obj.def, alias)),
  });
}

/** `virDomainDefFindDevice`: the device of `def` whose alias is `alias`. */
function findByAlias(
  def: DomainDef,
  alias: string,
): { element: XmlElement } | { nic: DomainInterface } {
  const nic = def.devices.interfaces.find((n) => nicAlias(n) === alias);
  if (nic) return { nic };
  const element = def.devices.other.find((d) => child(d, "alias")?.attributes.name === alias);
  if (element) return { element };
  throw VirError.report("DOMAIN", "INTERNAL_ERROR", `no device found with alias ${alias}`);
}
