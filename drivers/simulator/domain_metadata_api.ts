/**
 * Domain metadata of libvirt's test driver (conf/domain/metadata.ts), with the
 * METADATA_CHANGE event a successful change queues.
 *
 * @module
 */
import { applyMetadata, getMetadata, parseMetadata } from "../../conf/domain/metadata.ts";
import type { DriverConnection } from "../../util/driver.ts";
import { VIR } from "../../util/constants.ts";
import { checkFlags } from "../../util/errors.ts";
import { domainFromRef } from "./domain_access.ts";
import { getDefs, getOneDef, refOf } from "../../conf/objects/domain_obj.ts";
import type { TestDriverState } from "./driver_state.ts";
import { methodTable } from "../../util/method_table.ts";

const AFFECT = VIR.DOMAIN_AFFECT_LIVE | VIR.DOMAIN_AFFECT_CONFIG;

/**
 * The metadata part of the test driver's hypervisor table.
 *
 * @example
 * ```ts
 * import { domainMetadataMethods } from "./domain_metadata_api.ts";
 * import { TestDriverState } from "./driver_state.ts";
 * const methods = domainMetadataMethods(new TestDriverState());
 * ```
 */
export function domainMetadataMethods(state: TestDriverState): Partial<DriverConnection> {
  return methodTable({
    domainGetMetadata: (ref, type, uri, flags) => {
      checkFlags(flags, AFFECT, "testDomainGetMetadata", "TEST");
      const obj = domainFromRef(state, ref);
      return getMetadata(() => getOneDef(obj, flags).def, type, uri);
    },
    domainSetMetadata: (ref, type, metadata, key, uri, flags) => {
      checkFlags(flags, AFFECT, "testDomainSetMetadata", "TEST");
      const obj = domainFromRef(state, ref);
      const { live, config } = getDefs(obj, flags);
      const element = parseMetadata(type, metadata, key, uri);
      for (const def of [live, config]) if (def) applyMetadata(def, type, metadata, element, uri);
      state.emit({
        family: "domain",
        eventId: VIR.DOMAIN_EVENT_ID_METADATA_CHANGE,
        ref: refOf(obj),
        data: { type, nsuri: uri },
      });
    },
  });
}
