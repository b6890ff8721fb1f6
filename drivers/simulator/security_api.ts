/**
 * The test driver's fake security driver: the host model `testSecurity` (empty DOI) from its
 * capabilities, and the label `libvirt-test`, enforcing, of every running domain
 * (`testDomainGetSecurityLabel`, `testNodeGetSecurityModel`). libvirt 9.0's test driver has
 * no `domainGetSecurityLabelList`.
 *
 * @module
 */
import type { DriverConnection } from "../../util/driver.ts";
import { TEST_SECURITY_MODEL } from "./capabilities.ts";
import { domainFromRef } from "./domain_access.ts";
import { isActive } from "../../conf/objects/domain_obj.ts";
import type { TestDriverState } from "./driver_state.ts";
import { methodTable } from "../../util/method_table.ts";

/**
 * The security calls of the test driver's hypervisor table.
 *
 * @example
 * ```ts
 * import { securityMethods } from "./security_api.ts";
 * import { TestDriverState } from "./driver_state.ts";
 * const methods = securityMethods(new TestDriverState());
 * ```
 */
export function securityMethods(state: TestDriverState): Partial<DriverConnection> {
  return methodTable({
    nodeGetSecurityModel: () => ({ ...TEST_SECURITY_MODEL }),
    // An inactive domain has no label: libvirt hands back the zeroed struct.
    domainGetSecurityLabel: (ref) =>
      isActive(domainFromRef(state, ref))
        ? { label: "libvirt-test", enforcing: true }
        : { label: "", enforcing: false },
  });
}
