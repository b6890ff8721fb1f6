/**
 * virsh's option model and parser (`vshCommandParse`, `vshCmddefGetOption`,
 * `vshCmddefGetData`, `vshCommandCheckOpts`), driven by each command's option table.
 * @module
 */

/**
 * An option's kind, as virsh's `vshCmdOptType`: `bool` is a flag; `data` is a value normally
 * given by position; `string` and `int` are values normally given as `--name value`. Every
 * non-bool option can also be filled by position, in table order, as in virsh.
 */
export type OptionKind = "bool" | "data" | "string" | "int";

/** One entry of a command's option table. */
export interface OptionDef {
  name: string;
  kind: OptionKind;
  required?: boolean;
}

/** The values given for a command's options, by option name. */
export class Args {
  #values: Map<string, string | true>;

  constructor(values: Map<string, string | true>) {
    this.#values = values;
  }

  /** Whether the option was given (`vshCommandOptBool`). */
  has(name: string): boolean {
    return this.#values.has(name);
  }

  /** The option's value as given, if any (`vshCommandOptString`). */
  string(name: string): string | undefined {
    const v = this.#values.get(name);
    return typeof v === "string" ? v : undefined;
  }
}

/** A parsed command: its name and option values. */
export interface ParsedCommand<C> {
  def: C;
  args: Args;
}

/** What the parser needs from a command definition. */
export interface CommandShape {
  name: string;
  options: readonly OptionDef[];
}

/** Parse outcome: the commands, or virsh's error line (without `error: `). */
export type ParseResult<C> = { ok: true; commands: ParsedCommand<C>[] } | {
  ok: false;
  error: string;
};

/**
 * Parses lexed commands against the command table; like virsh, one bad command rejects the
 * whole line before anything runs.
 *
 * @example
 * ```ts
 * import { parseCommands } from "./options.ts";
 * const table = [{ name: "domstate", options: [
 *   { name: "domain", kind: "data", required: true } as const,
 *   { name: "reason", kind: "bool" } as const,
 * ] }];
 * const r = parseCommands([["domstate", "test", "--reason"]], (n) => table.find((c) => c.name === n));
 * if (r.ok) console.log(r.commands[0].args.string("domain")); // "test"
 * ```
 */
export function parseCommands<C extends CommandShape>(
  commands: string[][],
  find: (name: string) => C | undefined,
): ParseResult<C> {
  const out: ParsedCommand<C>[] = [];
  for (const words of commands) {
    const r = parseOne(words, find);
    if (typeof r === "string") return { ok: false, error: r };
    out.push(r);
  }
  return { ok: true, commands: out };
}

function parseOne<C extends CommandShape>(
  words: string[],
  find: (name: string) => C | undefined,
): ParsedCommand<C> | string {
  const def = find(words[0]);
  if (!def) return `unknown command: '${words[0]}'`;
  const values = new Map<string, string | true>();
  // Options still open to positional data, in table order (virsh's opts_need_arg).
  const needArg = def.options.filter((o) => o.kind !== "bool");
  const take = (o: OptionDef) => needArg.splice(needArg.indexOf(o), 1);
  let dataOnly = false;
  for (let i = 1; i < words.length; i++) {
    const w = words[i];
    if (!dataOnly && /^--[A-Za-z0-9]/.test(w)) {
      const eq = w.indexOf("=");
      const name = eq < 0 ? w.slice(2) : w.slice(2, eq);
      const opt = def.options.find((o) => o.name === name);
      if (!opt) return `command '${def.name}' doesn't support option --${name}`;
      if (values.has(name)) return `option --${name} already seen`;
      if (opt.kind === "bool") {
        if (eq >= 0) return `invalid '=' after option --${name}`;
        values.set(name, true);
        continue;
      }
      let value: string;
      if (eq >= 0) value = w.slice(eq + 1);
      else if (i + 1 < words.length) value = words[++i];
      else return `expected syntax: --${name} <${opt.kind === "int" ? "number" : "string"}>`;
      values.set(name, value);
      if (needArg.includes(opt)) take(opt);
    } else if (!dataOnly && w === "--") {
      dataOnly = true;
    } else {
      const opt = needArg[0];
      if (!opt) return `unexpected data '${w}'`;
      take(opt);
      values.set(opt.name, w);
    }
  }
  for (const o of def.options) {
    if (o.required && !values.has(o.name)) {
      return o.kind === "data"
        ? `command '${def.name}' requires <${o.name}> option`
        : `command '${def.name}' requires --${o.name} option`;
    }
  }
  return { def, args: new Args(values) };
}
