/**
 * evsh's own command line, as virsh's: `[-c URI | --connect URI | --connect=URI] [-q]
 * [COMMAND…]`. One word after the options is a command line to split (`'cmd1; cmd2'`);
 * several are one command's words; none starts the interactive prompt.
 * @module
 */

/** What to run: the URI, then a line, a command's words, or the prompt. */
export interface EvshInvocation {
  uri?: string;
  mode: "line" | "argv" | "interactive";
  words: string[];
}

/**
 * Parses evsh's arguments, or returns virsh's style of error text.
 *
 * @example
 * ```ts
 * import { parseArgv } from "./argv.ts";
 * parseArgv(["-c", "test:///default", "list --all"]);
 * // {uri: "test:///default", mode: "line", words: ["list --all"]}
 * ```
 */
export function parseArgv(argv: readonly string[]): EvshInvocation | string {
  let uri: string | undefined;
  let i = 0;
  for (; i < argv.length; i++) {
    const a = argv[i];
    if (a === "-c" || a === "--connect") {
      if (i + 1 >= argv.length) return `option '${a}' requires an argument`;
      uri = argv[++i];
    } else if (a.startsWith("--connect=")) {
      uri = a.slice("--connect=".length);
    } else if (a === "--") {
      i++;
      break;
    } else if (a.startsWith("-") && a !== "-") {
      return `unsupported option '${a}'. See --help.`;
    } else {
      break;
    }
  }
  const words = argv.slice(i);
  const mode = words.length === 0 ? "interactive" : words.length === 1 ? "line" : "argv";
  return { uri, mode, words };
}
