/**
 * `qemuDomainGetMetadata` / `qemuDomainSetMetadata`: `<description>`, `<title>` and namespaced
 * `<metadata>` in the live and the persistent definition, saved where they live, with the
 * METADATA_CHANGE event (`virsh desc`, `virsh metadata`).
 *
 * @module
 */
import { applyMetadata, getMetadata, parseMetadata } from "../../../conf/domain/metadata.ts";
import { getDefs, getOneDef } from "../../../conf/objects/domain_obj.ts";
import { VIR } from "../../../util/constants.ts";
import { checkFlags } from "../../../util/errors.ts";
import type { QemuDomainObj } from "../domain_private.ts";
import type { QemuDriverState } from "../driver_state.ts";

const AFFECT = VIR.DOMAIN_AFFECT_LIVE | VIR.DOMAIN_AFFECT_CONFIG;

/**
 * `virDomainObjGetMetadata` on the definition `flags` choose.
 *
 * @example
 * ```ts
 * import { domainGetMetadata } from "./metadata.ts";
 * import type { QemuDomainObj } from "../domain_private.ts";
 * declare const obj: QemuDomainObj;
 * domainGetMetadata(obj, 0, null, 0); // the description
 * ```
 */
export function domainGetMetadata(
  obj: QemuDomainObj,
  type: number,
  uri: string | null,
  flags: number,
): string {
  checkFlags(flags, AFFECT, "virDomainObjGetMetadata", "DOMAIN");
  return getMetadata(() => getOneDef(obj, flags).def, type, uri);
}

/**
 * `qemuDomainSetMetadata`: in a job, both definitions `flags` choose change (the live one's
 * status and the persistent one's file saved), then METADATA_CHANGE.
 *
 * @example
 * ```ts
 * import { domainSetMetadata } from "./metadata.ts";
 * import type { QemuDomainObj } from "../domain_private.ts";
 * import type { QemuDriverState } from "../driver_state.ts";
 * declare const state: QemuDriverState;
 * declare const obj: QemuDomainObj;
 * await domainSetMetadata(state, obj, 1, "web", null, null, 0);
 * ```
 */
export async function domainSetMetadata(
  state: QemuDriverState,
  obj: QemuDomainObj,
  type: number,
  metadata: string | null,
  key: string | null,
  uri: string | null,
  flags: number,
): Promise<void> {
  checkFlags(flags, AFFECT, "qemuDomainSetMetadata", "QEMU");
  await obj.job.run(async () => {
    const { live, config } = getDefs(obj, flags);
    const element = parseMetadata(type, metadata, key, uri);
    if (live) {
      applyMetadata(live, type, metadata, element, uri);
      await state.saveStatus(obj);
    }
    if (config) {
      applyMetadata(config, type, metadata, element, uri);
      await state.saveConfig(obj);
    }
  });
  state.emitOther(obj, VIR.DOMAIN_EVENT_ID_METADATA_CHANGE, { type, nsuri: uri });
}
