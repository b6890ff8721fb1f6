/**
 * Option-table entries and checks shared by many commands (virsh's `VIRSH_COMMON_OPT_*`,
 * `VSH_EXCLUSIVE_OPTIONS`, `VSH_REQUIRE_OPTION`).
 * @module
 */
import type { CommandContext } from "../context.ts";
import type { Args, OptionDef } from "../options.ts";

/** A required positional option, such as `<domain>` or `<file>`. */
export function data(name: string): OptionDef {
  return { name, kind: "data", required: true };
}

/** Boolean flags, in table order. */
export function flags(...names: string[]): OptionDef[] {
  return names.map((name) => ({ name, kind: "bool" }));
}

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
