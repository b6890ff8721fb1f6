/**
 * IOThreads added, removed and tuned (libvirt 9.0's `qemuDomainAddIOThread`,
 * `qemuDomainDelIOThread`, `qemuDomainSetIOThreadParams`, all through `qemuDomainChgIOThread`):
 * the persistent definition changes in a copy that replaces it only once the running QEMU has
 * changed too; live, an IOThread is an `iothread` object added (`object-add`) or deleted
 * (`object-del`), its thread found in `query-iothreads` and placed, and its parameters set with
 * `qom-set`. Polling parameters exist only in QEMU: the definition keeps only the pool bounds.
 *
 * @module
 */
import type { DomainDef } from "../../../conf/domain/def.ts";
import { addIOThreadCheck, delIOThreadCheck } from "../../../conf/domain/iothread_checks.ts";
import {
  iothreadIdsOf,
  type IothreadPool,
  iothreadPoolOf,
  reparseIothreadIds,
  setIothreadPool,
  writeIothreadIds,
} from "../../../conf/domain/iothreads.ts";
import { removeIothread } from "../../../conf/domain/iothread_edit.ts";
import { assignDef, getDefs } from "../../../conf/objects/domain_obj.ts";
import { VIR } from "../../../util/constants.ts";
import type { TypedParams } from "../../../util/contract/types.ts";
import { checkFlags, VirError } from "../../../util/errors.ts";
import { validateTypedParams } from "../../../util/typed_params.ts";
import { iothreadAlias } from "../command/iothread_args.ts";
import type { QemuDomainObj } from "../domain_private.ts";
import type { QemuDriverState } from "../driver_state.ts";
import { queryIOThreads, setupIOThread } from "../iothread_live.ts";

const AFFECT = VIR.DOMAIN_AFFECT_LIVE | VIR.DOMAIN_AFFECT_CONFIG;
const INT_MAX = 2 ** 31 - 1;

const qemuError = (code: "INVALID_ARG" | "INTERNAL_ERROR" | "OPERATION_INVALID", msg: string) =>
  VirError.report("QEMU", code, msg);

/** One change of `qemuDomainChgIOThread`: to a copy of the persistent definition, and live. */
interface Change {
  config(def: DomainDef): void;
  live(obj: QemuDomainObj, def: DomainDef): Promise<void>;
}

/** The calls' own first checks: flags, then an id of 0 (before the domain is looked at). */
function checkCall(flags: number, id: number, fn: string): void {
  checkFlags(flags, AFFECT, fn, "QEMU");
  if (id === 0) throw qemuError("INVALID_ARG", "invalid value of 0 for iothread_id");
}

/**
 * `qemuDomainChgIOThread` in the domain job: the persistent copy first, then the running
 * QEMU, then the copy replaces the persistent definition and is saved.
 */
async function changeIOThread(
  state: QemuDriverState,
  obj: QemuDomainObj,
  flags: number,
  change: Change,
): Promise<void> {
  await obj.job.run(async () => {
    const { live, config } = getDefs(obj, flags);
    const copy = config && structuredClone(config);
    if (copy) {
      reparseIothreadIds(copy);
      change.config(copy);
    }
    if (live) {
      await change.live(obj, live);
      await state.saveStatus(obj);
    }
    if (copy) {
      assignDef(obj, copy, false);
      await state.saveConfig(obj);
    }
  });
}

const wrongCount = (got: number, wanted: number) =>
  qemuError(
    "INTERNAL_ERROR",
    `got wrong number of IOThread ids from QEMU monitor. got ${got}, wanted ${wanted}`,
  );

/**
 * `qemuDomainAddIOThread`: a new IOThread, live (`object-add`, its thread placed as at start)
 * and/or in the persistent definition.
 *
 * @example
 * ```ts
 * import { addIOThread } from "./iothread_change.ts";
 * import type { QemuDriverState } from "../driver_state.ts";
 * import type { QemuDomainObj } from "../domain_private.ts";
 * declare const state: QemuDriverState, obj: QemuDomainObj;
 * await addIOThread(state, obj, 2, 1); // live: QEMU runs iothread2
 * ```
 */
export async function addIOThread(
  state: QemuDriverState,
  obj: QemuDomainObj,
  id: number,
  flags: number,
): Promise<void> {
  checkCall(flags, id, "qemuDomainAddIOThread");
  await changeIOThread(state, obj, flags, {
    config: (def) => {
      addIOThreadCheck(def, id);
      writeIothreadIds(def, [...iothreadIdsOf(def), id]);
    },
    live: async (obj, def) => {
      addIOThreadCheck(def, id);
      await hotplugAdd(obj, def, id);
    },
  });
}

/** `qemuDomainHotplugAddIOThread`: a failure after the object exists deletes it again. */
async function hotplugAdd(obj: QemuDomainObj, def: DomainDef, id: number): Promise<void> {
  const monitor = obj.proc!.monitor;
  const alias = iothreadAlias(id);
  const ids = iothreadIdsOf(def);
  await monitor.run("object-add", { "qom-type": "iothread", id: alias });
  try {
    const threads = await queryIOThreads(monitor);
    if (threads.length !== ids.length + 1) throw wrongCount(threads.length, ids.length + 1);
    const thread = threads.find((t) => t.id === id);
    if (!thread) {
      throw qemuError("INTERNAL_ERROR", `cannot find new IOThread '${id}' in QEMU monitor.`);
    }
    writeIothreadIds(def, [...ids, id]);
    (obj.iothreadTids ??= new Map()).set(id, thread.tid);
    try {
      await setupIOThread(obj, id);
    } catch (err) {
      writeIothreadIds(def, ids);
      obj.iothreadTids.delete(id);
      throw err;
    }
  } catch (err) {
    // libvirt only logs a failure of this clean-up.
    await monitor.run("object-del", { id: alias }).catch(() => {});
    throw err;
  }
}

/**
 * `qemuDomainDelIOThread`: an IOThread no disk or controller uses goes, live (`object-del`)
 * and/or from the persistent definition, with its pin.
 *
 * @example
 * ```ts
 * import { delIOThread } from "./iothread_change.ts";
 * import type { QemuDriverState } from "../driver_state.ts";
 * import type { QemuDomainObj } from "../domain_private.ts";
 * declare const state: QemuDriverState, obj: QemuDomainObj;
 * await delIOThread(state, obj, 2, 2); // from the persistent definition
 * ```
 */
export async function delIOThread(
  state: QemuDriverState,
  obj: QemuDomainObj,
  id: number,
  flags: number,
): Promise<void> {
  checkCall(flags, id, "qemuDomainDelIOThread");
  await changeIOThread(state, obj, flags, {
    config: (def) => {
      delIOThreadCheck(def, id);
      removeIothread(def, id);
    },
    live: async (obj, def) => {
      delIOThreadCheck(def, id);
      const monitor = obj.proc!.monitor;
      const wanted = iothreadIdsOf(def).length - 1;
      await monitor.run("object-del", { id: iothreadAlias(id) });
      const got = (await queryIOThreads(monitor)).length;
      if (got !== wanted) throw wrongCount(got, wanted);
      removeIothread(def, id);
      obj.iothreadTids?.delete(id);
      await obj.vcpus!.ctx.cgroup.removeIOThread(id);
    },
  });
}

/** `qemuMonitorIOThreadInfo`'s settable values: what the call sets. */
interface IOThreadParams {
  poll: [property: string, value: number][];
  pool: Partial<IothreadPool>;
}

/** The typed parameters, their QEMU property, and the largest value libvirt passes on. */
const PARAMS = [
  { name: "poll_max_ns", type: "ullong", prop: "poll-max-ns", label: "poll-max-ns" },
  { name: "poll_grow", type: "uint", prop: "poll-grow", label: "poll-grow" },
  { name: "poll_shrink", type: "uint", prop: "poll-shrink", label: "poll-shrink" },
] as const;

/** `qemuDomainIOThreadParseParams`: the types, then each value's range. */
function parseParams(params: TypedParams): IOThreadParams {
  validateTypedParams(params, {
    ...Object.fromEntries(PARAMS.map((p) => [p.name, p.type])),
    thread_pool_min: "int",
    thread_pool_max: "int",
  });
  const unsupported = (msg: string) => VirError.report("QEMU", "CONFIG_UNSUPPORTED", msg);
  const poll: IOThreadParams["poll"] = [];
  for (const p of PARAMS) {
    if (params[p.name] === undefined) continue;
    const value = Number(params[p.name]);
    if (value > INT_MAX) {
      throw unsupported(`${p.label} (${value}) must be less than or equal to ${INT_MAX}`);
    }
    poll.push([p.prop, value]);
  }
  const pool: Partial<IothreadPool> = {};
  if (params.thread_pool_min !== undefined) pool.min = Number(params.thread_pool_min);
  if (params.thread_pool_max !== undefined) pool.max = Number(params.thread_pool_max);
  if (pool.min !== undefined && pool.min < -1) {
    throw unsupported(`thread_pool_min (${pool.min}) must be equal to or greater than -1`);
  }
  if (pool.max !== undefined && (pool.max < -1 || pool.max === 0)) {
    throw unsupported(`thread_pool_max (${pool.max}) must be a positive number or -1`);
  }
  return { poll, pool };
}

/** `virDomainIOThreadIDFind` for `qemuDomainChgIOThread`'s MOD. */
function knownIOThread(def: DomainDef, id: number): void {
  if (!iothreadIdsOf(def).includes(id)) {
    throw qemuError("INVALID_ARG", `cannot find IOThread '${id}' in iothreadids`);
  }
}

/**
 * `qemuDomainIOThreadValidate`: the bounds the IOThread would end with must be in order, and a
 * live change cannot ask for QEMU's default (-1) back.
 */
function validatePool(def: DomainDef, id: number, pool: Partial<IothreadPool>, live: boolean) {
  const now = iothreadPoolOf(def, id);
  for (const key of ["min", "max"] as const) {
    const value = pool[key];
    if (value === undefined) continue;
    if (live && value < 0) {
      throw qemuError(
        "OPERATION_INVALID",
        `thread_pool_${key} (${value}) must be equal to or greater than 0 for live change`,
      );
    }
    now[key] = value;
  }
  if (now.min > now.max) {
    throw qemuError(
      "OPERATION_INVALID",
      `thread_pool_min (${now.min}) can't be greater than thread_pool_max (${now.max})`,
    );
  }
}

/**
 * `qemuDomainSetIOThreadParams`: polling parameters (live only: QEMU alone has them) and pool
 * bounds (live and/or persistent) of one IOThread.
 *
 * @example
 * ```ts
 * import { setIOThreadParams } from "./iothread_change.ts";
 * import type { QemuDriverState } from "../driver_state.ts";
 * import type { QemuDomainObj } from "../domain_private.ts";
 * declare const state: QemuDriverState, obj: QemuDomainObj;
 * await setIOThreadParams(state, obj, 1, { poll_max_ns: 1000 }, 1);
 * ```
 */
export async function setIOThreadParams(
  state: QemuDriverState,
  obj: QemuDomainObj,
  id: number,
  params: TypedParams,
  flags: number,
): Promise<void> {
  checkCall(flags, id, "qemuDomainSetIOThreadParams");
  const { poll, pool } = parseParams(params);
  await changeIOThread(state, obj, flags, {
    config: (def) => {
      knownIOThread(def, id);
      validatePool(def, id, pool, false);
      if (poll.length) {
        throw VirError.report(
          "QEMU",
          "OPERATION_UNSUPPORTED",
          "configuring persistent polling values is not supported",
        );
      }
      setIothreadPool(def, id, pool);
    },
    live: async (obj, def) => {
      knownIOThread(def, id);
      validatePool(def, id, pool, true);
      await qomSetIOThread(obj, id, poll, pool);
      setIothreadPool(def, id, pool);
    },
  });
}

/**
 * `qemuMonitorJSONSetIOThread`: each property with `qom-set`, polling first; the pool's maximum
 * before its minimum when the new minimum is above QEMU's current maximum.
 */
async function qomSetIOThread(
  obj: QemuDomainObj,
  id: number,
  poll: IOThreadParams["poll"],
  pool: Partial<IothreadPool>,
): Promise<void> {
  const monitor = obj.proc!.monitor;
  const path = `/objects/${iothreadAlias(id)}`;
  const set = (property: string, value: number) =>
    monitor.run("qom-set", { path, property, value });
  for (const [property, value] of poll) await set(property, value);
  let maxFirst = false;
  if (pool.min !== undefined && pool.max !== undefined) {
    const max = await monitor.run<number>("qom-get", { path, property: "thread-pool-max" });
    maxFirst = max < pool.min;
  }
  const bounds: [string, number | undefined][] = [
    ["thread-pool-min", pool.min],
    ["thread-pool-max", pool.max],
  ];
  if (maxFirst) bounds.reverse();
  for (const [property, value] of bounds) if (value !== undefined) await set(property, value);
}
