/**
 * Connection and host calls of libvirt's test driver: versions, hostname, node info, NUMA
 * cells, CPU and memory statistics, sysinfo and capabilities.
 *
 * @module
 */
import type { DriverConnection } from "../../util/driver.ts";
import { checkFlags, VirError } from "../../util/errors.ts";
import type { TestDriverState } from "./driver_state.ts";
import { methodTable } from "../../util/method_table.ts";
import { hostName } from "../../util/host_info.ts";
import { LIBVIRT_VERSION } from "../../util/lib_version.ts";
import { capabilitiesXML } from "./capabilities.ts";
import { cpuModelNames } from "../../conf/capabilities/cpu_models.ts";
import { VIR } from "../../util/constants.ts";
import { cpuBaseline, cpuExpandFeatures, formatCpuDef, parseCpuDef } from "../../conf/cpu/mod.ts";

import { DRV_FEATURE } from "../../util/drv_feature.ts";

const F = "TEST";

const SYSINFO = "<sysinfo type='smbios'>\n" +
  "  <bios>\n" +
  "    <entry name='vendor'>LENOVO</entry>\n" +
  "    <entry name='version'>G4ETA1WW (2.61 )</entry>\n" +
  "    <entry name='date'>05/07/2014</entry>\n" +
  "    <entry name='release'>2.61</entry>\n" +
  "  </bios>\n" +
  "</sysinfo>\n";

/**
 * The host part of the test driver's hypervisor table.
 *
 * @example
 * ```ts
 * import { hostMethods } from "./host_api.ts";
 * import { TestDriverState } from "./driver_state.ts";
 * const methods = hostMethods(new TestDriverState());
 * ```
 */
export function hostMethods(state: TestDriverState): Partial<DriverConnection> {
  return methodTable({
    connectGetVersion: () => 2,
    connectGetLibVersion: () => LIBVIRT_VERSION,
    // The test driver reports the real host.
    connectGetHostname: () => hostName(),
    connectIsSecure: () => true,
    connectIsEncrypted: () => false,
    connectIsAlive: () => true,
    connectGetSysinfo: (flags) => {
      checkFlags(flags, 0, "testConnectGetSysinfo", F);
      return SYSINFO;
    },
    connectGetCapabilities: () => capabilitiesXML(state),
    connectGetCPUModelNames: (arch, flags) => {
      checkFlags(flags, 0, "testConnectGetCPUModelNames", F);
      return cpuModelNames(arch, F);
    },
    connectBaselineCPU: (xmlCPUs, flags) => {
      checkFlags(flags, VIR.CONNECT_BASELINE_CPU_EXPAND_FEATURES, "testConnectBaselineCPU", F);
      if (!xmlCPUs.length) throw VirError.report("CPU", "INVALID_ARG", "no CPUs given");
      const cpus = xmlCPUs.map((xml) => parseCpuDef(xml, "host"));
      const cpu = cpuBaseline(undefined, cpus);
      if (flags & VIR.CONNECT_BASELINE_CPU_EXPAND_FEATURES) cpuExpandFeatures(cpus[0].arch, cpu);
      return formatCpuDef(cpu);
    },
    // virDriverFeatureIsGlobal answers NETWORK_UPDATE_HAS_CORRECT_ORDER; the test driver adds
    // string typed parameters and nothing else.
    connectSupportsFeature: (feature) =>
      feature === DRV_FEATURE.TYPED_PARAM_STRING ||
      feature === DRV_FEATURE.NETWORK_UPDATE_HAS_CORRECT_ORDER,
    nodeGetInfo: () => ({ ...state.nodeInfo }),
    nodeGetCellsFreeMemory: (startCell, maxCells) => {
      if (startCell >= state.cells.length) {
        throw VirError.report(F, "INVALID_ARG", "Range exceeds available cells");
      }
      return state.cells.slice(startCell, startCell + maxCells).map((c) => c.mem);
    },
    nodeGetFreeMemory: () => state.cells.reduce((n, c) => n + c.freeMem, 0),
    nodeGetCPUMap: (flags) => {
      checkFlags(flags, 0, "testNodeGetCPUMap", F);
      return { map: [true, false, true, false, true, false, false, false], online: 3 };
    },
    nodeGetCPUStats: (_cpuNum, flags) => {
      checkFlags(flags, 0, "testNodeGetCPUStats", F);
      return { user: 9797400000, kernel: 34678723400000, idle: 87264900000, iowait: 763600000 };
    },
    nodeGetFreePages: (pages, _startCell, cellCount, flags) => {
      checkFlags(flags, 0, "testNodeGetFreePages", F);
      const counts: number[] = [];
      let x = 6;
      for (let i = 0; i < cellCount * pages.length; i++) counts.push(x = x * 2 + 7);
      return counts;
    },
  });
}
