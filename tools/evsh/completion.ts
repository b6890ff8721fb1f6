/**
 * Tab completion as virsh's readline hooks do it (`vshReadlineParse`): the first word completes
 * to command names, `--…` (or a blank after a complete word) to the options not given yet, and
 * an option's value through its completer (domain, network, pool, … names from the connection).
 * @module
 */
import type { Connection } from "../../client/connection.ts";
import { VIR } from "../../util/constants.ts";
import { type CmdSpec, cmdSpec, GROUPS, hasFlag, type OptSpec } from "./virsh_defs.ts";

/** Command names offered for completion: every listed command, in `help` order. */
function commandNames(): string[] {
  return GROUPS.flatMap((g) =>
    g.commands.filter((c) => !hasFlag(c, "alias") && !hasFlag(c, "hidden")).map((c) => c.name)
  );
}

/** Splits a partial line into the words of its last command (quotes honoured, unclosed ok). */
function lastCommandWords(line: string): { words: string[]; trailingBlank: boolean } {
  const words: string[] = [];
  let word: string | undefined;
  let single = false;
  let double = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (!single && !double && (c === " " || c === "\t")) {
      if (word !== undefined) words.push(word);
      word = undefined;
      continue;
    }
    if (!single && !double && (c === ";" || c === "\n")) {
      if (word !== undefined) words.push(word);
      word = undefined;
      words.length = 0;
      continue;
    }
    if (!double && c === "'") single = !single;
    else if (!single && c === '"') double = !double;
    else if (!single && c === "\\" && i + 1 < line.length) word = (word ?? "") + line[++i];
    else word = (word ?? "") + c;
  }
  if (word !== undefined) words.push(word);
  return { words, trailingBlank: word === undefined };
}

/** What the word under the cursor is: a value of `opt`, or an option name/command. */
interface Target {
  opt?: OptSpec;
  given: Set<string>;
}

/** Replays the words before the cursor word through the option table (lenient). */
function target(spec: CmdSpec, before: string[], current: string | undefined): Target {
  const opts = (spec.options ?? []).filter((o) => o.type !== "alias");
  const need = opts.filter((o) => o.type !== "bool" && !hasFlag(o, "req_opt"));
  const given = new Set<string>();
  let pending: OptSpec | undefined;
  let dataOnly = false;
  const take = (o: OptSpec) => {
    given.add(o.name);
    if (o.type !== "argv") need.splice(need.indexOf(o), 1);
  };
  for (const w of before) {
    if (pending) {
      take(pending);
      pending = undefined;
    } else if (!dataOnly && w === "--") dataOnly = true;
    else if (!dataOnly && w.startsWith("--")) {
      const o = opts.find((x) => x.name === w.slice(2).split("=")[0]);
      if (!o) continue;
      if (o.type === "bool") given.add(o.name);
      else if (w.includes("=")) take(o);
      else pending = o;
    } else if (need.length) take(need[0]);
  }
  if (pending) return { opt: pending, given };
  if (current === undefined || (!dataOnly && current.startsWith("-"))) return { given };
  return { opt: need[0], given };
}

/** A completer's candidates (`virsh*Completer`), or none for those evsh has no list for. */
async function complete(conn: Connection, opt: OptSpec): Promise<string[]> {
  const names = async (p: Promise<{ name: string }[]>) => (await p).map((o) => o.name);
  try {
    switch (opt.completer) {
      case "virshDomainNameCompleter": {
        let f = 0;
        for (const flag of opt.completer_flags ?? []) {
          f |= (VIR as unknown as Record<string, number>)[flag.replace(/^VIR_/, "")] ?? 0;
        }
        return await names(conn.listAllDomains(f));
      }
      case "virshDomainUUIDCompleter":
        return (await conn.listAllDomains()).map((d) => d.uuid);
      case "virshNetworkNameCompleter":
        return await names(conn.listAllNetworks());
      case "virshStoragePoolNameCompleter":
        return await names(conn.listAllStoragePools());
      case "virshInterfaceNameCompleter":
        return await names(conn.listAllInterfaces());
      case "virshNodeDeviceNameCompleter":
        return await names(conn.listAllNodeDevices());
      case "vshCompleteHelpCommand":
        return [...commandNames(), ...GROUPS.map((g) => g.keyword)];
      default:
        return [];
    }
  } catch {
    return [];
  }
}

/**
 * The completions of the word ending at the end of `line` (readline's matches, before its
 * common-prefix entry): virsh escapes blanks in candidates and keeps those starting with the
 * word.
 *
 * @example
 * ```ts
 * import { connect } from "../../mod.ts";
 * import { completions } from "./completion.ts";
 * const conn = await connect("test:///default");
 * await completions(conn, "domstate t"); // ["test"]
 * await completions(conn, "list --a"); // ["--all", "--autostart"]
 * await conn.close();
 * ```
 */
export async function completions(conn: Connection, line: string): Promise<string[]> {
  const { words, trailingBlank } = lastCommandWords(line);
  const text = trailingBlank ? "" : words[words.length - 1] ?? "";
  const before = trailingBlank ? words : words.slice(0, -1);
  let list: string[];
  let spec = before.length ? cmdSpec(before[0]) : undefined;
  if (spec?.alias) spec = cmdSpec(spec.alias);
  if (!spec) list = before.length ? [] : commandNames();
  else {
    const t = target(spec, before.slice(1), trailingBlank ? undefined : text);
    if (!t.opt || t.opt.type === "bool") {
      list = (spec.options ?? []).filter((o) =>
        o.type !== "alias" && (o.type === "argv" || !t.given.has(o.name))
      ).map((o) => `--${o.name}`);
    } else list = (await complete(conn, t.opt)).map((s) => s.replaceAll(" ", "\\ "));
  }
  return list.filter((s) => s.startsWith(text));
}

/**
 * The longest common prefix of the candidates (what readline inserts on Tab).
 *
 * @example
 * ```ts
 * import { commonPrefix } from "./completion.ts";
 * commonPrefix(["--all", "--autostart"]); // "--a"
 * ```
 */
export function commonPrefix(list: readonly string[]): string {
  if (!list.length) return "";
  let p = list[0];
  for (const s of list) while (!s.startsWith(p)) p = p.slice(0, -1);
  return p;
}
