/**
 * `undefine` as virsh 9.0's `cmdUndefine` runs it: each option's `VIR_DOMAIN_UNDEFINE_*` bit,
 * minus managed save and snapshot metadata a shut-off domain turns out not to have (so an older
 * server accepts the call); `virDomainUndefineFlags` when that is safe, else (or when the server
 * refuses the flags) the piecewise way: the managed save image removed if asked, refused with
 * snapshots, then plain `virDomainUndefine`. With `--storage` or `--remove-all-storage`, the
 * disks' volumes are found before the domain goes and wiped and deleted after.
 * @module
 */
import { VIR } from "../../../util/constants.ts";
import type { Domain } from "../../../client/domain.ts";
import type { StorageVolume } from "../../../client/objects.ts";
import type { CommandContext } from "../context.ts";
import type { Args } from "../options.ts";
import { splitList } from "../split_list.ts";
import { parseXML } from "../xml_parse.ts";
import { xpathDocument, xpathNodes, xpathString } from "../xpath.ts";
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

/** A disk's volume to remove with the domain (`virshUndefineVolume`). */
interface DiskVolume {
  vol: StorageVolume;
  target: string;
  source: string;
}

/**
 * The volumes of the domain's disks that `--storage` names (by target or source) or, with
 * `--remove-all-storage`, all of them; a disk whose volume libvirt does not manage is reported
 * and skipped, as virsh does. Fails, before anything is undefined, on a running domain or a
 * `--storage` entry that names no disk.
 */
async function diskVolumes(
  ctx: CommandContext,
  dom: Domain,
  running: boolean,
  storage: string,
  args: Args,
): Promise<DiskVolume[]> {
  if (running) ctx.fail("Storage volume deletion is supported only on stopped domains");
  if (storage && args.has("remove-all-storage")) {
    ctx.fail("Specified both --storage and --remove-all-storage");
  }
  const xml = await ctx.attempt(() => dom.getXMLDesc(0));
  if (!xml.ok) ctx.fail("Failed to get domain description xml");
  const doc = xpathDocument(await parseXML(xml.value), true);
  // Each named entry is used up by the first disk it matches.
  const wanted: (string | undefined)[] = storage ? splitList(storage) : [];
  const vols: DiskVolume[] = [];
  for (const disk of xpathNodes(doc, "./devices/disk")) {
    const target = xpathString(doc, "string(./target/@dev)", disk);
    const source = xpathString(
      doc,
      "string(./source/@file|./source/@dir|./source/@name|./source/@dev|./source/@volume)",
      disk,
    );
    if (target === undefined) {
      ctx.reportNow();
      ctx.fail();
    }
    if (source === undefined) continue;
    const pool = xpathString(doc, "string(./source/@pool)", disk);
    if (storage) {
      const j = wanted.findIndex((w) => w === target || w === source);
      if (j < 0) continue;
      wanted[j] = undefined;
    }
    let found;
    if (pool !== undefined) {
      const p = await ctx.attempt(() => ctx.conn.lookupStoragePoolByName(pool));
      if (!p.ok) {
        ctx.error(`Storage pool '${pool}' for volume '${target}' not found.`);
        ctx.resetError();
        continue;
      }
      found = await ctx.attempt(() => p.value.lookupVolumeByName(source));
    } else {
      found = await ctx.attempt(() => ctx.conn.lookupStorageVolByPath(source));
    }
    if (!found.ok) {
      ctx.error(
        `Storage volume '${target}'(${source}) is not managed by libvirt. Remove it manually.\n`,
      );
      ctx.resetError();
      continue;
    }
    vols.push({ vol: found.value, target, source });
  }
  const missing = wanted.filter((w) => w !== undefined);
  for (const w of missing) ctx.error(`Volume '${w}' was not found in domain's definition.\n`);
  if (missing.length) ctx.fail();
  return vols;
}

/**
 * Wipes (with `--wipe-storage`) and deletes the volumes after the domain is undefined; false
 * when one of them could not be.
 */
async function removeVolumes(ctx: CommandContext, vols: DiskVolume[], args: Args) {
  const flags = args.has("delete-storage-volume-snapshots")
    ? VIR.STORAGE_VOL_DELETE_WITH_SNAPSHOTS
    : 0;
  let ok = true;
  for (const { vol, target, source } of vols) {
    if (args.has("wipe-storage")) {
      ctx.printExtra(`Wiping volume '${target}'(${source}) ... `);
      if (!(await ctx.attempt(() => vol.wipe(0))).ok) {
        ctx.error("Failed! Volume not removed.");
        ok = false;
        continue;
      }
      ctx.printExtra("Done.\n");
    }
    if ((await ctx.attempt(() => vol.delete(flags))).ok) {
      ctx.printExtra(`Volume '${target}'(${source}) removed.\n`);
    } else {
      ctx.error(`Failed to remove storage volume '${target}'(${source})`);
      ok = false;
    }
  }
  return ok;
}

/**
 * Undefines `dom` (named `arg` on the command line) as virsh does, with its volumes when asked;
 * fails the command as virsh does.
 *
 * @example
 * ```ts ignore
 * await undefineDomain(ctx, dom, "vm1", args);
 * ```
 */
export async function undefineDomain(
  ctx: CommandContext,
  dom: Domain,
  arg: string,
  args: Args,
): Promise<void> {
  let flags = bits(args, FLAGS);
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
  const storage = ctx.optStringQuiet(args, "storage") || "";
  const vols = storage || args.has("remove-all-storage")
    ? await diskVolumes(ctx, dom, running, storage, args)
    : [];
  const plan = { flags, safe: managedSaveSafe && snapshotsSafe, hasManagedSave, snapshotsMetadata };
  if (!(await undefineCall(ctx, dom, plan, args))) {
    ctx.fail(`Failed to undefine domain '${arg}'`);
  }
  ctx.printExtra(`Domain '${arg}' has been undefined\n`);
  if (!(await removeVolumes(ctx, vols, args))) ctx.fail();
}

/** What the queries before the call found out. */
interface UndefinePlan {
  flags: number;
  /** virDomainUndefineFlags cannot strand a managed save image or snapshot metadata. */
  safe: boolean;
  hasManagedSave: boolean;
  snapshotsMetadata: number;
}

/** The undefine call itself, `virDomainUndefineFlags` or piecewise; false when it failed. */
async function undefineCall(
  ctx: CommandContext,
  dom: Domain,
  { flags, safe, hasManagedSave, snapshotsMetadata }: UndefinePlan,
  args: Args,
): Promise<boolean> {
  const nvram = args.has("nvram");
  if (safe || nvram) {
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
