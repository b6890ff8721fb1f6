/**
 * virsh 9.0's command definitions as data (`virsh_table.json`, extracted from virsh's C tables
 * by `tests/tools/gen_virsh_table.py`): groups, commands, their help texts and option tables.
 * Parsing, `help` and completion all read this one table.
 * @module
 */
import TABLE from "./virsh_table.json" with { type: "json" };

/** An option's type, as virsh's `vshCmdOptType` without the prefix. */
export type OptType = "bool" | "string" | "int" | "data" | "argv" | "alias";

/** One option of a command (`vshCmdOptDef`). */
export interface OptSpec {
  name: string;
  type: OptType;
  /** `req`, `empty_ok`, `req_opt` (`VSH_OFLAG_*`). */
  flags?: readonly string[];
  /** The help text; for an alias, the option it stands for (`name` or `name=value`). */
  help: string;
  /** The completer virsh uses for the value, by its C name. */
  completer?: string;
  completer_flags?: readonly string[];
}

/** One command (`vshCmdDef` with its `vshCmdInfo`). */
export interface CmdSpec {
  name: string;
  /** `noconnect`, `alias`, `hidden` (`VSH_CMD_FLAG_*`). */
  flags?: readonly string[];
  /** For an alias command, the command it stands for. */
  alias?: string;
  help?: string;
  desc?: string;
  options?: readonly OptSpec[];
}

/** A command group of `virsh help` (`vshCmdGrp`). */
export interface GroupSpec {
  name: string;
  keyword: string;
  commands: readonly CmdSpec[];
}

/**
 * Every group, in `virsh help` order.
 *
 * @example
 * ```ts
 * import { GROUPS } from "./virsh_defs.ts";
 * GROUPS[0].keyword; // "domain"
 * ```
 */
export const GROUPS: readonly GroupSpec[] = TABLE.groups as GroupSpec[];

const BY_NAME = new Map(GROUPS.flatMap((g) => g.commands.map((c) => [c.name, c] as const)));

/**
 * The command of that name, aliases and hidden commands included (`vshCmddefSearch`).
 *
 * @example
 * ```ts
 * import { cmdSpec } from "./virsh_defs.ts";
 * cmdSpec("dominfo")?.options?.[0].name; // "domain"
 * ```
 */
export function cmdSpec(name: string): CmdSpec | undefined {
  return BY_NAME.get(name);
}

/** Whether an option carries flag `f` (`VSH_OFLAG_*`, lower case without prefix). */
export function hasFlag(o: { flags?: readonly string[] }, f: string): boolean {
  return o.flags?.includes(f) ?? false;
}

/**
 * The group of a command (`vshCmdGrpSearch` by name or keyword for groups).
 *
 * @example
 * ```ts
 * import { findGroup } from "./virsh_defs.ts";
 * findGroup("pool")?.name; // "Storage Pool"
 * ```
 */
export function findGroup(name: string): GroupSpec | undefined {
  return GROUPS.find((g) => g.name === name || g.keyword === name);
}
