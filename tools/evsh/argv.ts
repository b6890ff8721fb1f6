/**
 * evsh's own command line, as virsh's (`virshParseArgv`: `getopt_long` with
 * `"+:c:d:e:hk:K:l:qrtvV"`): options up to the first non-option word, bundled short options,
 * unique prefixes of long ones. One word after the options is a command line to split
 * (`'cmd1; cmd2'`); several are one command's words; none starts the interactive prompt.
 * @module
 */
import { strToLong } from "./numbers.ts";

/** What to run: settings, then a line, a command's words, the prompt, or an early exit. */
export interface EvshInvocation {
  uri?: string;
  mode: "line" | "argv" | "interactive" | "help" | "version" | "version-long";
  words: string[];
  quiet?: boolean;
  readonly?: boolean;
  timing?: boolean;
  debug?: number;
  escape?: string;
  log?: string;
  keepaliveInterval?: number;
  keepaliveCount?: number;
  /** Non-fatal `vshError` lines (an out-of-range debug level). */
  warnings?: string[];
}

interface LongOpt {
  name: string;
  arg: "none" | "required" | "optional";
  short: string;
}

const LONG: LongOpt[] = [
  { name: "connect", arg: "required", short: "c" },
  { name: "debug", arg: "required", short: "d" },
  { name: "escape", arg: "required", short: "e" },
  { name: "help", arg: "none", short: "h" },
  { name: "keepalive-interval", arg: "required", short: "k" },
  { name: "keepalive-count", arg: "required", short: "K" },
  { name: "log", arg: "required", short: "l" },
  { name: "quiet", arg: "none", short: "q" },
  { name: "readonly", arg: "none", short: "r" },
  { name: "timing", arg: "none", short: "t" },
  { name: "version", arg: "optional", short: "v" },
];
const SHORT_WITH_ARG = "cdekKl";
const SHORT_FLAGS = "hqrtvV";

/** `virshAllowedEscapeChar`: `^` followed by a character of `@A-Z[\]^_`. */
function escapeOk(s: string): boolean {
  return (s.length === 2 && s[0] === "^" && /^[@A-Z[\\\]^_a-z]$/.test(s[1])) ||
    (s.length === 1 && s !== "^");
}

/** `virStrToLong_i(s, NULL, 0)`: decimal, `0x` hex or `0` octal; NaN when malformed. */
function strtolBase0(s: string): number {
  const m = /^[ \t\n\v\f\r]*([+-]?)(?:0x([0-9a-f]+)|(0[0-7]*)|([1-9]\d*))$/i.exec(s);
  if (!m) return NaN;
  const v = m[2] !== undefined
    ? parseInt(m[2], 16)
    : m[3] !== undefined
    ? parseInt(m[3], 8)
    : Number(m[4]);
  return m[1] === "-" ? -v : v;
}

/**
 * Parses evsh's arguments, or returns virsh's error text (without `error: `), after which
 * evsh exits with status 1.
 *
 * @example
 * ```ts
 * import { parseArgv } from "./argv.ts";
 * parseArgv(["-c", "test:///default", "list --all"]);
 * // {uri: "test:///default", mode: "line", words: ["list --all"]}
 * ```
 */
export function parseArgv(argv: readonly string[]): EvshInvocation | string {
  const inv: EvshInvocation = { mode: "interactive", words: [] };
  let i = 0;
  /** Applies option `c` with `value`; a string is the fatal error. */
  const apply = (c: string, value: string | undefined, long: boolean): string | undefined => {
    switch (c) {
      case "c":
        inv.uri = value;
        break;
      case "d": {
        const d = strToLong(value!, "i");
        if (!d) return `option ${long ? "--debug" : "-d"} takes a numeric argument`;
        if (d.value < 0n || d.value > 4n) {
          (inv.warnings ??= []).push(`ignoring debug level ${d.value} out of range [0-4]`);
        } else inv.debug = Number(d.value);
        break;
      }
      case "e":
        if (!escapeOk(value!)) return `Invalid string '${value}' for escape sequence`;
        inv.escape = value;
        break;
      case "h":
        inv.mode = "help";
        return "";
      case "k":
      case "K": {
        const name = c === "k" ? "keepalive-interval" : "keepalive-count";
        const parsed = strtolBase0(value!);
        if (!Number.isInteger(parsed) || Math.abs(parsed) > 2147483647) {
          return `Invalid value for option ${long ? "--" + name : "-" + c}`;
        }
        if (parsed < 0) {
          return `option ${long ? "--" + name : "-" + c} requires a positive integer argument`;
        }
        if (c === "k") inv.keepaliveInterval = parsed;
        else inv.keepaliveCount = parsed;
        break;
      }
      case "l":
        inv.log = value;
        break;
      case "q":
        inv.quiet = true;
        break;
      case "r":
        inv.readonly = true;
        break;
      case "t":
        inv.timing = true;
        break;
      case "v":
        inv.mode = value !== undefined && value === "long" ? "version-long" : "version";
        return "";
      case "V":
        inv.mode = "version-long";
        return "";
    }
    return undefined;
  };
  const needsArg = (c: string) => {
    const o = LONG.find((l) => l.short === c);
    return o
      ? `option '-${c}'/'--${o.name}' requires an argument`
      : `option '-${c}' requires an argument`;
  };
  for (; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--") {
      i++;
      break;
    }
    if (a.startsWith("--")) {
      const eq = a.indexOf("=");
      const name = eq < 0 ? a.slice(2) : a.slice(2, eq);
      const exact = LONG.find((l) => l.name === name);
      const prefixed = LONG.filter((l) => l.name.startsWith(name));
      const opt = exact ?? (prefixed.length === 1 ? prefixed[0] : undefined);
      if (!opt) return `unsupported option '${a}'. See --help.`;
      let value: string | undefined = eq < 0 ? undefined : a.slice(eq + 1);
      if (opt.arg === "none" && value !== undefined) {
        return `unsupported option '-${opt.short}'. See --help.`;
      }
      if (opt.arg === "required" && value === undefined) {
        if (i + 1 >= argv.length) return needsArg(opt.short);
        value = argv[++i];
      }
      const r = apply(opt.short, value, true);
      if (r === "") return inv;
      if (r !== undefined) return r;
      continue;
    }
    if (!a.startsWith("-") || a === "-") break;
    for (let j = 1; j < a.length; j++) {
      const c = a[j];
      if (SHORT_WITH_ARG.includes(c)) {
        let value = a.slice(j + 1);
        if (value === "") {
          if (i + 1 >= argv.length) return needsArg(c);
          value = argv[++i];
        }
        const r = apply(c, value, false);
        if (r === "") return inv;
        if (r !== undefined) return r;
        break;
      }
      if (!SHORT_FLAGS.includes(c)) return `unsupported option '-${c}'. See --help.`;
      const r = apply(c, undefined, false);
      if (r === "") return inv;
      if (r !== undefined) return r;
    }
  }
  inv.words = argv.slice(i);
  inv.mode = inv.words.length === 0 ? "interactive" : inv.words.length === 1 ? "line" : "argv";
  return inv;
}
