/**
 * Peer-to-peer migration of the QEMU driver (libvirt 9.0's `qemuMigrationSrcPerformPeer2Peer`
 * and `qemuMigrationSrcPerformPeer2Peer3`): the source itself opens the destination's URI, with
 * the peer opener the host gave the driver (a driver here cannot import the client), checks
 * what it speaks, and runs the managed protocol's steps: Begin here, Prepare there, Perform
 * here, Finish there, Confirm here, with libvirt's cancel paths and error choice.
 *
 * @module
 */
import { VIR } from "../../../util/constants.ts";
import type {
  DriverConnection,
  MigrateCookie,
  PeerOpener,
  TypedParams,
} from "../../../util/driver.ts";
import { DRV_FEATURE } from "../../../util/drv_feature.ts";
import { VirError } from "../../../util/errors.ts";
import { keptMigrationError } from "../../../util/migration_error.ts";
import type { QemuDomainObj } from "../domain_private.ts";

const E = VIR;

/** The steps of the source that the peer-to-peer run calls back into (`migration.ts`). */
export interface SourceSteps {
  begin(params: TypedParams, flags: number): Promise<{ xml: string; cookieout: string | null }>;
  perform(params: TypedParams, cookiein: string | null, flags: number): Promise<MigrateCookie>;
  confirm(cookiein: string | null, flags: number, cancelled: number): Promise<void>;
}

/** `VIR_DRV_SUPPORTS_FEATURE` on the peer: false without the call. */
async function peerSupports(peer: DriverConnection, feature: number): Promise<boolean> {
  return await peer.connectSupportsFeature?.(feature) ?? false;
}

/** `qemuMigrationSrcPerformPeer2Peer`'s refusals of a tunnelled migration's parameters. */
function checkTunnelledParams(params: TypedParams, flags: number): void {
  if (!(flags & E.MIGRATE_TUNNELLED)) return;
  const refused = [
    ["migrate_uri", "migration URI"],
    ["listen_address", "listen address"],
    ["disks_port", "disk port address"],
  ].find(([name]) => params[name] !== undefined && params[name] !== 0);
  if (refused) {
    throw VirError.report(
      "QEMU",
      "ARGUMENT_UNSUPPORTED",
      `${refused[1]} is not supported by tunnelled migration`,
    );
  }
}

/**
 * `qemuMigrationSrcPerformPeer2Peer`: opens `dconnuri` with `openPeer`, checks it migrates
 * peer-to-peer with version 3 and parameters (and offline, when asked), and runs the steps;
 * the peer's connection is closed however it ends.
 *
 * @example
 * ```ts
 * import { performPeer2Peer } from "./migration_p2p.ts";
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * declare const steps: import("./migration_p2p.ts").SourceSteps;
 * declare const openPeer: import("../../../util/driver.ts").PeerOpener;
 * await performPeer2Peer(obj, openPeer, "qemu+http://127.0.0.1:16510/session", {}, 3, steps);
 * ```
 */
export async function performPeer2Peer(
  obj: QemuDomainObj,
  openPeer: PeerOpener,
  dconnuri: string,
  params: TypedParams,
  flags: number,
  steps: SourceSteps,
): Promise<void> {
  checkTunnelledParams(params, flags);
  const peer = await openPeer(dconnuri);
  try {
    if (!await peerSupports(peer, DRV_FEATURE.MIGRATION_P2P)) {
      throw VirError.report(
        "QEMU",
        "OPERATION_FAILED",
        "Destination libvirt does not support peer-to-peer migration protocol",
      );
    }
    if (
      !await peerSupports(peer, DRV_FEATURE.MIGRATION_V3) ||
      !await peerSupports(peer, DRV_FEATURE.MIGRATION_PARAMS) ||
      !peer.domainMigratePrepare3Params || !peer.domainMigrateFinish3Params
    ) {
      // Version 2 and parameterless version 3 are not in the contract.
      throw VirError.report("QEMU", "NO_SUPPORT", "virDomainMigratePrepare3Params");
    }
    if (
      flags & E.MIGRATE_OFFLINE && !await peerSupports(peer, DRV_FEATURE.MIGRATION_OFFLINE)
    ) {
      throw VirError.report(
        "QEMU",
        "ARGUMENT_UNSUPPORTED",
        "offline migration is not supported by the destination host",
      );
    }
    await peer2peer3(obj, peer as Required<DriverConnection>, params, flags, steps);
  } finally {
    await peer.connectClose().catch(() => {});
  }
}

/** `qemuMigrationSrcPerformPeer2Peer3` with parameters. */
async function peer2peer3(
  obj: QemuDomainObj,
  peer: Required<DriverConnection>,
  paramsIn: TypedParams,
  flagsIn: number,
  steps: SourceSteps,
): Promise<void> {
  // Peer-to-peer is one job on the source: change protection has nothing to add.
  let flags = flagsIn & ~E.MIGRATE_CHANGE_PROTECTION;
  const begun = await steps.begin(paramsIn, flags);
  const params: TypedParams = { ...paramsIn, destination_xml: begun.xml };
  if (obj.state === E.DOMAIN_PAUSED) flags |= E.MIGRATE_PAUSED;
  const destflags = flags & ~(E.MIGRATE_ABORT_ON_ERROR | E.MIGRATE_AUTO_CONVERGE);
  const prepared = await peer.domainMigratePrepare3Params(params, begun.cookieout, destflags);
  let first: unknown;
  let cookie = prepared.cookieout;
  let cancelled = 1;
  if (flags & E.MIGRATE_OFFLINE) {
    cancelled = 0;
  } else {
    if (prepared.uriout) params.migrate_uri = prepared.uriout;
    if (typeof params.migrate_uri !== "string") {
      first = VirError.report("QEMU", "INTERNAL_ERROR", "domainMigratePrepare3 did not set uri");
      cookie = null;
    } else {
      try {
        cookie = (await steps.perform(params, cookie, flags)).cookieout;
        cancelled = 0;
      } catch (e) {
        first = e;
        cookie = null;
      }
    }
  }
  if (typeof params.destination_name !== "string") params.destination_name = obj.def.name;
  let finished = false;
  try {
    const done = await peer.domainMigrateFinish3Params(params, cookie, destflags, cancelled);
    finished = done.domain !== null;
    cookie = done.cookieout;
  } catch (e) {
    first = keptMigrationError(first, e);
    cookie = null;
  }
  // A failed Confirm leaves the source paused; libvirt only warns about it.
  await steps.confirm(cookie, flags, finished ? 0 : 1).catch(() => {});
  if (!finished) {
    throw first ??
      VirError.bare("NONE", "INTERNAL_ERROR", "An error occurred, but the cause is unknown");
  }
}
