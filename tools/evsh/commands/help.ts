/**
 * The `help` command: virsh 9.0's `cmdHelp` with its layouts — `vshCmddefHelp` for one command
 * and `vshCmdGrpHelp` for groups — built from the virsh table.
 * @module
 */
import type { CommandDef } from "../context.ts";
import {
  type CmdSpec,
  cmdSpec,
  findGroup,
  GROUPS,
  type GroupSpec,
  hasFlag,
} from "../virsh_defs.ts";

/**
 * `help COMMAND` (`vshCmddefHelp`): NAME, SYNOPSIS, DESCRIPTION when there is one, OPTIONS
 * when there are any, then a blank line.
 *
 * @example
 * ```ts
 * import { commandHelp } from "./help.ts";
 * import { cmdSpec } from "../virsh_defs.ts";
 * commandHelp(cmdSpec("domid")!);
 * // "  NAME\n    domid - convert a domain name or UUID to domain id\n\n  SYNOPSIS\n" +
 * // "    domid <domain>\n\n  OPTIONS\n    [--domain] <string>  domain name or uuid\n\n"
 * ```
 */
export function commandHelp(def: CmdSpec): string {
  const opts = (def.options ?? []).filter((o) => o.type !== "alias");
  let shortopt = false;
  let s = `  NAME\n    ${def.name} - ${def.help}\n\n  SYNOPSIS\n    ${def.name}`;
  for (const o of opts) {
    const req = hasFlag(o, "req");
    if (o.type !== "bool" && o.type !== "argv" && !hasFlag(o, "req_opt")) shortopt = true;
    switch (o.type) {
      case "bool":
        s += ` [--${o.name}]`;
        break;
      case "int":
        s += req ? ` <${o.name}>` : ` [--${o.name} <number>]`;
        break;
      case "string":
        s += ` [--${o.name} <string>]`;
        break;
      case "data":
        s += req ? ` <${o.name}>` : ` [<${o.name}>]`;
        break;
      case "argv":
        s += shortopt
          ? (req ? ` {[--${o.name}] <string>}...` : ` [[--${o.name}] <string>]...`)
          : (req ? ` <${o.name}>...` : ` [<${o.name}>]...`);
        break;
    }
  }
  s += "\n";
  if (def.desc) s += `\n  DESCRIPTION\n    ${def.desc}\n`;
  if (opts.length) {
    s += "\n  OPTIONS\n";
    for (const o of opts) {
      const label = o.type === "bool"
        ? `--${o.name}`
        : o.type === "int"
        ? (hasFlag(o, "req") ? `[--${o.name}] <number>` : `--${o.name} <number>`)
        : o.type === "string"
        ? `--${o.name} <string>`
        : o.type === "data"
        ? `[--${o.name}] <string>`
        : shortopt
        ? `[--${o.name}] <string>`
        : `<${o.name}>`;
      s += `    ${label.padEnd(15)}  ${o.help}\n`;
    }
  }
  return s + "\n";
}

/** Whether `help` lists the command (aliases and hidden commands are left out). */
function listed(c: CmdSpec): boolean {
  return !hasFlag(c, "alias") && !hasFlag(c, "hidden");
}

/**
 * One group's list (`vshCmdGrpHelp`): its header, then each command with its one-line help.
 *
 * @example
 * ```ts
 * import { groupHelp } from "./help.ts";
 * import { findGroup } from "../virsh_defs.ts";
 * groupHelp(findGroup("virsh")!).split("\n")[0]; // " Virsh itself (help keyword 'virsh'):"
 * ```
 */
export function groupHelp(group: GroupSpec): string {
  return ` ${group.name} (help keyword '${group.keyword}'):\n` +
    group.commands.filter(listed).map((c) => `    ${c.name.padEnd(30)} ${c.help}\n`).join("");
}

/**
 * Plain `help`: every group's list, each followed by a blank line.
 *
 * @example
 * ```ts
 * import { allHelp } from "./help.ts";
 * allHelp().startsWith("Grouped commands:\n\n Domain Management (help keyword 'domain'):\n"); // true
 * ```
 */
export function allHelp(): string {
  return "Grouped commands:\n\n" + GROUPS.map((g) => groupHelp(g) + "\n").join("");
}

/** The `help` command. Like virsh, a command name wins over a group keyword or name. */
export const HELP_COMMAND: CommandDef = {
  name: "help",
  // Not async: help only reads tables, and a failure thrown here is caught the same way.
  run(ctx, args) {
    const name = ctx.optStringQuiet(args, "command");
    if (!name) {
      ctx.print(allHelp());
      return Promise.resolve();
    }
    let def = cmdSpec(name);
    if (def?.alias) def = cmdSpec(def.alias);
    if (def) ctx.print(commandHelp(def));
    else {
      const group = findGroup(name);
      if (!group) return ctx.fail(`command or command group '${name}' doesn't exist`);
      ctx.print(groupHelp(group));
    }
    return Promise.resolve();
  },
};
