/**
 * virsh's command parser (`vshCommandParse`, `vshCmddefGetOption`, `vshCmddefGetData`,
 * `vshCommandCheckOpts`) over the option tables of `virsh_defs.ts`: aliases, `--help`,
 * positional data in table order, `--opt=value`, `--` and virsh's error lines.
 * @module
 */
import { type CmdSpec, cmdSpec, hasFlag, type OptSpec } from "./virsh_defs.ts";

/** One option as given (`vshCmdOpt`): its definition and its value (none for a bool). */
export interface GivenOpt {
  def: OptSpec;
  value?: string;
}

/** The options given to one command, in the order they came. */
export class Args {
  readonly given: readonly GivenOpt[];

  constructor(given: readonly GivenOpt[]) {
    this.given = given;
  }

  /**
   * Builds arguments from name/value pairs (tests, internal re-use); names must be options
   * of no particular command, so only `has`/`string`/`argv` are meaningful.
   *
   * @example
   * ```ts
   * import { Args } from "./options.ts";
   * Args.of({ all: true, domain: "test" }).string("domain"); // "test"
   * ```
   */
  static of(values: Record<string, string | true>): Args {
    return new Args(
      Object.entries(values).map(([name, v]) => ({
        def: { name, type: v === true ? "bool" : "string", help: "" },
        value: v === true ? undefined : v,
      })),
    );
  }

  /** Whether the option was given (`vshCommandOptBool`). */
  has(name: string): boolean {
    return this.given.some((o) => o.def.name === name);
  }

  /** The option's raw value as given, if any. */
  string(name: string): string | undefined {
    return this.given.find((o) => o.def.name === name)?.value;
  }

  /** Every value of an argv option, in order (`vshCommandOptArgv`). */
  argv(name: string): string[] {
    return this.given.filter((o) => o.def.name === name && o.def.type === "argv").map((o) =>
      o.value!
    );
  }
}

/** A parsed command: its definition (aliases resolved) and option values. */
export interface ParsedCommand {
  spec: CmdSpec;
  args: Args;
}

/** Parse outcome: the commands, or virsh's error lines (each without `error: `). */
export type ParseResult = { ok: true; commands: ParsedCommand[] } | { ok: false; errors: string[] };

const HELP_OPT: OptSpec = { name: "help", type: "bool", help: "print help for this function" };

/**
 * Parses lexed commands; like virsh, one bad command rejects the whole line before anything
 * runs.
 *
 * @example
 * ```ts
 * import { parseCommands } from "./options.ts";
 * const r = parseCommands([["domstate", "test", "--reason"]]);
 * if (r.ok) r.commands[0].args.string("domain"); // "test"
 * ```
 */
export function parseCommands(commands: string[][]): ParseResult {
  const out: ParsedCommand[] = [];
  for (const words of commands) {
    if (words[0].startsWith("#")) continue;
    const r = parseOne(words);
    if (!("spec" in r)) return { ok: false, errors: r };
    out.push(r);
  }
  return { ok: true, commands: out };
}

/** Finds option `name` of `spec` as `vshCmddefGetOption`, following aliases. */
function findOption(
  spec: CmdSpec,
  name: string,
  seen: Set<number>,
  inlineValue: string | undefined,
): { opt: OptSpec; index: number; value?: string } | string | undefined {
  if (name === "help") return { opt: HELP_OPT, index: -1, value: inlineValue };
  const opts = spec.options ?? [];
  let value = inlineValue;
  for (let i = 0; i < opts.length; i++) {
    const o = opts[i];
    if (o.name !== name) continue;
    if (o.type === "alias") {
      const eq = o.help.indexOf("=");
      if (eq >= 0) {
        if (value !== undefined) return `invalid '=' after option --${o.name}`;
        value = o.help.slice(eq + 1);
        name = o.help.slice(0, eq);
      } else name = o.help;
      continue;
    }
    if (seen.has(i) && o.type !== "argv") return `option --${name} already seen`;
    seen.add(i);
    return { opt: o, index: i, value };
  }
  return undefined;
}

function parseOne(words: string[]): ParsedCommand | string[] {
  let spec = cmdSpec(words[0]);
  if (!spec) return [`unknown command: '${words[0]}'`];
  if (spec.alias) spec = cmdSpec(spec.alias)!;
  const opts = spec.options ?? [];
  const isHelp = spec.name === "help";
  // Options open to positional data, in table order (virsh's opts_need_arg bitmap).
  const needArg = opts.flatMap((o, i) =>
    o.type !== "bool" && o.type !== "alias" && !hasFlag(o, "req_opt") ? [i] : []
  );
  const seen = new Set<number>();
  const given: GivenOpt[] = [];
  let dataOnly = false;
  for (let i = 1; i < words.length; i++) {
    const w = words[i];
    if (!dataOnly && /^--[A-Za-z0-9]/.test(w)) {
      const eq = w.indexOf("=");
      const name = eq < 0 ? w.slice(2) : w.slice(2, eq);
      const found = findOption(spec, name, seen, eq < 0 ? undefined : w.slice(eq + 1));
      if (found === undefined) {
        if (isHelp) continue;
        return [`command '${spec.name}' doesn't support option --${name}`];
      }
      if (typeof found === "string") return [found];
      const { opt, index } = found;
      if (opt.type === "bool") {
        if (found.value !== undefined) return [`invalid '=' after option --${opt.name}`];
        given.push({ def: opt });
        continue;
      }
      let value = found.value;
      if (value === undefined) {
        if (i + 1 >= words.length) {
          return [`expected syntax: --${opt.name} <${opt.type === "int" ? "number" : "string"}>`];
        }
        value = words[++i];
      }
      if (opt.type !== "argv") {
        const at = needArg.indexOf(index);
        if (at >= 0) needArg.splice(at, 1);
      }
      given.push({ def: opt, value });
    } else if (!dataOnly && w === "--") {
      dataOnly = true;
    } else {
      if (needArg.length === 0) {
        if (isHelp) continue;
        return [`unexpected data '${w}'`];
      }
      const index = needArg[0];
      const opt = opts[index];
      if (opt.type !== "argv") needArg.shift();
      seen.add(index);
      given.push({ def: opt, value: w });
    }
  }
  // `CMD --help` runs as `help CMD`.
  if (given.some((g) => g.def === HELP_OPT)) {
    const help = cmdSpec("help")!;
    return { spec: help, args: new Args([{ def: help.options![0], value: spec.name }]) };
  }
  const missing = opts.flatMap((o, i) =>
    hasFlag(o, "req") && !seen.has(i)
      ? [
        o.type === "data" || o.type === "argv"
          ? `command '${spec.name}' requires <${o.name}> option`
          : `command '${spec.name}' requires --${o.name} option`,
      ]
      : []
  );
  if (missing.length) return missing;
  return { spec, args: new Args(given) };
}
