/**
 * `virDomainMigrate3` for a managed migration (`src/libvirt-domain.c`): libvirt's flag and
 * feature checks, then `virDomainMigrateVersion3Full` with extensible parameters — Begin on the
 * source, Prepare on the destination, Perform on the source, Finish on the destination and
 * Confirm on the source, with libvirt's cancel paths. It runs in the client because it needs
 * both connections; the drivers and the gateway only see the five steps.
 *
 * @module
 */
import { VIR } from "../util/constants.ts";
import type { DomainRef, DriverConnection, TypedParams } from "../util/driver.ts";
import { DRV_FEATURE } from "../util/drv_feature.ts";
import { VirError } from "../util/errors.ts";
import { keptMigrationError } from "../util/migration_error.ts";
import type { HandleOwner } from "./handle.ts";

const E = VIR;
const API = "virDomainMigrate3";

/** The parameters `virDomainMigrate3` can hand to the older, parameterless protocols. */
const COMPAT_PARAMS = new Set(["migrate_uri", "destination_name", "destination_xml", "bandwidth"]);

/**
 * `VIR_DRV_SUPPORTS_FEATURE`: the driver's answer, false when it has no
 * `connectSupportsFeature`.
 *
 * @example
 * ```ts
 * import { supportsFeature } from "./domain_migrate.ts";
 * await supportsFeature({ type: "X", connectClose: () => Promise.resolve() }, 6); // false
 * ```
 */
export async function supportsFeature(driver: DriverConnection, feature: number): Promise<boolean> {
  if (!driver.connectSupportsFeature) return false;
  try {
    return await driver.connectSupportsFeature(feature);
  } catch (e) {
    if (e instanceof VirError && e.code === E.ERR_NO_SUPPORT) return false;
    throw e;
  }
}

/**
 * `virCheckReadOnlyGoto` for migration API `api`.
 *
 * @example
 * ```ts ignore
 * readonlyCheck(conn, "virDomainMigrateToURI3");
 * ```
 */
export function readonlyCheck(owner: HandleOwner, api = API): void {
  if (owner.readonly) {
    throw VirError.report("DOMAIN", "OPERATION_DENIED", `read only access prevents ${api}`);
  }
}

/**
 * The flag checks every migration API shares (`VIR_EXCLUSIVE_FLAGS`, `VIR_REQUIRE_FLAG` on the
 * storage copy flags).
 *
 * @example
 * ```ts
 * import { storageFlagChecks } from "./domain_migrate.ts";
 * storageFlagChecks(0); // passes
 * ```
 */
export function storageFlagChecks(flags: number): void {
  if (flags & E.MIGRATE_NON_SHARED_DISK && flags & E.MIGRATE_NON_SHARED_INC) {
    throw VirError.bare(
      "DOMAIN",
      "INVALID_ARG",
      "Flags 'VIR_MIGRATE_NON_SHARED_DISK' and 'VIR_MIGRATE_NON_SHARED_INC' are mutually exclusive",
    );
  }
  const copy = E.MIGRATE_NON_SHARED_DISK | E.MIGRATE_NON_SHARED_INC;
  if (flags & E.MIGRATE_NON_SHARED_SYNCHRONOUS_WRITES && !(flags & copy)) {
    throw VirError.bare(
      "DOMAIN",
      "INVALID_ARG",
      "Flag 'VIR_MIGRATE_NON_SHARED_DISK | VIR_MIGRATE_NON_SHARED_INC' is required by flag " +
        "'VIR_MIGRATE_NON_SHARED_SYNCHRONOUS_WRITES'",
    );
  }
}

/**
 * `virDomainMigrate3`: moves `dom` of `src` to `dst`; the domain's reference on `dst`.
 *
 * @example
 * ```ts ignore
 * const ref = await migrate3(src, dom.ref, dst, { migrate_uri: "tcp:127.0.0.1" }, VIR.MIGRATE_LIVE);
 * ```
 */
export async function migrate3(
  src: HandleOwner,
  dom: DomainRef,
  dst: HandleOwner,
  params: TypedParams,
  flags: number,
): Promise<DomainRef> {
  readonlyCheck(src);
  readonlyCheck(dst);
  storageFlagChecks(flags);
  if (flags & E.MIGRATE_PEER2PEER) {
    throw VirError.bare(
      "DOMAIN",
      "INVALID_ARG",
      "use virDomainMigrateToURI3 for peer-to-peer migration",
    );
  }
  if (flags & E.MIGRATE_TUNNELLED) {
    throw VirError.bare(
      "DOMAIN",
      "INVALID_ARG",
      "cannot perform tunnelled migration without using peer2peer flag",
    );
  }
  const unsupported = (message: string) =>
    VirError.report("DOMAIN", "ARGUMENT_UNSUPPORTED", message);
  if (flags & E.MIGRATE_OFFLINE) {
    if (!await supportsFeature(src.driver, DRV_FEATURE.MIGRATION_OFFLINE)) {
      throw unsupported("offline migration is not supported by the source host");
    }
    if (!await supportsFeature(dst.driver, DRV_FEATURE.MIGRATION_OFFLINE)) {
      throw unsupported("offline migration is not supported by the destination host");
    }
  }
  if (
    flags & E.MIGRATE_CHANGE_PROTECTION &&
    !await supportsFeature(src.driver, DRV_FEATURE.MIGRATE_CHANGE_PROTECTION)
  ) {
    throw unsupported("cannot enforce change protection");
  }
  flags &= ~E.MIGRATE_CHANGE_PROTECTION;
  if (
    await supportsFeature(src.driver, DRV_FEATURE.MIGRATION_PARAMS) &&
    await supportsFeature(dst.driver, DRV_FEATURE.MIGRATION_PARAMS)
  ) {
    return await version3Params(src, dom, dst, params, flags);
  }
  if (Object.keys(params).some((k) => !COMPAT_PARAMS.has(k))) {
    throw unsupported(
      "Migration APIs with extensible parameters are not supported but extended parameters " +
        "were passed",
    );
  }
  // The older protocols (version 3 without parameters, 2, 1) are not in the contract, and no
  // driver of it claims them.
  throw VirError.report("DOMAIN", "NO_SUPPORT", API);
}

/** The driver calls each side's steps need. */
const SOURCE_STEPS = [
  "domainMigrateBegin3Params",
  "domainMigratePerform3Params",
  "domainMigrateConfirm3Params",
] as const;
const DESTINATION_STEPS = ["domainMigratePrepare3Params", "domainMigrateFinish3Params"] as const;
/** A driver known to have the steps `S`. */
type WithSteps<S extends readonly (keyof DriverConnection)[]> =
  & DriverConnection
  & Required<Pick<DriverConnection, S[number]>>;

/** `virDomainMigrateVersion3Full` with `useParams`. */
async function version3Params(
  src: HandleOwner,
  dom: DomainRef,
  dst: HandleOwner,
  paramsIn: TypedParams,
  flags: number,
): Promise<DomainRef> {
  if (
    SOURCE_STEPS.some((m) => !src.driver[m]) || DESTINATION_STEPS.some((m) => !dst.driver[m])
  ) {
    throw VirError.report("DOMAIN", "NO_SUPPORT", "virDomainMigrateVersion3Full");
  }
  const s = src.driver as WithSteps<typeof SOURCE_STEPS>;
  const d = dst.driver as WithSteps<typeof DESTINATION_STEPS>;
  const params: TypedParams = { ...paramsIn };
  // Change protection whenever the source offers it: its job lasts from Begin to Confirm.
  const protection = await supportsFeature(src.driver, DRV_FEATURE.MIGRATE_CHANGE_PROTECTION)
    ? E.MIGRATE_CHANGE_PROTECTION
    : 0;
  const begun = await s.domainMigrateBegin3Params(dom, params, flags | protection);
  const [state] = await s.domainGetState?.(dom, 0).catch(() => [-1, 0]) ?? [-1, 0];
  if (state === E.DOMAIN_PAUSED && !(flags & E.MIGRATE_POSTCOPY_RESUME)) flags |= E.MIGRATE_PAUSED;
  const destflags = flags & ~(E.MIGRATE_ABORT_ON_ERROR | E.MIGRATE_AUTO_CONVERGE);
  params.destination_xml = begun.xml;
  let prepared;
  try {
    prepared = await d.domainMigratePrepare3Params(params, begun.cookieout, destflags);
  } catch (e) {
    // Begin started the source's job: a Confirm ends it, the Prepare's error stays the answer.
    if (protection) {
      await s.domainMigrateConfirm3Params(dom, params, null, flags | protection, 1)
        .catch(() => {});
    }
    throw e;
  }
  // The first error wins (virErrorPreserveLast): later steps' errors do not replace it.
  let first: unknown;
  let cookie = prepared.cookieout;
  let cancelled = 1;
  let notifySource = true;
  if (prepared.uriout) params.migrate_uri = prepared.uriout;
  if (typeof params.migrate_uri !== "string") {
    first = VirError.report("DOMAIN", "INTERNAL_ERROR", "domainMigratePrepare3 did not set uri");
  } else if (flags & E.MIGRATE_OFFLINE) {
    cancelled = 0;
  } else {
    try {
      cookie = (await s.domainMigratePerform3Params(dom, null, params, cookie, flags | protection))
        .cookieout;
      cancelled = 0;
    } catch (e) {
      // Perform failed, so the source already cancelled the migration itself.
      first = e;
      notifySource = false;
      cookie = null;
    }
  }
  if (typeof params.destination_name !== "string") params.destination_name = dom.name;
  let ddomain: DomainRef | null = null;
  try {
    const finished = await d.domainMigrateFinish3Params(params, cookie, destflags, cancelled);
    ddomain = finished.domain;
    cookie = finished.cookieout;
  } catch (e) {
    first = keptMigrationError(first, e);
    cookie = null;
  }
  cancelled = ddomain ? 0 : 1;
  if (notifySource) {
    // A failed Confirm leaves the source paused; libvirt only warns about it.
    await s.domainMigrateConfirm3Params(dom, params, cookie, flags | protection, cancelled)
      .catch(() => {});
  }
  if (ddomain) return ddomain;
  throw first ??
    VirError.bare("NONE", "INTERNAL_ERROR", "An error occurred, but the cause is unknown");
}
