/**
 * Statistics calls of libvirt's test driver, all made up: CPU time totals and per host CPU,
 * block and interface counters derived from the wall clock, block device sizes and disk
 * error states.
 *
 * @module
 */
import type { DomainRef, DriverConnection, TypedParams } from "../../util/driver.ts";
import { VIR } from "../../util/constants.ts";
import { checkFlags, VirError } from "../../util/errors.ts";
import { domainFromRef } from "./domain_access.ts";
import { diskByName, diskHasSource, disks, diskTarget, netFind } from "./domain_devices.ts";
import { checkActive, isActive, refOf } from "../../conf/objects/domain_obj.ts";
import { DOMAIN_LIST_FILTERS_ALL } from "../../conf/objects/domain_obj_list.ts";
import type { TestDriverState } from "./driver_state.ts";
import { methodTable } from "../../util/method_table.ts";

const F = "TEST";

/** The list filters testConnectGetAllDomainStats passes on to the domain list. */
const STATS_LIST_FILTERS = VIR.CONNECT_LIST_DOMAINS_ACTIVE | VIR.CONNECT_LIST_DOMAINS_INACTIVE |
  VIR.CONNECT_LIST_DOMAINS_PERSISTENT | VIR.CONNECT_LIST_DOMAINS_TRANSIENT |
  VIR.CONNECT_LIST_DOMAINS_RUNNING | VIR.CONNECT_LIST_DOMAINS_PAUSED |
  VIR.CONNECT_LIST_DOMAINS_SHUTOFF | VIR.CONNECT_LIST_DOMAINS_OTHER;
/** The statistics groups the test driver has: state, and IOThread polling parameters. */
const STATS_SUPPORTED = VIR.DOMAIN_STATS_STATE | VIR.DOMAIN_STATS_IOTHREAD;
/** `TEST_TOTAL_CPUTIME`, ns. */
const TOTAL_CPUTIME = 48772617035;

/**
 * Fake counters as libvirt's test driver makes them: the clock in µs (`g_get_real_time`)
 * divided by each counter's divisor, rounded down.
 */
function clockCounters<K extends string>(divisors: Record<K, number>): Record<K, number> {
  const base = Date.now() * 1000;
  const out = {} as Record<K, number>;
  for (const k in divisors) out[k] = Math.floor(base / divisors[k]);
  return out;
}

/**
 * The statistics part of the test driver's hypervisor table.
 *
 * @example
 * ```ts
 * import { domainStatsMethods } from "./domain_stats_api.ts";
 * import { TestDriverState } from "./driver_state.ts";
 * const methods = domainStatsMethods(new TestDriverState());
 * ```
 */
export function domainStatsMethods(state: TestDriverState): Partial<DriverConnection> {
  const active = (ref: DomainRef) => {
    const obj = domainFromRef(state, ref);
    checkActive(obj);
    return obj;
  };
  return methodTable({
    connectGetAllDomainStats: (stats, flags) => {
      checkFlags(
        flags,
        STATS_LIST_FILTERS | VIR.CONNECT_GET_ALL_DOMAINS_STATS_NOWAIT |
          VIR.CONNECT_GET_ALL_DOMAINS_STATS_BACKING |
          VIR.CONNECT_GET_ALL_DOMAINS_STATS_ENFORCE_STATS,
        "testConnectGetAllDomainStats",
        F,
      );
      if (
        stats && flags & VIR.CONNECT_GET_ALL_DOMAINS_STATS_ENFORCE_STATS &&
        stats & ~STATS_SUPPORTED
      ) {
        throw VirError.report(
          F,
          "ARGUMENT_UNSUPPORTED",
          `Stats types bits 0x${(stats & ~STATS_SUPPORTED).toString(16)} are not supported ` +
            "by this daemon",
        );
      }
      const want = stats || STATS_SUPPORTED;
      return state.domains.export(flags & STATS_LIST_FILTERS & DOMAIN_LIST_FILTERS_ALL).map(
        (obj) => {
          const params: TypedParams = {};
          if (want & VIR.DOMAIN_STATS_STATE) {
            params["state.state"] = obj.state;
            params["state.reason"] = obj.reason;
          }
          const polls = isActive(obj) ? obj.iothreadPolls : [];
          if (want & VIR.DOMAIN_STATS_IOTHREAD && polls.length) {
            params["iothread.count"] = polls.length;
            for (const p of polls) {
              params[`iothread.${p.id}.poll-max-ns`] = p.pollMaxNs;
              params[`iothread.${p.id}.poll-grow`] = p.pollGrow;
              params[`iothread.${p.id}.poll-shrink`] = p.pollShrink;
            }
          }
          return { dom: refOf(obj), params };
        },
      );
    },
    domainGetCPUStats: (ref, startCpu, ncpus, flags) => {
      checkFlags(flags, VIR.TYPED_PARAM_STRING_OKAY, "testDomainGetCPUStats", F);
      active(ref);
      if (startCpu === -1) {
        return [{ cpu_time: TOTAL_CPUTIME, user_time: 5540000000, system_time: 6460000000 }];
      }
      // The test driver counts one "CPU" per core of its node description.
      const total = state.nodeInfo.cores;
      if (startCpu >= total) {
        throw VirError.report(
          F,
          "INVALID_ARG",
          `start_cpu ${startCpu} larger than maximum of ${total - 1}`,
        );
      }
      const perCpu = Math.floor(TOTAL_CPUTIME / total);
      const stats = [];
      for (let i = startCpu; i < Math.min(total, startCpu + ncpus); i++) {
        stats.push({ cpu_time: perCpu + i, vcpu_time: perCpu + i - 1234567890 });
      }
      return stats;
    },
    domainBlockStats: (ref, disk) => {
      if (!disk) {
        throw VirError.report(
          F,
          "OPERATION_UNSUPPORTED",
          "summary statistics are not supported yet",
        );
      }
      const obj = active(ref);
      if (!diskByName(obj.def, disk, false)) {
        throw VirError.report(F, "INVALID_ARG", `invalid path: ${disk}`);
      }
      return clockCounters({ rd_req: 10, rd_bytes: 20, wr_req: 30, wr_bytes: 40, errs: 2e6 });
    },
    domainInterfaceStats: (ref, device) => {
      netFind(active(ref).def, device);
      return clockCounters({
        rx_bytes: 10,
        rx_packets: 100,
        rx_errs: 1e6,
        rx_drop: 2e6,
        tx_bytes: 20,
        tx_packets: 110,
        tx_errs: 3e6,
        tx_drop: 4e6,
      });
    },
    domainGetBlockInfo: (ref, path, flags) => {
      checkFlags(flags, 0, "testDomainGetBlockInfo", F);
      const disk = diskByName(domainFromRef(state, ref).def, path, false);
      if (!disk) {
        throw VirError.report(F, "INVALID_ARG", `invalid path ${path} not assigned to domain`);
      }
      if (!diskHasSource(disk)) {
        throw VirError.report(
          F,
          "INVALID_ARG",
          `disk '${path}' does not currently have a source assigned`,
        );
      }
      return { capacity: 1099506450432, allocation: 1099511627776, physical: 1099511627776 };
    },
    domainGetDiskErrors: (ref, flags) => {
      checkFlags(flags, 0, "testDomainGetDiskErrors", F);
      // Disks alternate between the two error kinds (UNSPEC, NO_SPACE).
      return Object.fromEntries(
        disks(active(ref).def).map((d, i) => [diskTarget(d), (i % 2) + 1]),
      );
    },
  });
}
