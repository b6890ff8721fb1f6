/**
 * A small readline for evsh's prompt on a raw terminal: cursor motion and editing keys
 * (emacs bindings), history with up/down, Tab completion (one match is inserted with a blank,
 * several extend to their common prefix, a second Tab lists them). Pure: keys come from a
 * function, output goes to one, so tests drive it without a terminal.
 * @module
 */
import { commonPrefix } from "./completion.ts";

/** What the editor needs from its surroundings. */
export interface EditorIO {
  /** Writes terminal output (text and ANSI control sequences). */
  write(text: string): void;
  /** The next key or escape sequence; null at end of input. */
  readKey(): Promise<string | null>;
  /** Candidates for the word ending at the end of `line` (the text left of the cursor). */
  complete(line: string): Promise<string[]>;
}

/**
 * Splits raw terminal input into keys: one character, or one whole escape sequence.
 *
 * @example
 * ```ts
 * import { splitKeys } from "./line_editor.ts";
 * splitKeys("ab\x1b[A\x1b[3~"); // ["a", "b", "\x1b[A", "\x1b[3~"]
 * ```
 */
export function splitKeys(input: string): string[] {
  const keys: string[] = [];
  const esc = "\x1b";
  const re = new RegExp(`${esc}\\[[0-9;]*[A-Za-z~]|${esc}O[A-Za-z]|${esc}.?|[\\s\\S]`, "gu");
  for (const m of input.matchAll(re)) keys.push(m[0]);
  return keys;
}

/**
 * A line editor with its history.
 *
 * @example
 * ```ts
 * import { LineEditor } from "./line_editor.ts";
 * const keys = ["d", "o", "m", "\t", "\r"];
 * let out = "";
 * const ed = new LineEditor({
 *   write: (s) => (out += s),
 *   readKey: () => Promise.resolve(keys.shift() ?? null),
 *   complete: (l) => Promise.resolve(["domstate", "dominfo"].filter((c) => c.startsWith(l))),
 * });
 * await ed.readLine("evsh # "); // "dom" (two matches share only "dom")
 * ```
 */
export class LineEditor {
  readonly history: string[];
  #io: EditorIO;

  constructor(io: EditorIO, history: string[] = []) {
    this.#io = io;
    this.history = history;
  }

  /** Reads one line; null at end of input (Ctrl-D on an empty line). */
  async readLine(prompt: string): Promise<string | null> {
    let buf = "";
    let pos = 0;
    let hist = this.history.length;
    let draft = "";
    let lastTab = false;
    const io = this.#io;
    const redraw = () => {
      io.write(`\r${prompt}${buf}\x1b[K`);
      if (buf.length > pos) io.write(`\x1b[${buf.length - pos}D`);
    };
    const insert = (s: string) => {
      buf = buf.slice(0, pos) + s + buf.slice(pos);
      pos += s.length;
    };
    io.write(prompt);
    while (true) {
      const key = await io.readKey();
      if (key === null) {
        if (buf === "") return null;
        io.write("\r\n");
        return buf;
      }
      const wasTab = lastTab;
      lastTab = false;
      switch (key) {
        case "\r":
        case "\n":
          io.write("\r\n");
          if (buf.trim() !== "" && this.history[this.history.length - 1] !== buf) {
            this.history.push(buf);
          }
          return buf;
        case "\x04": // Ctrl-D
          if (buf === "") {
            io.write("\r\n");
            return null;
          }
          buf = buf.slice(0, pos) + buf.slice(pos + 1);
          break;
        case "\x03": // Ctrl-C abandons the line
          io.write("^C\r\n");
          buf = "";
          pos = 0;
          io.write(prompt);
          continue;
        case "\x7f":
        case "\x08":
          if (pos > 0) {
            buf = buf.slice(0, pos - 1) + buf.slice(pos);
            pos--;
          }
          break;
        case "\x1b[3~":
          buf = buf.slice(0, pos) + buf.slice(pos + 1);
          break;
        case "\x01":
        case "\x1b[H":
        case "\x1bOH":
        case "\x1b[1~":
          pos = 0;
          break;
        case "\x05":
        case "\x1b[F":
        case "\x1bOF":
        case "\x1b[4~":
          pos = buf.length;
          break;
        case "\x02":
        case "\x1b[D":
          pos = Math.max(0, pos - 1);
          break;
        case "\x06":
        case "\x1b[C":
          pos = Math.min(buf.length, pos + 1);
          break;
        case "\x0b": // Ctrl-K
          buf = buf.slice(0, pos);
          break;
        case "\x15": // Ctrl-U
          buf = buf.slice(pos);
          pos = 0;
          break;
        case "\x17": { // Ctrl-W: the word before the cursor
          const start = buf.slice(0, pos).replace(/\S*\s*$/, "").length;
          buf = buf.slice(0, start) + buf.slice(pos);
          pos = start;
          break;
        }
        case "\x0c": // Ctrl-L
          io.write("\x1b[H\x1b[2J");
          break;
        case "\x10":
        case "\x1b[A":
          if (hist > 0) {
            if (hist === this.history.length) draft = buf;
            buf = this.history[--hist];
            pos = buf.length;
          }
          break;
        case "\x0e":
        case "\x1b[B":
          if (hist < this.history.length) {
            hist++;
            buf = hist === this.history.length ? draft : this.history[hist];
            pos = buf.length;
          }
          break;
        case "\t": {
          const left = buf.slice(0, pos);
          const matches = await io.complete(left);
          const word = /(?:\\ |[^\s;])*$/.exec(left)![0];
          if (matches.length === 1) insert(matches[0].slice(word.length) + " ");
          else if (matches.length > 1) {
            const prefix = commonPrefix(matches);
            if (prefix.length > word.length) insert(prefix.slice(word.length));
            else if (wasTab) io.write(`\r\n${matches.join("  ")}\r\n`);
            else lastTab = true;
          }
          break;
        }
        default:
          if (key.length === 1 && key >= " ") insert(key);
          else if (!key.startsWith("\x1b") && key.length > 1) insert(key);
      }
      redraw();
    }
  }
}
