/**
 * Managed live migration of the QEMU driver, protocol version 3 with parameters
 * (`qemu_migration.c` of libvirt 9.0): Begin and Perform and Confirm on the source, Prepare and
 * Finish on the destination; the client runs the steps in order (`virDomainMigrate3`). The
 * destination's QEMU starts with `-incoming defer` and listens on a TCP port of the migration
 * range; the source's QEMU sends its state there (QMP `migrate`), watched with `query-migrate`
 * as the domain's async job (job info, abort). With VIR_MIGRATE_NON_SHARED_DISK / _INC the
 * disks are copied too, through the destination's NBD server (`migration_storage.ts`,
 * `migration_nbd.ts`).
 *
 * @module
 */
import { keptBandwidth } from "./migration_tunables.ts";
import { checkMigrationAllowed } from "./migration_allowed.ts";
import { formatDomainXML } from "../../../conf/domain/mod.ts";
import { checkActive, isActive, persistentDef, refOf } from "../../../conf/objects/domain_obj.ts";
import { orNotFound } from "../../../conf/objects/not_found.ts";
import { VIR } from "../../../util/constants.ts";
import type {
  MigrateBeginResult,
  MigrateCookie,
  MigrateFinishResult,
  MigratePrepareResult,
  TypedParams,
} from "../../../util/contract/types.ts";
import type { PeerOpener } from "../../../util/driver.ts";
import { VirError } from "../../../util/errors.ts";
import { hostName } from "../../../util/host_info.ts";
import type { QemuDomainObj } from "../domain_private.ts";
import type { QemuDriverState } from "../driver_state.ts";
import type { QemuMonitor } from "../monitor/qemu_monitor.ts";
import { type CookieNBD, formatCookie, parseCookie } from "./migration_cookie.ts";
import { checkMigrationSafe } from "./migration_safe.ts";
import {
  applyMigrationParams,
  checkMigrationParams,
  disableMigrationTLS,
  type MigrationParams,
  migrationParamsFromFlags,
  type OriginalParams,
  resetMigrationParams,
  UNLIMITED_BANDWIDTH,
} from "./migration_caps.ts";
import {
  acquireMigrationPort,
  checkMigration,
  checkMigrationArgs,
  checkMigrationFlags,
  releaseMigrationPort,
} from "./migration_params.ts";
import { speedOf } from "./block_job.ts";
import {
  beginAsyncJob,
  continueAsyncJob,
  emitJobCompleted,
  recordCompletedJob,
  runAsyncJob,
  waitForAsyncJob,
} from "./state_job.ts";
import {
  type MigrationWatch,
  type PostcopyWait,
  runMigration,
  watchMigration,
} from "./migration_wait.ts";
import { watchOutgoing } from "./migration_postcopy.ts";
import { performPeer2Peer } from "./migration_p2p.ts";
import { checkMigrateDisks, copiedDisks, migrateDisksParam } from "./migration_disks.ts";
import {
  checkDisksParams,
  clientAddress,
  type NBDServer,
  releaseNBDPort,
  startNBDServer,
  stopNBDServer,
} from "./migration_nbd.ts";
import {
  cookieNBD,
  precreateStorage,
  refuseBitmapCopy,
  startStorageCopy,
  type StorageCopy,
} from "./migration_storage.ts";

const E = VIR;
const XML_FLAGS = E.DOMAIN_XML_SECURE | E.DOMAIN_XML_MIGRATABLE;

/**
 * A domain prepared on the destination, until Finish: the port it was given from the range (to
 * release), the NBD server of a storage migration, its incoming async job, the watch on its
 * incoming migration, QEMU's migration parameters before (restored after), and the connection
 * that prepared it.
 */
interface Incoming {
  port?: number;
  original: OriginalParams;
  nbd?: NBDServer;
  endJob: () => void;
  watch: MigrationWatch;
  owner: object;
}

const incoming = new WeakMap<QemuDomainObj, Incoming>();

/** Ends a prepared domain's incoming state (`qemuMigrationDstPrepareCleanup`). */
function endIncoming(obj: QemuDomainObj): void {
  const prepared = incoming.get(obj);
  incoming.delete(obj);
  prepared?.endJob();
  prepared?.watch.close();
  if (prepared?.port !== undefined) releaseMigrationPort(prepared.port);
  if (prepared?.nbd) releaseNBDPort(prepared.nbd);
}

/**
 * A protected migration's outgoing job (VIR_MIGRATE_CHANGE_PROTECTION), held from Begin to
 * Confirm (`qemuMigrationJobContinue`) so that no other async job runs in between, and the
 * connection that began it.
 */
const protectedJobs = new WeakMap<QemuDomainObj, { end: () => void; owner?: object }>();

/** Ends a protected migration's outgoing job, if the domain has one. */
function endProtection(obj: QemuDomainObj): void {
  const held = protectedJobs.get(obj);
  protectedJobs.delete(obj);
  held?.end();
}

/**
 * The close callback of connection `owner` (libvirt's `qemuProcessAutoDestroy`, registered by
 * Prepare with `VIR_QEMU_PROCESS_START_AUTODESTROY`): a domain it prepared and never finished
 * is killed (STOPPED_DESTROYED) and, being transient, goes; its port is free again.
 *
 * @example
 * ```ts
 * import { destroyPreparedBy } from "./migration.ts";
 * declare const state: import("../driver_state.ts").QemuDriverState;
 * declare const conn: object;
 * await destroyPreparedBy(state, conn);
 * ```
 */
export async function destroyPreparedBy(s: QemuDriverState, owner: object): Promise<void> {
  for (const obj of s.domains.export(0)) {
    // qemuMigrationAnyConnectionClosed: a migration this connection began and never confirmed
    // lets its job go.
    if (protectedJobs.get(obj)?.owner === owner) endProtection(obj);
    if (incoming.get(obj)?.owner !== owner) continue;
    endIncoming(obj);
    if (isActive(obj)) {
      await s.stopProcess(obj, E.DOMAIN_SHUTOFF_DESTROYED, E.DOMAIN_EVENT_STOPPED_DESTROYED);
    }
  }
}

/** A `tcp:HOST:PORT` or `tcp://HOST[:PORT]` migration URI, split. */
function parseTcpURI(uri: string): { host: string; port?: number } {
  const m = /^tcp:(?:\/\/)?(\[[^\]]*\]|[^:/]*)(?::(\d+))?\/?$/.exec(uri);
  if (!m) {
    const scheme = uri.includes(":") ? uri.slice(0, uri.indexOf(":")) : uri;
    throw VirError.report(
      "QEMU",
      "ARGUMENT_UNSUPPORTED",
      `unsupported scheme ${scheme} in migration URI ${uri}`,
    );
  }
  return { host: m[1], port: m[2] === undefined ? undefined : Number(m[2]) };
}

/**
 * The source's capabilities and parameters (`qemuMigrationSrcRun`: checked, TLS off, the
 * bandwidth, applied); answers QEMU's parameters from before, for the reset.
 */
async function setSourceParams(
  mon: QemuMonitor,
  mp: MigrationParams,
  params: TypedParams,
  kept: number | undefined,
): Promise<OriginalParams> {
  const original = await checkMigrationParams(mon, mp, "source");
  disableMigrationTLS(mp, original);
  // The caller's bandwidth, else the one virDomainMigrateSetMaxSpeed kept (migration_tunables.ts).
  const given = Number(params.bandwidth ?? 0);
  const bandwidth = given > 0 ? given : kept;
  mp.params.set("max-bandwidth", bandwidth ? bandwidth * 1048576 : UNLIMITED_BANDWIDTH);
  await applyMigrationParams(mon, mp);
  return original;
}

/** QEMU's migration parameters of a source before its migration, until Confirm. */
const outgoing = new WeakMap<QemuDomainObj, OriginalParams>();

/**
 * `qemuDomainMigrateBegin3Params`: the domain XML the destination defines and the first cookie.
 *
 * @example
 * ```ts
 * import { migrateBegin } from "./migration.ts";
 * declare const state: import("../driver_state.ts").QemuDriverState;
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * await migrateBegin(state, obj, {}, 1);
 * ```
 */
export function migrateBegin(
  s: QemuDriverState,
  obj: QemuDomainObj,
  params: TypedParams,
  flags: number,
  owner?: object,
): Promise<MigrateBeginResult> {
  return Promise.resolve().then(async () => {
    checkMigrationArgs(params, flags, "qemuDomainMigrateBegin3Params");
    // qemuMigrationSrcBegin starts the outgoing async job.
    await waitForAsyncJob(obj, s.asyncJobWaitMs);
    if (!(flags & E.MIGRATE_OFFLINE)) checkActive(obj);
    else if (!obj.persistent) {
      throw VirError.report(
        "QEMU",
        "OPERATION_INVALID",
        "cannot migrate a transient domain offline",
      );
    }
    // Offline, the configuration moves, whether or not the domain runs here.
    const offline = (flags & E.MIGRATE_OFFLINE) !== 0;
    const def = offline ? persistentDef(obj) : s.liveDefinition(obj);
    await checkMigrationAllowed(obj, true, flags);
    checkMigrationSafe(def, params, flags);
    checkMigrationFlags(flags);
    checkMigrateDisks(def, params, flags);
    const xml = typeof params.destination_xml === "string"
      ? params.destination_xml
      : formatDomainXML(def, XML_FLAGS | (offline ? E.DOMAIN_XML_INACTIVE : 0));
    const copied = copiedDisks(def, params, flags);
    await refuseBitmapCopy(obj, copied);
    // The disks' sizes, for the destination to create their images.
    const nbd = copied.length ? await cookieNBD(obj) : undefined;
    const cookieout = formatCookie({ name: def.name, uuid: def.uuid, hostname: hostName(), nbd });
    // Change protection: the outgoing job starts here and lasts until Confirm (an offline
    // migration's domain has no QEMU whose job it would be).
    if (flags & E.MIGRATE_CHANGE_PROTECTION && !offline) {
      const end = beginAsyncJob(obj, E.DOMAIN_JOB_OPERATION_MIGRATION_OUT, "migration out job", {
        owner: "remoteDispatchDomainMigrateBegin3Params",
      });
      protectedJobs.set(obj, { end, owner });
    }
    return { xml, cookieout };
  });
}

/**
 * `qemuDomainMigratePrepare3Params`: the incoming domain, its QEMU started paused and
 * listening (`migrate-incoming`), in its incoming job until Finish, and killed if connection
 * `owner` closes first ({@link destroyPreparedBy}); an offline migration only checks the
 * definition.
 *
 * @example
 * ```ts
 * import { migratePrepare } from "./migration.ts";
 * declare const state: import("../driver_state.ts").QemuDriverState;
 * declare const conn: object;
 * await migratePrepare(state, { destination_xml: "<domain/>" }, null, 1, conn);
 * ```
 */
export async function migratePrepare(
  s: QemuDriverState,
  params: TypedParams,
  cookiein: string | null,
  flags: number,
  owner: object,
): Promise<MigratePrepareResult> {
  checkMigration(params, flags, "qemuDomainMigratePrepare3Params");
  checkDisksParams(params);
  if (typeof params.destination_xml !== "string") {
    throw VirError.report("QEMU", "INTERNAL_ERROR", "no domain XML passed");
  }
  const mp = migrationParamsFromFlags(params, flags, "destination");
  const def = s.parseNew(params.destination_xml);
  const sourceCookie = parseCookie(cookiein, def.name, def.uuid);
  // qemuMigrationDstPrepareActive: a storage migration the source's cookie announces.
  const storage = flags & (E.MIGRATE_NON_SHARED_DISK | E.MIGRATE_NON_SHARED_INC) &&
      !(flags & E.MIGRATE_OFFLINE)
    ? sourceCookie?.nbd
    : undefined;
  const migrateDisks = migrateDisksParam(params);
  if (typeof params.destination_name === "string") def.name = params.destination_name;
  const cookie = { name: def.name, uuid: def.uuid, hostname: hostName() };
  const listen = typeof params.listen_address === "string" ? params.listen_address : "0.0.0.0";
  const { port, uriout, allocated } = incomingPort(params.migrate_uri, listen);
  if (flags & E.MIGRATE_OFFLINE) {
    // Nothing runs or listens; Finish defines what the cookie carries.
    if (allocated) releaseMigrationPort(port);
    return {
      cookieout: formatCookie({ ...cookie, persistent: params.destination_xml }),
      uriout,
    };
  }
  const { obj } = s.domains.add(def, { live: true, checkLive: true });
  let watch: MigrationWatch | undefined;
  let original: OriginalParams = new Map();
  let nbd: NBDServer | undefined;
  let nbdCookie: CookieNBD | undefined;
  if (storage) {
    const incremental = (flags & E.MIGRATE_NON_SHARED_INC) !== 0;
    try {
      await precreateStorage(s, def, storage, migrateDisks, incremental);
    } catch (err) {
      // qemuMigrationDstPrepareFresh's cleanup: the domain never started goes.
      s.domains.remove(obj);
      if (allocated) releaseMigrationPort(port);
      throw err;
    }
  }
  try {
    await obj.job.run(() =>
      s.start(obj, E.DOMAIN_START_PAUSED, {
        argv: ["-incoming", "defer"],
        prepare: async (mon) => {
          const host = listen.includes(":") ? `[${listen}]` : listen;
          // Finish waits for the migration: from here on, no event of it goes unseen.
          watch = watchMigration(mon);
          // qemuMigrationDstPrepareActive: the capabilities and parameters, TLS off.
          original = await checkMigrationParams(mon, mp, "destination");
          disableMigrationTLS(mp, original);
          await applyMigrationParams(mon, mp);
          if (storage) {
            nbd = await startNBDServer(obj, listen, params, migrateDisks);
            nbdCookie = await cookieNBD(obj, nbd?.port);
          }
          await mon.run("migrate-incoming", { uri: `tcp:${host}:${port}` });
        },
        started: E.DOMAIN_EVENT_STARTED_MIGRATED,
        running: E.DOMAIN_RUNNING_MIGRATED,
        paused: E.DOMAIN_PAUSED_MIGRATION,
      })
    );
  } catch (err) {
    watch?.close();
    if (allocated) releaseMigrationPort(port);
    if (nbd) releaseNBDPort(nbd);
    throw err;
  }
  // The incoming job lasts until Finish (`qemuMigrationJobContinue`).
  const endJob = beginAsyncJob(obj, E.DOMAIN_JOB_OPERATION_MIGRATION_IN, "migration in job");
  incoming.set(obj, {
    port: allocated ? port : undefined,
    original,
    nbd,
    endJob,
    watch: watch!,
    owner,
  });
  return { cookieout: formatCookie({ ...cookie, nbd: nbdCookie }), uriout };
}

/**
 * `qemuMigrationDstPrepareDirect`'s port and `uri_out`: the caller's port, else one of the
 * range, announced as `tcp:HOSTNAME:PORT` (or the caller's URI with the port added).
 */
function incomingPort(
  uriIn: string | number | boolean | undefined,
  listen: string,
): { port: number; uriout: string | null; allocated: boolean } {
  if (typeof uriIn !== "string") {
    const hostname = hostName();
    if (hostname.startsWith("localhost")) {
      throw VirError.report(
        "QEMU",
        "INTERNAL_ERROR",
        "hostname on destination resolved to localhost, but migration requires an FQDN",
      );
    }
    const port = acquireMigrationPort(listen);
    return { port, uriout: `tcp:${hostname}:${port}`, allocated: true };
  }
  const { host, port } = parseTcpURI(uriIn);
  if (!host) {
    throw VirError.report("QEMU", "INVALID_ARG", `missing host in migration URI: ${uriIn}`);
  }
  if (port !== undefined) return { port, uriout: null, allocated: false };
  const got = acquireMigrationPort(listen);
  const wellFormed = uriIn.startsWith("tcp://");
  return {
    port: got,
    uriout: wellFormed ? `tcp://${host}:${got}` : `${uriIn}:${got}`,
    allocated: true,
  };
}

/**
 * `qemuDomainMigratePerform3Params`: the source's QEMU sends its state (paused first without
 * VIR_MIGRATE_LIVE) and ends paused; a failure or abort leaves it running as before. With
 * VIR_MIGRATE_PEER2PEER the source runs the whole migration to the libvirt URI `dconnuri`,
 * which it opens with the host's `openPeer` (`migration_p2p.ts`).
 *
 * @example
 * ```ts
 * import { migratePerform } from "./migration.ts";
 * declare const state: import("../driver_state.ts").QemuDriverState;
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * await migratePerform(state, obj, null, { migrate_uri: "tcp:127.0.0.1:49152" }, null, 1);
 * ```
 */
export async function migratePerform(
  s: QemuDriverState,
  obj: QemuDomainObj,
  dconnuri: string | null,
  params: TypedParams,
  cookiein: string | null,
  flags: number,
  openPeer?: PeerOpener,
): Promise<MigrateCookie> {
  if (!(flags & E.MIGRATE_PEER2PEER)) {
    try {
      checkMigration(params, flags, "qemuDomainMigratePerform3Params");
      return await performNative(s, obj, params, cookiein, flags);
    } catch (err) {
      // A failed Perform ends the migration's job (the client confirms nothing).
      endProtection(obj);
      throw err;
    }
  }
  // qemuMigrationSrcPerform: the source runs every step itself.
  checkMigrationArgs(params, flags, "qemuDomainMigratePerform3Params");
  if (cookiein) {
    throw VirError.report(
      "QEMU",
      "OPERATION_INVALID",
      "received unexpected cookie with P2P migration",
    );
  }
  if (!openPeer) {
    throw VirError.report(
      "QEMU",
      "ARGUMENT_UNSUPPORTED",
      "peer-to-peer migration is not supported by this driver",
    );
  }
  await performPeer2Peer(obj, openPeer, dconnuri ?? "", params, flags, {
    begin: (p, f) => migrateBegin(s, obj, p, f),
    perform: (p, cookie, f) => {
      checkMigration(p, f, "qemuDomainMigratePerform3Params");
      return performNative(s, obj, p, cookie, f);
    },
    confirm: (cookie, f, cancelled) => migrateConfirm(s, obj, params, cookie, f, cancelled),
  });
  return { cookieout: null };
}

/** `qemuMigrationSrcPerformPhase`: this host's QEMU sends the domain's state. */
async function performNative(
  s: QemuDriverState,
  obj: QemuDomainObj,
  params: TypedParams,
  cookiein: string | null,
  flags: number,
): Promise<MigrateCookie> {
  checkDisksParams(params);
  const cookie = parseCookie(cookiein, undefined, obj.def.uuid);
  if (typeof params.migrate_uri !== "string") {
    throw VirError.report("QEMU", "INVALID_ARG", "migration URI is required");
  }
  const mp = migrationParamsFromFlags(params, flags, "source");
  const to = parseTcpURI(params.migrate_uri);
  if (to.port === undefined) {
    throw VirError.report(
      "QEMU",
      "INVALID_ARG",
      `missing port in migration URI ${params.migrate_uri}`,
    );
  }
  await obj.job.run(async () => {
    // A protected migration's job is this one's, held since Begin.
    const held = protectedJobs.has(obj);
    if (!held) await waitForAsyncJob(obj, s.asyncJobWaitMs);
    checkActive(obj);
    const mon = obj.proc!.monitor;
    const wasRunning = obj.state === E.DOMAIN_RUNNING;
    const disks = copiedDisks(obj.def, params, flags);
    if (disks.length && !cookie?.nbd) {
      throw VirError.report(
        "QEMU",
        "INTERNAL_ERROR",
        "migration of non-shared disks requested but NBD is not set up",
      );
    }
    const unwatch = watchOutgoing(s, obj, mon, flags);
    const inJob = <T>(fn: (aborted: AbortSignal) => Promise<T>) =>
      held
        ? continueAsyncJob(obj, fn)
        : runAsyncJob(obj, E.DOMAIN_JOB_OPERATION_MIGRATION_OUT, "migration out job", fn);
    try {
      await inJob(
        async (aborted) => {
          outgoing.set(obj, await setSourceParams(mon, mp, params, keptBandwidth(obj)));
          // QEMU_MIGRATION_COMPLETED_POSTCOPY: Perform ends at the switch to post-copy.
          const postcopy = flags & E.MIGRATE_POSTCOPY
            ? { afterPause: mp.caps.has("pause-before-switchover") }
            : undefined;
          const copy = disks.length
            ? await startStorageCopy(s, obj, disks, {
              address: clientAddress(params, to.host, cookie!.nbd!.port ?? 0),
              speed: speedOf(Number(params.bandwidth ?? 0), false),
              flags,
            }, aborted)
            : undefined;
          await migrateState(mon, obj, flags, wasRunning, to, copy, aborted, postcopy);
        },
      );
    } catch (err) {
      obj.pausedReason = undefined;
      // qemuMigrationSrcRestoreDomainState: a domain that ran runs on.
      if (wasRunning && isActive(obj)) {
        obj.runningReason = E.DOMAIN_RUNNING_MIGRATION_CANCELED;
        await mon.cont().catch(() => {});
      }
      await resetOutgoing(obj);
      throw err;
    } finally {
      unwatch();
    }
    await s.saveStatus(obj);
  });
  const persistent = flags & E.MIGRATE_PERSIST_DEST
    ? typeof params.persistent_xml === "string"
      ? params.persistent_xml
      : formatDomainXML(obj.newDef ?? obj.def, XML_FLAGS | E.DOMAIN_XML_INACTIVE)
    : undefined;
  return {
    cookieout: formatCookie({
      name: obj.def.name,
      uuid: obj.def.uuid,
      hostname: hostName(),
      persistent,
    }),
  };
}

/**
 * `qemuMigrationSrcRun` from the memory on: the source's QEMU sends its state (paused first
 * without VIR_MIGRATE_LIVE); a storage copy's mirrors end at the switch-over, and on failure
 * QEMU's migration is cancelled and the mirrors forced off.
 */
async function migrateState(
  mon: QemuMonitor,
  obj: QemuDomainObj,
  flags: number,
  wasRunning: boolean,
  to: { host: string; port?: number },
  copy: StorageCopy | undefined,
  aborted: AbortSignal,
  postcopy: PostcopyWait | undefined,
): Promise<void> {
  let started = false;
  try {
    // QEMU stops the vCPUs at the switch-over; the STOP reports libvirt's reason for it.
    obj.pausedReason = E.DOMAIN_PAUSED_MIGRATION;
    if (!(flags & E.MIGRATE_LIVE) && wasRunning) await mon.stop();
    // An abort that came while the disks were copied (libvirt checks before `migrate`).
    if (aborted.aborted) {
      throw VirError.report("QEMU", "OPERATION_ABORTED", "migration out job: canceled by client");
    }
    const info = await runMigration(
      mon,
      "migration out job",
      () => {
        started = true;
        return mon.run("migrate", { uri: `tcp:${to.host}:${to.port}` });
      },
      copy && (() => copy.finish()),
      postcopy,
    );
    recordCompletedJob(obj, info);
  } catch (err) {
    if (copy) {
      // A mirror that failed at the switch-over leaves QEMU's migration waiting there.
      if (started) await mon.run("migrate_cancel").catch(() => {});
      await copy.abort();
    }
    throw err;
  }
}

/** `qemuMigrationDstPersist`: the destination keeps the definition (DEFINED event). */
async function persist(s: QemuDriverState, obj: QemuDomainObj, xml: string | undefined) {
  const wasPersistent = obj.persistent;
  const def = xml ? s.parse(xml) : structuredClone(obj.def);
  def.name = obj.def.name;
  if (isActive(obj)) obj.newDef = def;
  else obj.def = def;
  obj.persistent = true;
  await s.saveConfig(obj);
  s.emit(
    obj,
    E.DOMAIN_EVENT_DEFINED,
    wasPersistent ? E.DOMAIN_EVENT_DEFINED_UPDATED : E.DOMAIN_EVENT_DEFINED_ADDED,
  );
}

/**
 * `qemuDomainMigrateFinish3Params`: the incoming domain runs (paused with
 * VIR_MIGRATE_PAUSED), persistent with VIR_MIGRATE_PERSIST_DEST; when `cancelled`, or when the
 * incoming state fails, its QEMU ends and no domain is returned.
 *
 * @example
 * ```ts
 * import { migrateFinish } from "./migration.ts";
 * declare const state: import("../driver_state.ts").QemuDriverState;
 * await migrateFinish(state, { destination_name: "vm" }, null, 1, 0);
 * ```
 */
export async function migrateFinish(
  s: QemuDriverState,
  params: TypedParams,
  cookiein: string | null,
  flags: number,
  cancelled: number,
): Promise<MigrateFinishResult> {
  checkMigration(params, flags, "qemuDomainMigrateFinish3Params");
  const name = String(params.destination_name ?? "");
  if (flags & E.MIGRATE_OFFLINE) {
    if (cancelled) return { domain: null, cookieout: null };
    const cookie = parseCookie(cookiein, undefined, undefined);
    return await definedOffline(s, name, cookie?.persistent);
  }
  const obj = orNotFound(
    s.domains.findByName(name),
    "QEMU",
    "NO_DOMAIN",
    `no domain with matching name '${name}'`,
  );
  let cookie;
  try {
    cookie = parseCookie(cookiein, undefined, obj.def.uuid);
  } catch (err) {
    endIncoming(obj);
    throw err;
  }
  return await obj.job.run(async () => {
    // The incoming job ends with Finish, however it ends.
    try {
      return await finishIncoming(s, obj, cookie?.persistent, flags, cancelled);
    } finally {
      endIncoming(obj);
    }
  });
}

/** Finish's work on the prepared domain, in its job. */
async function finishIncoming(
  s: QemuDriverState,
  obj: QemuDomainObj,
  persistentXml: string | undefined,
  flags: number,
  cancelled: number,
): Promise<MigrateFinishResult> {
  if (cancelled) {
    if (isActive(obj)) {
      await s.stopProcess(obj, E.DOMAIN_SHUTOFF_FAILED, E.DOMAIN_EVENT_STOPPED_FAILED);
    }
    return { domain: null, cookieout: null };
  }
  try {
    checkActive(obj);
    const mon = obj.proc!.monitor;
    const prepared = incoming.get(obj)!;
    // qemuMigrationDstFinishFresh: with VIR_MIGRATE_POSTCOPY the wait may end at the switch,
    // the guest then resumed here while the rest of its memory comes.
    const postcopy = flags & E.MIGRATE_POSTCOPY ? { afterPause: false } : undefined;
    const inPostCopy =
      (await prepared.watch.wait("migration in job", undefined, postcopy)).status ===
        "postcopy-active";
    if (prepared.nbd) await stopNBDServer(s, obj);
    if (flags & E.MIGRATE_PERSIST_DEST) await persist(s, obj, persistentXml);
    if (flags & E.MIGRATE_PAUSED) {
      obj.reason = E.DOMAIN_PAUSED_USER;
      s.emit(obj, E.DOMAIN_EVENT_SUSPENDED, E.DOMAIN_EVENT_SUSPENDED_PAUSED);
    } else {
      obj.runningReason = inPostCopy ? E.DOMAIN_RUNNING_POSTCOPY : E.DOMAIN_RUNNING_MIGRATED;
      await mon.cont();
    }
    if (inPostCopy) {
      await prepared.watch.wait("migration in job");
      // qemuMigrationDstComplete: the end of a post-copy is announced as a migration's.
      if (obj.state === E.DOMAIN_RUNNING) obj.reason = E.DOMAIN_RUNNING_MIGRATED;
      s.emit(obj, E.DOMAIN_EVENT_RESUMED, E.DOMAIN_EVENT_RESUMED_MIGRATED);
    }
    // qemuMigrationDstComplete: the next save or dump runs without the migration's settings.
    await resetMigrationParams(mon, prepared.original);
    await s.saveStatus(obj);
  } catch (err) {
    if (isActive(obj)) {
      await s.stopProcess(obj, E.DOMAIN_SHUTOFF_FAILED, E.DOMAIN_EVENT_STOPPED_FAILED);
    }
    throw err;
  }
  return {
    domain: refOf(obj),
    cookieout: formatCookie({ name: obj.def.name, uuid: obj.def.uuid, hostname: hostName() }),
  };
}

/** An offline migration's Finish: the definition the cookie carries, defined. */
async function definedOffline(
  s: QemuDriverState,
  name: string,
  xml: string | undefined,
): Promise<MigrateFinishResult> {
  if (!xml) throw VirError.report("QEMU", "INTERNAL_ERROR", "no domain XML passed");
  const def = s.parse(xml);
  def.name = name || def.name;
  const { obj, oldDef } = s.domains.add(def, { live: false, checkLive: false });
  obj.persistent = true;
  await s.saveConfig(obj);
  s.emit(
    obj,
    E.DOMAIN_EVENT_DEFINED,
    oldDef ? E.DOMAIN_EVENT_DEFINED_UPDATED : E.DOMAIN_EVENT_DEFINED_ADDED,
  );
  return { domain: refOf(obj), cookieout: null };
}

/**
 * `qemuDomainMigrateConfirm3Params`: after a migration the source's QEMU ends
 * (STOPPED_MIGRATED) and, with VIR_MIGRATE_UNDEFINE_SOURCE, the definition of a domain no longer
 * running goes; a cancelled migration resumes the source.
 *
 * @example
 * ```ts
 * import { migrateConfirm } from "./migration.ts";
 * declare const state: import("../driver_state.ts").QemuDriverState;
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * await migrateConfirm(state, obj, {}, null, 1, 0);
 * ```
 */
export async function migrateConfirm(
  s: QemuDriverState,
  obj: QemuDomainObj,
  params: TypedParams,
  cookiein: string | null,
  flags: number,
  cancelled: number,
): Promise<void> {
  checkMigration(params, flags, "qemuDomainMigrateConfirm3Params");
  parseCookie(cookiein, undefined, obj.def.uuid);
  // qemuMigrationJobFinish: a protected migration's job ends with its Confirm, whatever it does.
  await obj.job.run(async () => {
    try {
      await confirmStep(s, obj, flags, cancelled);
    } finally {
      endProtection(obj);
    }
  });
}

/** What Confirm does to the source once the migration succeeded or was cancelled. */
async function confirmStep(
  s: QemuDriverState,
  obj: QemuDomainObj,
  flags: number,
  cancelled: number,
): Promise<void> {
  if (cancelled) {
    if (
      isActive(obj) && obj.state === E.DOMAIN_PAUSED && obj.reason === E.DOMAIN_PAUSED_MIGRATION
    ) {
      obj.runningReason = E.DOMAIN_RUNNING_MIGRATION_CANCELED;
      await obj.proc!.monitor.cont();
    }
    await resetOutgoing(obj);
    return;
  }
  // An offline migration leaves a domain running here running (and defined).
  if (isActive(obj) && !(flags & E.MIGRATE_OFFLINE)) {
    // qemuMigrationSrcComplete: the job's statistics follow the stop.
    await s.stopProcess(obj, E.DOMAIN_SHUTOFF_MIGRATED, E.DOMAIN_EVENT_STOPPED_MIGRATED);
    emitJobCompleted(s, obj);
  }
  outgoing.delete(obj);
  if (!isActive(obj) && flags & E.MIGRATE_UNDEFINE_SOURCE && obj.persistent) {
    await s.deleteConfig(obj);
    obj.persistent = false;
    s.domains.remove(obj);
  }
}

/** `qemuMigrationParamsReset` on a source whose migration failed or was cancelled. */
async function resetOutgoing(obj: QemuDomainObj): Promise<void> {
  const original = outgoing.get(obj);
  outgoing.delete(obj);
  if (original && isActive(obj)) await resetMigrationParams(obj.proc!.monitor, original);
}
