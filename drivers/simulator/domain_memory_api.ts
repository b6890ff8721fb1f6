/**
 * Memory calls of libvirt's test driver: maximum and current size, balloon statistics period,
 * memory statistics and memory peeking.
 *
 * @module
 */
import type { DomainRef, DriverConnection } from "../../util/driver.ts";
import { VIR } from "../../util/constants.ts";
import { checkFlags, VirError } from "../../util/errors.ts";
import { domainFromRef } from "./domain_access.ts";
import { memballoon } from "./domain_devices.ts";
import { checkActive, getOneDef } from "../../conf/objects/domain_obj.ts";
import type { TestDriverState } from "./driver_state.ts";
import { methodTable } from "../../util/method_table.ts";

const F = "TEST";
const AFFECT = VIR.DOMAIN_AFFECT_LIVE | VIR.DOMAIN_AFFECT_CONFIG;

/**
 * The memory part of the test driver's hypervisor table.
 *
 * @example
 * ```ts
 * import { domainMemoryMethods } from "./domain_memory_api.ts";
 * import { TestDriverState } from "./driver_state.ts";
 * const methods = domainMemoryMethods(new TestDriverState());
 * ```
 */
export function domainMemoryMethods(state: TestDriverState): Partial<DriverConnection> {
  const get = (ref: DomainRef) => domainFromRef(state, ref);
  const setMemoryFlags = (ref: DomainRef, memory: number, flags: number) => {
    checkFlags(flags, AFFECT | VIR.DOMAIN_MEM_MAXIMUM, "testDomainSetMemoryFlags", F);
    const { def, live } = getOneDef(get(ref), flags);
    if (flags & VIR.DOMAIN_MEM_MAXIMUM) {
      if (live) {
        throw VirError.report(
          F,
          "OPERATION_INVALID",
          "cannot resize the maximum memory on an active domain",
        );
      }
      if (def.memory.max && def.memory.max.size < memory) {
        throw VirError.report(
          F,
          "OPERATION_INVALID",
          "cannot set initial memory size greater than the maximum memory size",
        );
      }
      def.memory.total = memory;
      if (def.memory.current > memory) def.memory.current = memory;
    } else {
      if (memory > def.memory.total) {
        throw VirError.report(F, "INVALID_ARG", "cannot set memory higher than max memory");
      }
      def.memory.current = memory;
    }
  };
  return methodTable({
    domainGetMaxMemory: (ref) => get(ref).def.memory.total,
    domainSetMaxMemory: (ref, memory) => setMemoryFlags(ref, memory, VIR.DOMAIN_MEM_MAXIMUM),
    domainSetMemoryFlags: (ref, memory, flags) => setMemoryFlags(ref, memory, flags),
    domainSetMemoryStatsPeriod: (ref, period, flags) => {
      checkFlags(flags, AFFECT, "testDomainSetMemoryStatsPeriod", F);
      const { def } = getOneDef(get(ref), flags);
      const balloon = memballoon(def);
      if (!balloon) {
        throw VirError.report(
          F,
          "INTERNAL_ERROR",
          "No memory balloon device configured, can not set the collection period",
        );
      }
      balloon.children = balloon.children.filter((c) =>
        !(c.type === "element" && c.name === "stats")
      );
      // virDomainMemballoonDefFormat writes <stats> only for a period other than 0
      if (period === 0) return;
      balloon.children.unshift({
        type: "element",
        name: "stats",
        attributes: { period: String(period) },
        children: [],
      });
    },
    domainMemoryStats: (ref, flags): Record<string, number> => {
      checkFlags(flags, 0, "testDomainMemoryStats", F);
      const obj = get(ref);
      checkActive(obj);
      if (!memballoon(obj.def)) return {};
      const cur = obj.def.memory.current;
      const half = Math.floor(cur / 2);
      return {
        actual: cur,
        swap_in: 0,
        swap_out: 0,
        major_fault: 0,
        minor_fault: 0,
        unused: half,
        available: cur,
        usable: half,
        last_update: 627319920,
        disk_caches: Math.floor(cur / 8),
        hugetlb_pgalloc: 0,
        hugetlb_pgfail: 0,
        rss: half,
      };
    },
    domainMemoryPeek: (ref, start, size, flags) => {
      checkFlags(flags, VIR.MEMORY_VIRTUAL | VIR.MEMORY_PHYSICAL, "testDomainMemoryPeek", F);
      if (flags !== VIR.MEMORY_VIRTUAL && flags !== VIR.MEMORY_PHYSICAL) {
        throw VirError.report(
          F,
          "INVALID_ARG",
          "flags parameter must be VIR_MEMORY_VIRTUAL or VIR_MEMORY_PHYSICAL",
        );
      }
      checkActive(get(ref));
      return Array.from({ length: size }, (_, i) => (start + i) & 0xff);
    },
  });
}
