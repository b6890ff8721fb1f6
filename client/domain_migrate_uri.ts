/**
 * `virDomainMigrateToURI3` (`src/libvirt-domain.c`): libvirt's flag and source feature checks,
 * then, for a peer-to-peer migration, the source driver's Perform step with the destination's
 * URI: the driver opens the destination and runs the steps itself. Kept out of the `Domain`
 * class so that the portable client's bundle does not carry it.
 *
 * @module
 */
import { VIR } from "../util/constants.ts";
import type { DomainRef, TypedParams } from "../util/driver.ts";
import { DRV_FEATURE } from "../util/drv_feature.ts";
import { VirError } from "../util/errors.ts";
import { readonlyCheck, storageFlagChecks, supportsFeature } from "./domain_migrate.ts";
import type { HandleOwner } from "./handle.ts";

const E = VIR;

/** `virDomainMigrateUnmanagedCheckCompat`: what the source must speak for the flags. */
async function unmanagedChecks(src: HandleOwner, flags: number): Promise<void> {
  storageFlagChecks(flags);
  const [feature, what] = flags & E.MIGRATE_PEER2PEER
    ? [DRV_FEATURE.MIGRATION_P2P, "p2p"]
    : [DRV_FEATURE.MIGRATION_DIRECT, "direct"];
  for (
    const [needed, f, name] of [
      [flags & E.MIGRATE_OFFLINE, DRV_FEATURE.MIGRATION_OFFLINE, "offline"],
      [1, feature, what],
    ] as const
  ) {
    if (needed && !await supportsFeature(src.driver, f)) {
      throw VirError.report(
        "DOMAIN",
        "ARGUMENT_UNSUPPORTED",
        `${name} migration is not supported by the source host`,
      );
    }
  }
}

/**
 * `virDomainMigrateToURI3`: with VIR_MIGRATE_PEER2PEER, the source's driver migrates `dom` to
 * the libvirt URI `dconnuri` itself (its Perform step with the URI); direct migration no
 * edgevirt driver does.
 *
 * @example
 * ```ts ignore
 * import { migrateToURI3 } from "./domain_migrate_uri.ts";
 * await migrateToURI3(conn, dom.ref, "qemu+http://dst:16510/session", {}, VIR.MIGRATE_PEER2PEER);
 * ```
 */
export async function migrateToURI3(
  src: HandleOwner,
  dom: DomainRef,
  dconnuri: string | null,
  params: TypedParams,
  flags: number,
): Promise<void> {
  const api = "virDomainMigrateToURI3";
  readonlyCheck(src, api);
  if (flags & E.MIGRATE_TUNNELLED && flags & E.MIGRATE_PARALLEL) {
    throw VirError.bare(
      "DOMAIN",
      "INVALID_ARG",
      "Flags 'VIR_MIGRATE_TUNNELLED' and 'VIR_MIGRATE_PARALLEL' are mutually exclusive",
    );
  }
  await unmanagedChecks(src, flags);
  if (!(flags & E.MIGRATE_PEER2PEER)) throw VirError.report("DOMAIN", "NO_SUPPORT", api);
  if (dconnuri === null) {
    throw VirError.bare("DOMAIN", "INVALID_ARG", `dconnuri in ${api} must not be NULL`);
  }
  notLocal(dconnuri);
  const perform = src.driver.domainMigratePerform3Params;
  if (!perform || !await supportsFeature(src.driver, DRV_FEATURE.MIGRATION_PARAMS)) {
    throw VirError.report("DOMAIN", "NO_SUPPORT", api);
  }
  await perform.call(src.driver, dom, dconnuri, params, null, flags);
}

/**
 * `virDomainMigrateCheckNotLocal`: a URI without a server (and no unix socket of its own) or
 * naming localhost is this host.
 */
function notLocal(dconnuri: string): void {
  let url: URL;
  try {
    url = new URL(dconnuri);
  } catch {
    throw VirError.report("NONE", "INVALID_ARG", `Unable to parse URI ${dconnuri}`);
  }
  if (
    url.hostname.startsWith("localhost") || (!url.hostname && !url.searchParams.has("socket"))
  ) {
    throw VirError.bare("DOMAIN", "INVALID_ARG", "Attempt to migrate guest to the same host");
  }
}
