/**
 * The frame every device change shares (`qemuDomain{Attach,Detach,Update}Device*`): in the
 * domain job, the definitions the flags select; the persistent one is changed in a copy, the
 * live one in QEMU (and its status saved), and the copy becomes the persistent definition only
 * once it is on disk (`virDomainDefSave` then `virDomainObjAssignDef`).
 *
 * @module
 */
import type { DomainDef } from "../../../conf/domain/def.ts";
import { getDefs, isActive } from "../../../conf/objects/domain_obj.ts";
import { VIR } from "../../../util/constants.ts";
import { checkFlags } from "../../../util/errors.ts";
import type { XmlElement } from "../../../util/xml/mod.ts";
import type { QemuDomainObj } from "../domain_private.ts";
import type { QemuDriverState } from "../driver_state.ts";
import { parseDeviceXML } from "./device_parse.ts";

/** One kind of device change: on a persistent copy, and on the running domain. */
export interface DeviceChange {
  /** Whether the device XML is validated (detach names a device and skips it, as libvirt). */
  validate: boolean;
  /**
   * The function whose flag check follows the resolution of AFFECT_CURRENT (libvirt's
   * `qemuDomain{Attach,Detach}DeviceLiveAndConfig`), if the caller has not checked them.
   */
  checkedIn?: string;
  /** What the parse does once for both definitions (an attach's generated MAC). */
  prepare?(dev: XmlElement): void;
  config(vmdef: DomainDef, dev: XmlElement, privileged: boolean): void;
  live(dev: XmlElement): Promise<void>;
}

/** A device call of the API: state, domain, device XML, flags. */
export type DeviceCall = (
  s: QemuDriverState,
  obj: QemuDomainObj,
  xml: string,
  flags: number,
) => Promise<void>;

/**
 * A device call that checks its AFFECT flags in `checkedIn` and runs `config` on the
 * persistent copy and `live` on the running domain.
 *
 * @example
 * ```ts
 * import { deviceCall } from "./device_config.ts";
 * const call = deviceCall("qemuDomainAttachDeviceLiveAndConfig", true, () => {}, async () => {});
 * ```
 */
export function deviceCall(
  checkedIn: string,
  validate: boolean,
  config: DeviceChange["config"],
  live: (s: QemuDriverState, obj: QemuDomainObj, dev: XmlElement) => Promise<void>,
  prepare?: DeviceChange["prepare"],
): DeviceCall {
  return (s, obj, xml, flags) =>
    changeDevice(s, obj, xml, flags, {
      checkedIn,
      validate,
      prepare,
      config,
      live: (dev) => live(s, obj, dev),
    });
}

/**
 * Runs `change` on the definitions `flags` (AFFECT_*) select, each with its own parse of `xml`.
 *
 * @example
 * ```ts
 * import { changeDevice } from "./device_config.ts";
 * declare const state: import("../driver_state.ts").QemuDriverState;
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * await changeDevice(state, obj, "<disk><target dev='vdb'/></disk>", 2, {
 *   validate: false,
 *   config: (vmdef, dev) => {},
 *   live: async (dev) => {},
 * });
 * ```
 */
export async function changeDevice(
  s: QemuDriverState,
  obj: QemuDomainObj,
  xml: string,
  flags: number,
  change: DeviceChange,
): Promise<void> {
  // One parse, a copy for each definition: what the parse generates is the same in both.
  let parsed: XmlElement | undefined;
  await changeDefs(s, obj, flags, change.checkedIn, {
    config: (vmdef) => change.config(vmdef, structuredClone(parse()), s.privileged),
    live: () => change.live(structuredClone(parse())),
  });
  function parse(): XmlElement {
    if (parsed) return parsed;
    parsed = parseDeviceXML(xml, change.validate, obj.def);
    change.prepare?.(parsed);
    return parsed;
  }
}

/**
 * The frame of a device change without device XML (`qemuDomainDetachDeviceAliasLiveAndConfig`
 * names the device by alias): in the domain job, `config` on a copy of the persistent
 * definition, `live` on the running domain, the copy committed once both succeeded.
 *
 * @example
 * ```ts
 * import { changeDefs } from "./device_config.ts";
 * declare const state: import("../driver_state.ts").QemuDriverState;
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * await changeDefs(state, obj, 0, "qemuDomainDetachDeviceAliasLiveAndConfig", {
 *   config: (vmdef) => {},
 *   live: async () => {},
 * });
 * ```
 */
export async function changeDefs(
  s: QemuDriverState,
  obj: QemuDomainObj,
  flags: number,
  checkedIn: string | undefined,
  change: { config(vmdef: DomainDef): void; live(): Promise<void> },
): Promise<void> {
  await obj.job.run(async () => {
    const { live, config } = getDefs(obj, flags);
    const affect = VIR.DOMAIN_AFFECT_LIVE | VIR.DOMAIN_AFFECT_CONFIG;
    if (checkedIn) checkFlags(flags, affect, checkedIn, "QEMU");
    let vmdef: DomainDef | undefined;
    if (config) {
      vmdef = structuredClone(config);
      change.config(vmdef);
    }
    if (live) {
      await change.live();
      await s.saveStatus(obj);
    }
    if (vmdef) await commitConfig(s, obj, vmdef);
  });
}

/** Makes `vmdef` the persistent definition and saves it; a failed save puts the old one back. */
async function commitConfig(
  s: QemuDriverState,
  obj: QemuDomainObj,
  vmdef: DomainDef,
): Promise<void> {
  const live = isActive(obj);
  const old = live ? obj.newDef : obj.def;
  if (live) obj.newDef = vmdef;
  else obj.def = vmdef;
  try {
    await s.saveConfig(obj);
  } catch (err) {
    if (live) obj.newDef = old;
    else obj.def = old!;
    throw err;
  }
}
