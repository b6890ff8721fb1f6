/**
 * `undefine`'s call as virsh 9.0's `cmdUndefine` makes it: each option's
 * `VIR_DOMAIN_UNDEFINE_*` bit, minus managed save and snapshot metadata a shut-off domain turns
 * out not to have (so an older server accepts the call); `virDomainUndefineFlags` when that is
 * safe, else (or when the server refuses the flags) the piecewise way: the managed save image
 * removed if asked, refused with snapshots, then plain `virDomainUndefine`.
 * @module
 */
import { VIR } from "../../../util/constants.ts";
import type { Domain } from "../../../client/domain.ts";
import type { CommandContext } from "../context.ts";
import type { Args } from "../options.ts";
import { bits } from "./common.ts";

const FLAGS = [
  ["managed-save", VIR.DOMAIN_UNDEFINE_MANAGED_SAVE],
  ["snapshots-metadata", VIR.DOMAIN_UNDEFINE_SNAPSHOTS_METADATA],
  ["checkpoints-metadata", VIR.DOMAIN_UNDEFINE_CHECKPOINTS_METADATA],
  ["nvram", VIR.DOMAIN_UNDEFINE_NVRAM],
  ["keep-nvram", VIR.DOMAIN_UNDEFINE_KEEP_NVRAM],
  ["tpm", VIR.DOMAIN_UNDEFINE_TPM],
  ["keep-tpm", VIR.DOMAIN_UNDEFINE_KEEP_TPM],
] as const;

/** A count or boolean from the server, 0 when it does not support the call. */
async function orUnsupported<T>(
  ctx: CommandContext,
  fn: () => Promise<T>,
  none: T,
): Promise<T> {
  const r = await ctx.attempt(fn);
  if (r.ok) return r.value;
  if (ctx.lastError?.code !== VIR.ERR_NO_SUPPORT) {
    ctx.reportNow();
    ctx.fail();
  }
  ctx.resetError();
  return none;
}

/**
 * Undefines `dom` as virsh does; false when it failed (the caller prints virsh's "Failed to
 * undefine" line, the saved error follows).
 *
 * @example
 * ```ts ignore
 * if (!(await undefineDomain(ctx, dom, args))) ctx.fail(`Failed to undefine domain 'vm1'`);
 * ```
 */
export async function undefineDomain(
  ctx: CommandContext,
  dom: Domain,
  args: Args,
): Promise<boolean> {
  let flags = bits(args, FLAGS);
  const nvram = args.has("nvram");
  let managedSaveSafe = args.has("managed-save");
  let snapshotsSafe = false;
  let hasManagedSave = false;
  let snapshots = 0;
  let snapshotsMetadata = 0;
  const running = await ctx.call(() => dom.isActive());
  if (!running) {
    // Undefine with snapshots fails only for shut-off domains, where a managed save can exist.
    hasManagedSave = await orUnsupported(ctx, () => dom.hasManagedSaveImage(0), false);
    snapshots = await orUnsupported(ctx, () => dom.snapshotNum(0), 0);
    if (snapshots) {
      const r = await ctx.attempt(() => dom.snapshotNum(VIR.DOMAIN_SNAPSHOT_LIST_METADATA));
      if (r.ok) {
        snapshotsMetadata = r.value;
        managedSaveSafe = snapshotsSafe = true;
      } else {
        // A server without the flag: every snapshot is taken to have metadata.
        ctx.resetError();
        snapshotsMetadata = snapshots;
      }
    }
  }
  if (!hasManagedSave) {
    flags &= ~VIR.DOMAIN_UNDEFINE_MANAGED_SAVE;
    managedSaveSafe = true;
  }
  if (!snapshots) snapshotsSafe = true;
  if (!snapshotsMetadata) {
    flags &= ~VIR.DOMAIN_UNDEFINE_SNAPSHOTS_METADATA;
    snapshotsSafe = true;
  }
  if ((managedSaveSafe && snapshotsSafe) || nvram) {
    const r = await ctx.attempt(() => dom.undefineFlags(flags));
    const code = ctx.lastError?.code;
    if (r.ok || nvram || (code !== VIR.ERR_NO_SUPPORT && code !== VIR.ERR_INVALID_ARG)) {
      return r.ok;
    }
    ctx.resetError();
  }
  if (hasManagedSave) {
    if (!args.has("managed-save")) {
      ctx.fail("Refusing to undefine while domain managed save image exists");
    }
    const r = await ctx.attempt(() => dom.managedSaveRemove(0));
    if (!r.ok) {
      ctx.reportNow();
      ctx.fail();
    }
  }
  if (snapshotsMetadata) {
    ctx.fail(
      args.has("snapshots-metadata")
        ? `Unable to remove metadata of ${snapshotsMetadata} snapshots`
        : `Refusing to undefine while ${snapshotsMetadata} snapshots exist`,
    );
  }
  return (await ctx.attempt(() => dom.undefine())).ok;
}
