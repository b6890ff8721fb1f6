/**
 * The `help` command: virsh 9.0's `vshCmdHelp` with its two layouts, `vshCmddefHelp` for one
 * command and the group lists of `vshCmdGrpHelp`, built from evsh's option tables and the
 * texts in `help_text.ts`.
 *
 * The lists (`help` and `help GROUP`) keep virsh's exact layout but name only the groups and
 * commands evsh implements, so they are not virsh's bytes: virsh would list ~230 commands that
 * evsh would then reject as unknown.
 * @module
 */
import type { CommandContext, CommandDef } from "../context.ts";
import type { CommandShape, OptionDef } from "../options.ts";
import { HELP_GROUPS, HELP_TEXT, type HelpGroup, type HelpText } from "./help_text.ts";

/** An option in the SYNOPSIS line, as `vshCmddefHelp` writes each `vshCmdOptType`. */
function synopsisWord(o: OptionDef): string {
  switch (o.kind) {
    case "bool":
      return `[--${o.name}]`;
    case "int":
      return o.required ? `<${o.name}>` : `[--${o.name} <number>]`;
    case "string":
      return `[--${o.name} <string>]`;
    case "data":
      return o.required ? `<${o.name}>` : `[<${o.name}>]`;
  }
}

/** An option's name column in the OPTIONS section. */
function optionLabel(o: OptionDef): string {
  switch (o.kind) {
    case "bool":
      return `--${o.name}`;
    case "int":
      return o.required ? `[--${o.name}] <number>` : `--${o.name} <number>`;
    case "string":
      return `--${o.name} <string>`;
    case "data":
      return `[--${o.name}] <string>`;
  }
}

/**
 * `help COMMAND` (`vshCmddefHelp`): NAME, SYNOPSIS, DESCRIPTION when there is one, OPTIONS
 * when there are any, then a blank line.
 *
 * @example
 * ```ts
 * import { commandHelp } from "./help.ts";
 * commandHelp(
 *   { name: "domstate", options: [{ name: "domain", kind: "data", required: true }] },
 *   { help: "domain state", options: { domain: "domain name, id or uuid" } },
 * );
 * // "  NAME\n    domstate - domain state\n\n  SYNOPSIS\n    domstate <domain>\n\n" +
 * // "  OPTIONS\n    [--domain] <string>  domain name, id or uuid\n\n"
 * ```
 */
export function commandHelp(def: CommandShape, text: HelpText): string {
  let s = `  NAME\n    ${def.name} - ${text.help}\n\n  SYNOPSIS\n    ${def.name}` +
    def.options.map((o) => " " + synopsisWord(o)).join("") + "\n";
  if (text.desc) s += `\n  DESCRIPTION\n    ${text.desc}\n`;
  if (def.options.length) {
    s += "\n  OPTIONS\n" +
      def.options.map((o) => `    ${optionLabel(o).padEnd(15)}  ${text.options?.[o.name]}\n`).join(
        "",
      );
  }
  return s + "\n";
}

/**
 * One group's list (`vshCmdGrpHelp`): its header, then each command with its one-line help.
 *
 * @example
 * ```ts
 * import { groupHelp } from "./help.ts";
 * groupHelp({ name: "Virsh itself", keyword: "virsh", commands: ["help"] });
 * // " Virsh itself (help keyword 'virsh'):\n    help" + " ".repeat(27) + "print help\n"
 * ```
 */
export function groupHelp(group: HelpGroup): string {
  return ` ${group.name} (help keyword '${group.keyword}'):\n` +
    group.commands.map((c) => `    ${c.padEnd(30)} ${HELP_TEXT[c].help}\n`).join("");
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
  return "Grouped commands:\n\n" + HELP_GROUPS.map((g) => groupHelp(g) + "\n").join("");
}

/**
 * The `help` command, looking commands up with `find` (the command table, which holds `help`
 * itself). Like virsh, a command name wins over a group keyword or name.
 *
 * @example
 * ```ts
 * import { helpCommand } from "./help.ts";
 * const help = helpCommand(() => undefined);
 * help.options; // [{ name: "command", kind: "string" }]
 * ```
 */
export function helpCommand(find: (name: string) => CommandDef | undefined): CommandDef {
  /** What `help NAME` prints, or the command's failure. */
  const helpFor = (ctx: CommandContext, name: string): string => {
    const def = find(name);
    if (def) {
      const text = HELP_TEXT[def.name];
      if (!text.options) {
        ctx.fail(`no help for command '${name}': evsh's options for it differ from virsh's`);
      }
      return commandHelp(def, text);
    }
    const group = HELP_GROUPS.find((g) => g.keyword === name || g.name === name);
    if (!group) ctx.fail(`command or command group '${name}' doesn't exist`);
    return groupHelp(group);
  };
  return {
    name: "help",
    options: [{ name: "command", kind: "string" }],
    // Not async: help only reads tables, and a failure thrown here is caught the same way.
    run(ctx, args) {
      const name = args.string("command");
      ctx.print(name === undefined ? allHelp() : helpFor(ctx, name));
      return Promise.resolve();
    },
  };
}
