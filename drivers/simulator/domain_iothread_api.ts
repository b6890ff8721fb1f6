/**
 * IOThread calls of libvirt's test driver: the definition's IOThread ids (added, removed,
 * pinned, listed with their CPU maps) and the polling parameters the driver keeps for the
 * IOThreads added by API.
 *
 * @module
 */
import type { DomainRef, DriverConnection } from "../../util/driver.ts";
import type { DomainIOThreadInfo } from "../../util/contract/types.ts";
import { VIR } from "../../util/constants.ts";
import { checkFlags, VirError } from "../../util/errors.ts";
import { domainFromRef } from "./domain_access.ts";
import { getOneDef } from "../../conf/objects/domain_obj.ts";
import { iothreadIdsOf, writeIothreadIds } from "../../conf/domain/iothreads.ts";
import { addIOThreadCheck, delIOThreadCheck } from "../../conf/domain/iothread_checks.ts";
import { pinIothread, removeIothread } from "../../conf/domain/iothread_edit.ts";
import { iothreadPinsOf } from "../../conf/domain/pins.ts";
import { parseBitmap } from "../../conf/domain/bitmap.ts";
import type { IOThreadPoll, TestDomainObj, TestDriverState } from "./driver_state.ts";
import { validateTypedParams } from "./domain_tuning_api.ts";
import { methodTable } from "../../util/method_table.ts";

const F = "TEST";
const AFFECT = VIR.DOMAIN_AFFECT_LIVE | VIR.DOMAIN_AFFECT_CONFIG;

/**
 * The polling parameters the test driver gives a new IOThread.
 *
 * @example
 * ```ts
 * import { newIOThreadPoll } from "./domain_iothread_api.ts";
 * newIOThreadPoll(1).pollMaxNs; // 32768
 * ```
 */
export function newIOThreadPoll(id: number): IOThreadPoll {
  return { id, pollMaxNs: 32768, pollGrow: 0, pollShrink: 0 };
}

const invalidArg = (msg: string) => VirError.report(F, "INVALID_ARG", msg);

function checkNonZero(id: number): void {
  if (id === 0) throw invalidArg("invalid value of 0 for iothread_id");
}

/** `testDomainChgIOThread`'s MOD: the id must be one of the definition's. */
function checkKnown(obj: TestDomainObj, id: number, flags: number): void {
  if (!iothreadIdsOf(getOneDef(obj, flags).def).includes(id)) {
    throw invalidArg(`cannot find IOThread '${id}' in iothreadids`);
  }
}

/**
 * The IOThread part of the test driver's hypervisor table.
 *
 * @example
 * ```ts
 * import { domainIOThreadMethods } from "./domain_iothread_api.ts";
 * import { TestDriverState } from "./driver_state.ts";
 * const methods = domainIOThreadMethods(new TestDriverState());
 * ```
 */
export function domainIOThreadMethods(state: TestDriverState): Partial<DriverConnection> {
  const get = (ref: DomainRef) => domainFromRef(state, ref);
  /** The checks of testDomainAdd/DelIOThread, then the definition they change. */
  const change = (ref: DomainRef, id: number, flags: number, fn: string) => {
    checkFlags(flags, AFFECT, fn, F);
    checkNonZero(id);
    const obj = get(ref);
    const { def } = getOneDef(obj, flags);
    return { obj, def, ids: iothreadIdsOf(def) };
  };
  return methodTable({
    // virDomainDriverGetIOThreadsConfig: an IOThread's own pin, the domain's cpuset, or (the
    // test driver passes the vCPU count as the map size) the first vCPU-count CPUs.
    domainGetIOThreadInfo: (ref, flags): DomainIOThreadInfo[] => {
      checkFlags(flags, AFFECT, "testDomainGetIOThreadInfo", F);
      const { def } = getOneDef(get(ref), flags);
      const pins = iothreadPinsOf(def);
      const size = def.vcpu.current;
      return iothreadIdsOf(def).map((id) => {
        const cpus = pins.get(id) ??
          (def.vcpu.cpuset ? parseBitmap(def.vcpu.cpuset) : [...Array(size).keys()]);
        const cpumap = Array.from(
          { length: Math.max(size, ...cpus.map((c) => c + 1)) },
          () => false,
        );
        for (const c of cpus) cpumap[c] = true;
        return { iothreadId: id, cpumap };
      });
    },
    domainAddIOThread: (ref, id, flags) => {
      const { obj, def, ids } = change(ref, id, flags, "testDomainAddIOThread");
      addIOThreadCheck(def, id);
      writeIothreadIds(def, [...ids, id]);
      obj.iothreadPolls.push(newIOThreadPoll(id));
    },
    domainDelIOThread: (ref, id, flags) => {
      const { obj, def } = change(ref, id, flags, "testDomainDelIOThread");
      delIOThreadCheck(def, id);
      removeIothread(def, id);
      obj.iothreadPolls = obj.iothreadPolls.filter((p) => p.id !== id);
    },
    domainPinIOThread: (ref, id, cpumap, flags) => {
      checkFlags(flags, AFFECT, "testDomainPinIOThread", F);
      const { def } = getOneDef(get(ref), flags);
      const cpus = cpumap.flatMap((on, cpu) => on ? [cpu] : []);
      if (!cpus.length) throw invalidArg("Empty iothread cpumap list for pinning");
      if (!iothreadIdsOf(def).includes(id)) throw invalidArg(`iothreadid ${id} not found`);
      pinIothread(def, id, cpus);
    },
    domainSetIOThreadParams: (ref, id, params, flags) => {
      checkFlags(flags, VIR.DOMAIN_AFFECT_LIVE, "testDomainSetIOThreadParams", F);
      checkNonZero(id);
      const obj = get(ref);
      checkKnown(obj, id, flags);
      const poll = obj.iothreadPolls.find((p) => p.id === id);
      // An IOThread of a defined XML has no polling parameters: libvirt fails without an
      // error of its own, and the public API reports its generic one.
      if (!poll) {
        throw VirError.bare(
          "NONE",
          "INTERNAL_ERROR",
          "An error occurred, but the cause is unknown",
        );
      }
      validateTypedParams(params, {
        poll_max_ns: "ullong",
        poll_grow: "uint",
        poll_shrink: "uint",
      });
      if (params.poll_max_ns !== undefined) poll.pollMaxNs = Number(params.poll_max_ns);
      if (params.poll_grow !== undefined) poll.pollGrow = Number(params.poll_grow);
      if (params.poll_shrink !== undefined) poll.pollShrink = Number(params.poll_shrink);
    },
  });
}
