/**
 * The host capabilities of libvirt's test driver (`testBuildCapabilities`): an i686 host with
 * the `pae`/`nonpae` features, four page sizes, the state's NUMA cells, the `testSecurity`
 * model and `hvm` and `xen` guests of domain type `test`.
 *
 * @module
 */
import type { Capabilities } from "../../conf/capabilities/mod.ts";
import { formatCapabilitiesXML } from "../../conf/capabilities/mod.ts";
import type { TestDriverState } from "./driver_state.ts";
import type { SecurityModel } from "../../util/driver.ts";

/** `caps->host.pagesSize`, KiB. */
const PAGE_SIZES = [4, 8, 2048, 1024 * 1024];
const FEATURES = ["pae", "nonpae"];

/**
 * The one security model of the test driver (`caps->host.secModels[0]`), which
 * `nodeGetSecurityModel` also reports.
 *
 * @example
 * ```ts
 * import { TEST_SECURITY_MODEL } from "./capabilities.ts";
 * TEST_SECURITY_MODEL.model; // "testSecurity"
 * ```
 */
export const TEST_SECURITY_MODEL: Readonly<SecurityModel> = { model: "testSecurity", doi: "" };

/** The capabilities model of a state: cell CPUs are numbered across cells, one core each. */
function buildCapabilities(state: TestDriverState): Capabilities {
  let firstCpu = 0;
  const cells = state.cells.map((cell, id) => {
    // Cell 1 reports its memory in 8 KiB pages, every other cell in 4 KiB pages.
    const small = PAGE_SIZES[id === 1 ? 1 : 0];
    const cpus = Array.from({ length: cell.numCpus }, (_, j) => {
      const cpu = firstCpu + j;
      return {
        id: cpu,
        socketId: Math.floor(cpu / 8),
        dieId: 0,
        coreId: cpu % 8,
        siblings: `${cpu}`,
      };
    });
    firstCpu += cell.numCpus;
    return {
      id,
      memory: cell.mem,
      pages: [
        { size: small, count: Math.floor(cell.mem / small) },
        ...PAGE_SIZES.slice(2).map((size) => ({ size, count: 0 })),
      ],
      cpus,
    };
  });
  const guest = (osType: string) => ({
    osType,
    arch: "i686",
    wordsize: 32,
    emulator: "/usr/bin/test-hv",
    machines: [],
    domainTypes: ["test"],
    features: FEATURES,
  });
  return {
    host: {
      arch: "i686",
      cpuFeatures: FEATURES,
      pageSizes: PAGE_SIZES,
      powerManagement: [],
      iommu: false,
      cells,
      secModels: [{ ...TEST_SECURITY_MODEL }],
    },
    guests: [guest("hvm"), guest("xen")],
  };
}

/**
 * `testConnectGetCapabilities`: the capabilities document of a state.
 *
 * @example
 * ```ts
 * import { capabilitiesXML } from "./capabilities.ts";
 * import { TestDriverState } from "./driver_state.ts";
 * capabilitiesXML(new TestDriverState()).startsWith("<capabilities>"); // true
 * ```
 */
export function capabilitiesXML(state: TestDriverState): string {
  return formatCapabilitiesXML(buildCapabilities(state));
}
