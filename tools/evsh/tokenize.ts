/**
 * virsh's command-line lexer (`vshCommandStringGetArg`): blanks separate words, `'…'` and
 * `"…"` quote, `\` escapes outside single quotes, `;` or a newline ends a command, and a word
 * starting with `#` comments out the rest of the line.
 * @module
 */

/** One command as its words, before option parsing. */
export type Words = string[];

/** The lexer's result: the commands of a line, or virsh's syntax error text. */
export type LexResult = { ok: true; commands: Words[] } | { ok: false; error: string };

/**
 * Splits a line into commands and words as virsh does.
 *
 * @example
 * ```ts
 * import { lex } from "./tokenize.ts";
 * lex("domstate 'test' --reason; uri"); // {ok: true, commands: [["domstate", "test", "--reason"], ["uri"]]}
 * ```
 */
export function lex(line: string): LexResult {
  const commands: Words[] = [];
  let words: Words = [];
  let i = 0;
  const endCommand = () => {
    if (words.length) commands.push(words);
    words = [];
  };
  while (true) {
    while (line[i] === " " || line[i] === "\t" || (line[i] === "\\" && line[i + 1] === "\n")) {
      i += line[i] === "\\" ? 2 : 1;
    }
    if (i >= line.length) break;
    const c = line[i];
    if (c === ";" || c === "\n") {
      i++;
      endCommand();
      continue;
    }
    if (c === "#") {
      while (i < line.length && line[i] !== "\n") i++;
      i++;
      endCommand();
      continue;
    }
    let word = "";
    let single = false;
    let double = false;
    while (i < line.length) {
      const ch = line[i];
      if (!single && !double && (ch === " " || ch === "\t" || ch === ";" || ch === "\n")) break;
      if (!double && ch === "'") {
        single = !single;
        i++;
        continue;
      }
      if (!single && ch === "\\") {
        i++;
        if (i >= line.length) return { ok: false, error: "dangling \\" };
        if (line[i] === "\n") {
          i++;
          continue;
        }
      } else if (!single && ch === '"') {
        double = !double;
        i++;
        continue;
      }
      word += line[i++];
    }
    // An unclosed single quote is accepted, as in virsh; only '"' is checked.
    if (double) return { ok: false, error: 'missing "' };
    words.push(word);
  }
  endCommand();
  return { ok: true, commands };
}
