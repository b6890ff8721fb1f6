/**
 * Checks and command shapes shared by many commands (virsh's `VSH_EXCLUSIVE_OPTIONS`,
 * `VSH_REQUIRE_OPTION`, the look-up-call-print commands).
 * @module
 */
import { VirError } from "../../../util/errors.ts";
import type { ErrorDomainName } from "../../../util/errors.ts";
import { type CommandContext, type CommandDef, CommandFailed } from "../context.ts";
import type { Args } from "../options.ts";
import { strToLong } from "../numbers.ts";
import { domainArg } from "../lookup.ts";
import { parseXML } from "../xml_parse.ts";

/** `VSH_EXCLUSIVE_OPTIONS`: "Options --a and --b are mutually exclusive". */
export function exclusive(ctx: CommandContext, args: Args, a: string, b: string): void {
  if (args.has(a) && args.has(b)) ctx.fail(`Options --${a} and --${b} are mutually exclusive`);
}

/** `VSH_REQUIRE_OPTION`: "Option --required is required by option --given". */
export function requires(ctx: CommandContext, args: Args, given: string, required: string): void {
  if (args.has(given) && !args.has(required)) {
    ctx.fail(`Option --${required} is required by option --${given}`);
  }
}

/**
 * The `--current/--live/--config` trio as `VIR_DOMAIN_AFFECT_*` bits (current = 0), after
 * virsh's exclusivity checks.
 */
export function affectFlags(ctx: CommandContext, args: Args, live: number, config: number): number {
  exclusive(ctx, args, "current", "live");
  exclusive(ctx, args, "current", "config");
  return (args.has("live") ? live : 0) | (args.has("config") ? config : 0);
}

/** virsh's yes/no for booleans. */
export function yesNo(b: boolean): string {
  return b ? "yes" : "no";
}

/** The OR of the flag bits whose options were given. */
export function bits(args: Args, table: readonly (readonly [string, number])[]): number {
  return table.reduce((f, [name, bit]) => (args.has(name) ? f | bit : f), 0);
}

/** What {@link action} needs: how to find the object and what to call and print. */
export interface ActionSpec<T> {
  name: string;
  lookup(ctx: CommandContext, args: Args): Promise<{ obj: T; arg: string }>;
  call(obj: T, args: Args): Promise<unknown>;
  /** The success line for the argument as given (virsh echoes the argument, not the name). */
  done(arg: string, args: Args): string;
  /** The `vshError` line when the call fails. */
  failed(arg: string, args: Args): string;
}

/**
 * The common virsh command shape: look an object up, make one call, print one line
 * (`destroy`, `net-start`, `pool-undefine`, …).
 *
 * @example
 * ```ts
 * import { action } from "./common.ts";
 * import { networkArg } from "../lookup.ts";
 * const netStart = action({
 *   name: "net-start",
 *   lookup: (ctx, args) => networkArg(ctx, args),
 *   call: (net) => net.create(),
 *   done: (arg) => `Network ${arg} started`,
 *   failed: (arg) => `Failed to start network ${arg}`,
 * });
 * ```
 */
export function action<T>(spec: ActionSpec<T>): CommandDef {
  return {
    name: spec.name,
    async run(ctx, args) {
      const { obj, arg } = await spec.lookup(ctx, args);
      await ctx.call(() => spec.call(obj, args), spec.failed(arg, args));
      ctx.printExtra(`${spec.done(arg, args)}\n`);
    },
  };
}

/**
 * The {@link action} maker of one object kind, as virsh words them: "NOUN ARG DONE" and
 * "Failed to VERB noun ARG", with ARG in quotes where virsh quotes it (domains, not networks or
 * pools).
 *
 * @example
 * ```ts
 * import { actionsOf } from "./common.ts";
 * import { networkArg } from "../lookup.ts";
 * const networkAction = actionsOf("Network", (ctx, args) => networkArg(ctx, args), false);
 * networkAction("net-start", (net) => net.create(), "started", "start");
 * ```
 */
export function actionsOf<T>(noun: string, lookup: ActionSpec<T>["lookup"], quoted: boolean) {
  const shown = (arg: string) => (quoted ? `'${arg}'` : arg);
  return (name: string, call: (obj: T) => Promise<unknown>, done: string, verb: string) =>
    action({
      name,
      lookup,
      call,
      done: (arg) => `${noun} ${shown(arg)} ${done}`,
      failed: (arg) => `Failed to ${verb} ${noun.toLowerCase()} ${shown(arg)}`,
    });
}

/** An object that can be marked for autostart. */
interface Autostartable {
  setAutostart(on: boolean): Promise<void>;
}

/**
 * `autostart`, `net-autostart`, `pool-autostart`: `--disable` unmarks; `what` renders the
 * object as virsh names it ("Domain 'x'", "Network x"), `failWhat` as its error does.
 */
export function autostartAction<T extends Autostartable>(
  name: string,
  lookup: ActionSpec<T>["lookup"],
  what: (arg: string) => string,
  failed: (verb: string, arg: string) => string,
): CommandDef {
  const verb = (args: Args) => (args.has("disable") ? "unmark" : "mark");
  return action({
    name,
    lookup,
    call: (obj, args) => obj.setAutostart(!args.has("disable")),
    done: (arg, args) => `${what(arg)} ${verb(args)}ed as autostarted`,
    failed: (arg, args) => failed(verb(args), arg),
  });
}

/**
 * `define`, `net-define`, `pool-define`, …: read FILE, hand its XML to `create`, print
 * "<what NAME> <done> FILE" (`Domain 'vm1' defined from f.xml`).
 */
export function fromFileAction(
  name: string,
  create: (ctx: CommandContext, xml: string, args: Args) => Promise<{ name: string }>,
  done: (objName: string, file: string) => string,
  failed: (file: string) => string,
): CommandDef {
  return {
    name,
    async run(ctx, args) {
      const file = ctx.optString(args, "file")!;
      const xml = await ctx.readFile(file);
      const obj = await ctx.call(() => create(ctx, xml, args), failed(file));
      ctx.printExtra(`${done(obj.name, file)}\n`);
    },
  };
}

/** Sorts objects by name, case-blind, as virsh's list sorters (`vshStrcasecmp`) do. */
export function sortByName<T extends { name: string }>(list: T[]): T[] {
  const key = (o: T) => o.name.toLowerCase();
  return list.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/**
 * The activity part of a `*-list` filter as virsh builds it: `--all` asks for active and
 * inactive objects, `--inactive` for inactive ones, nothing for active ones.
 *
 * @example
 * ```ts
 * import { VIR } from "../../../util/constants.ts";
 * import { Args } from "../options.ts";
 * import { activityFlags } from "./common.ts";
 * activityFlags(
 *   Args.of({ all: true }),
 *   VIR.CONNECT_LIST_DOMAINS_ACTIVE,
 *   VIR.CONNECT_LIST_DOMAINS_INACTIVE,
 * ); // 3
 * ```
 */
export function activityFlags(args: Args, active: number, inactive: number): number {
  if (args.has("all")) return active | inactive;
  return args.has("inactive") ? inactive : active;
}

/**
 * Fails the command with libvirt's error `e`, as the public API's own checks fail a call
 * before any driver sees it (printed as the saved error).
 *
 * @example
 * ```ts
 * import { failWith } from "./common.ts";
 * // failWith(ctx, VirError.bare("DOMAIN", "INVALID_ARG", "nfds in … must not be zero"));
 * ```
 */
export function failWith(ctx: CommandContext, e: VirError): never {
  ctx.lastError = e;
  throw new CommandFailed();
}

/**
 * Calls libvirt API `api`, which the driver contract does not declare, so no edgevirt driver
 * has it: the call fails as libvirt's entry points do for a driver without the method ("this
 * function is not supported by the connection driver: virXxx"); `failMessage` is virsh's
 * `vshError` line before the saved error, when it prints one.
 *
 * @example
 * ```ts
 * import { undeclared } from "./common.ts";
 * // await undeclared(ctx, "virDomainMigrateStartPostCopy");
 * ```
 */
export function undeclared(
  ctx: CommandContext,
  api: string,
  failMessage?: string,
  domain: ErrorDomainName = "DOMAIN",
): never {
  ctx.lastError = VirError.report(domain, "NO_SUPPORT", api);
  if (failMessage !== undefined) ctx.error(failMessage);
  throw new CommandFailed();
}

/**
 * `virshDumpXML` after the `--xpath` check and the call that gets the XML: the document, or with `--xpath` the nodes it selects, one per line or under
 * one `<nodes>` element with `--wrap`. An expression libxml2 cannot compile prints its
 * "XPath error" line and selects nothing; one that is not a node set fails the command.
 */
export async function dumpXML(
  ctx: CommandContext,
  args: Args,
  getXML: () => Promise<string>,
): Promise<void> {
  const xpath = ctx.optStringQuiet(args, "xpath");
  if (xpath === null) throw new CommandFailed();
  const xml = await ctx.call(getXML);
  if (xpath === undefined) {
    ctx.print(xml);
    return;
  }
  // XPath loads only for --xpath (and the parser with it): most XML dumps never need them.
  const { dumpNode, dumpWrapped, evaluateXPath, xpathDocument } = await import("../xpath.ts");
  const r = evaluateXPath(xpathDocument(await parseXML(xml)), xpath);
  if ("value" in r) {
    ctx.lastError = VirError.report("NONE", "INTERNAL_ERROR", `Incorrect xpath '${xpath}'`);
    throw new CommandFailed();
  }
  if ("error" in r) ctx.io.stderr(`XPath error : ${r.error}\n`);
  const nodes = "nodes" in r ? r.nodes : [];
  if (args.has("wrap")) ctx.print(`${dumpWrapped(nodes)}\n`);
  else for (const n of nodes) ctx.print(`${dumpNode(n)}\n`);
}

/**
 * `virshFetchPassFdsList`: the `--pass-fds` numbers (none when absent or empty).
 *
 * @example
 * ```ts
 * import { passFds } from "./common.ts";
 * // passFds(ctx, args) for `--pass-fds 3,4` is [3, 4]
 * ```
 */
export function passFds(ctx: CommandContext, args: Args): number[] {
  const list = ctx.optStringQuiet(args, "pass-fds");
  if (!list) return [];
  return list.split(",").map((s) => {
    const r = strToLong(s, "i");
    if (!r) ctx.fail(`Unable to parse FD number '${s}'`);
    return Number(r.value);
  });
}

/** What {@link undeclaredDomainCommand} checks around the domain look-up. */
export interface UndeclaredSpec {
  /** virsh's checks before the look-up. */
  before?(ctx: CommandContext, args: Args): void;
  /** virsh's option reading after the look-up (it may pick the API). */
  after?(ctx: CommandContext, args: Args): Promise<string | void> | string | void;
  /** virsh's `vshError` line when the call fails. */
  failMessage?: string;
}

/**
 * A domain command whose API the driver contract does not declare: virsh's checks and the
 * domain look-up, then libvirt's answer for a driver without the call (`api`, or the API
 * `after` names).
 *
 * @example
 * ```ts
 * import { undeclaredDomainCommand } from "./common.ts";
 * undeclaredDomainCommand("migrate-postcopy", "virDomainMigrateStartPostCopy").name;
 * ```
 */
export function undeclaredDomainCommand(
  name: string,
  api: string,
  spec: UndeclaredSpec = {},
): CommandDef {
  return {
    name,
    async run(ctx, args) {
      spec.before?.(ctx, args);
      await domainArg(ctx, args);
      const picked = await spec.after?.(ctx, args);
      undeclared(ctx, picked || api, spec.failMessage);
    },
  };
}

/**
 * virshWatchJob's last word on a job that ended well: with `--verbose`, the `[100 %]` progress
 * line on stderr (after a carriage return, as each progress update is).
 *
 * @example
 * ```ts
 * import { jobDone } from "./common.ts";
 * // jobDone(ctx, args, "Save") prints "\rSave: [100 %]" under --verbose
 * ```
 */
export function jobDone(ctx: CommandContext, args: Args, label: string): void {
  if (args.has("verbose")) printJobProgress(ctx, label, 0, 1);
}

/**
 * `virshPrintJobProgress`: `\rLABEL: [ NN %]` on stderr, 100 only once nothing remains.
 *
 * @example
 * ```ts
 * import { printJobProgress } from "./common.ts";
 * // printJobProgress(ctx, "Block Commit", 50, 100) writes "\rBlock Commit: [ 50 %]"
 * ```
 */
export function printJobProgress(
  ctx: CommandContext,
  label: string,
  remaining: number,
  total: number,
): void {
  const progress = remaining === 0 ? 100 : Math.min(99, Math.trunc(100 - remaining * 100 / total));
  ctx.io.stderr(`\r${label}: [${String(progress).padStart(3)} %]`);
}
