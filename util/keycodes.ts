/**
 * libvirt's key code tables (`src/util/virkeycode.c`): the code sets of `virDomainSendKey`,
 * the key names virsh's `send-key` accepts (`virKeycodeValueFromString`) and the codes each set
 * knows (`virKeycodeValueTranslate`). `keycodes.json` (remade by `tests/tools/gen_keycodes.py`)
 * holds what libvirt 9.0 generates at build time from `src/keycodemapdb/data/keymaps.csv` with
 * `keymap-gen name-table`/`code-table`:
 * per set, the names (first one wins) and its whole 454-entry table indexed by Linux key code,
 * where an entry the csv leaves empty is 0, as in the C array.
 * @module
 */
import TABLE from "./keycodes.json" with { type: "json" };

/** `virKeycodeSet`'s names, in enum order. */
export const KEYCODE_SETS = [
  "linux",
  "xt",
  "atset1",
  "atset2",
  "atset3",
  "os_x",
  "xt_kbd",
  "usb",
  "win32",
  "qnum",
] as const;

const NAMES: Partial<Record<string, Record<string, number>>> = TABLE.names;
/** XT is AT set 1, as libvirt maps it. */
const CODES: Record<string, readonly number[]> = { ...TABLE.codes, xt: TABLE.codes.atset1 };
const CODE_SETS = new Map(Object.entries(CODES).map(([k, v]) => [k, new Set(v)]));

/**
 * `virKeycodeValueTranslate`: code `code` of set number `from` in set number `to` (the entry
 * of `to` in the first row where `from` has `code`; 0 where `to` has none), or -1 when `from`
 * has no such code.
 *
 * @example
 * ```ts
 * import { keycodeTranslate } from "./keycodes.ts";
 * keycodeTranslate(0, 9, 30); // 30: KEY_A is qnum 0x1e
 * ```
 */
export function keycodeTranslate(from: number, to: number, code: number): number {
  const row = code < 0 ? -1 : CODES[KEYCODE_SETS[from]].indexOf(code);
  return row < 0 ? -1 : CODES[KEYCODE_SETS[to]][row];
}

/**
 * `virKeycodeValueFromString`: the code of key `name` in code set `set` (by its name), or -1
 * when the set has no such name or no names at all.
 *
 * @example
 * ```ts
 * import { keycodeFromName } from "./keycodes.ts";
 * keycodeFromName("linux", "KEY_ESC"); // 1
 * keycodeFromName("usb", "KEY_ESC"); // -1
 * ```
 */
export function keycodeFromName(set: string, name: string): number {
  const table = NAMES[set];
  return table && Object.hasOwn(table, name) ? table[name] : -1;
}

/**
 * Whether code set number `codeset` has key code `code` (`virKeycodeValueTranslate` from the
 * set to itself not failing).
 *
 * @example
 * ```ts
 * import { keycodeKnown } from "./keycodes.ts";
 * keycodeKnown(0, 30); // true: KEY_A
 * keycodeKnown(0, 60000); // false
 * ```
 */
export function keycodeKnown(codeset: number, code: number): boolean {
  return CODE_SETS.get(KEYCODE_SETS[codeset])?.has(code) ?? false;
}
