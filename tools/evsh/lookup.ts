/**
 * virsh's object lookups from a command argument (`virshCommandOptDomainBy` and friends):
 * which lookups are tried in which order, and which errors stay for the final report. The
 * argument is read as `vshCommandOptStringReq` reads it, so an empty one is refused before any
 * lookup ("Failed to get option 'domain': Option argument is empty").
 * @module
 */
import type { Domain } from "../../client/domain.ts";
import type {
  Interface,
  Network,
  NodeDevice,
  StoragePool,
  StorageVolume,
} from "../../client/objects.ts";
import type { CommandContext } from "./context.ts";
import type { Args } from "./options.ts";

/** Which ways an argument may name an object (virsh's `VIRSH_BYID|BYUUID|BYNAME|BYMAC`). */
export interface By {
  id?: boolean;
  uuid?: boolean;
  name?: boolean;
  mac?: boolean;
}

const UUID_STRING_LENGTH = 36;

/** A looked-up object with the argument that named it (virsh prints the argument). */
export interface Found<T> {
  obj: T;
  arg: string;
}

/**
 * The domain named by option `opt`: by id (a non-negative integer), UUID (36 characters),
 * then name. Like virsh, the lookup errors are dropped: only "failed to get domain" shows.
 */
export async function domainArg(
  ctx: CommandContext,
  args: Args,
  by: By = { id: true, uuid: true, name: true },
  opt = "domain",
): Promise<Found<Domain>> {
  const arg = ctx.optString(args, opt) ?? "";
  const conn = ctx.conn;
  let dom: Domain | undefined;
  if (by.id && /^\s*[+-]?\d+$/.test(arg) && Number(arg) >= 0) {
    dom = await value(ctx, () => conn.lookupDomainByID(Number(arg)));
  }
  if (!dom && by.uuid && arg.length === UUID_STRING_LENGTH) {
    dom = await value(ctx, () => conn.lookupDomainByUUID(arg));
  }
  if (!dom && by.name) dom = await value(ctx, () => conn.lookupDomainByName(arg));
  ctx.resetError();
  if (!dom) ctx.fail(`failed to get domain '${arg}'`);
  return { obj: dom, arg };
}

/** The network named by option `opt`, by UUID then name; the lookup error is kept. */
export async function networkArg(
  ctx: CommandContext,
  args: Args,
  by: By = { uuid: true, name: true },
  opt = "network",
): Promise<Found<Network>> {
  const arg = ctx.optString(args, opt) ?? "";
  const obj = await byUuidThenName(
    ctx,
    arg,
    by,
    (u) => ctx.conn.lookupNetworkByUUID(u),
    (n) => ctx.conn.lookupNetworkByName(n),
  );
  if (!obj) ctx.fail(`failed to get network '${arg}'`);
  return { obj, arg };
}

/** The storage pool named by option `opt`, by UUID then name; the lookup error is kept. */
export async function poolArg(
  ctx: CommandContext,
  args: Args,
  opt = "pool",
): Promise<Found<StoragePool>> {
  const arg = ctx.optString(args, opt) ?? "";
  const obj = await byUuidThenName(
    ctx,
    arg,
    { uuid: true, name: true },
    (u) => ctx.conn.lookupStoragePoolByUUID(u),
    (n) => ctx.conn.lookupStoragePoolByName(n),
  );
  if (!obj) ctx.fail(`failed to get pool '${arg}'`);
  return { obj, arg };
}

/**
 * The volume named by option `vol`: by name in the pool of option `poolOpt` when given (which
 * must be active), then by key, then by path (virsh's `virshCommandOptVolBy`); the last lookup
 * error is kept.
 */
export async function volumeArg(
  ctx: CommandContext,
  args: Args,
  poolOpt = "pool",
): Promise<Found<StorageVolume>> {
  const arg = ctx.optString(args, "vol") ?? "";
  let vol: StorageVolume | undefined;
  const poolName = ctx.optString(args, poolOpt);
  let pool: StoragePool | undefined;
  if (poolName !== undefined) {
    pool = (await poolArg(ctx, args, poolOpt)).obj;
    const active = await ctx.attempt(() => pool!.isActive());
    if (!active.ok || !active.value) ctx.fail(`pool '${poolName}' is not active`);
    vol = await value(ctx, () => pool!.lookupVolumeByName(arg));
  }
  vol ??= await value(ctx, () => ctx.conn.lookupStorageVolByKey(arg));
  vol ??= await value(ctx, () => ctx.conn.lookupStorageVolByPath(arg));
  if (!vol) {
    ctx.fail(
      pool
        ? `failed to get vol '${arg}'`
        : `failed to get vol '${arg}', specifying --${poolOpt} might help`,
    );
  }
  ctx.resetError();
  if (pool) {
    const home = await value(ctx, () => ctx.conn.lookupStoragePoolByVolume(vol!));
    if (home && home.name !== pool.name) {
      ctx.resetError();
      ctx.fail(`Requested volume '${arg}' is not in pool '${pool.name}'`);
    }
  }
  return { obj: vol, arg };
}

/**
 * The interface named by option `opt`: a MAC-shaped argument is looked up by MAC (if `by.mac`),
 * anything else by name (if `by.name`); otherwise no lookup happens at all, as in virsh.
 */
export async function interfaceArg(
  ctx: CommandContext,
  args: Args,
  by: By = { name: true, mac: true },
  opt = "interface",
): Promise<Found<Interface>> {
  const arg = ctx.optString(args, opt) ?? "";
  const isMac = /^[0-9a-fA-F]{1,2}(:[0-9a-fA-F]{1,2}){5}$/.test(arg);
  let obj: Interface | undefined;
  if (!isMac && by.name) obj = await value(ctx, () => ctx.conn.lookupInterfaceByName(arg));
  else if (isMac && by.mac) {
    obj = await value(ctx, () => ctx.conn.lookupInterfaceByMACString(arg));
  }
  if (!obj) ctx.fail(`failed to get interface '${arg}'`);
  return { obj, arg };
}

/** The node device named by option `device` (`vshFindNodeDevice`, by name). */
export async function nodeDeviceArg(ctx: CommandContext, args: Args): Promise<NodeDevice> {
  const arg = ctx.optString(args, "device") ?? "";
  const obj = await value(ctx, () => ctx.conn.lookupNodeDeviceByName(arg));
  if (!obj) ctx.fail(`Could not find matching device '${arg}'`);
  return obj;
}

async function byUuidThenName<T>(
  ctx: CommandContext,
  arg: string,
  by: By,
  byUuid: (u: string) => Promise<T>,
  byName: (n: string) => Promise<T>,
): Promise<T | undefined> {
  let obj: T | undefined;
  if (by.uuid && arg.length === UUID_STRING_LENGTH) obj = await value(ctx, () => byUuid(arg));
  if (!obj && by.name) obj = await value(ctx, () => byName(arg));
  return obj;
}

async function value<T>(ctx: CommandContext, fn: () => Promise<T>): Promise<T | undefined> {
  const r = await ctx.attempt(fn);
  return r.ok ? r.value : undefined;
}
