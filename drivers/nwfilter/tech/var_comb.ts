/**
 * libvirt 9.0's filter variables at instantiation (`src/conf/nwfilter_params.c`): a rule's
 * `$NAME`, `$NAME[N]` and `$NAME[@ID]` accesses, whether the values offer them
 * (`virNWFilterVarAccessIsAvailable`), and every combination of list values a rule is
 * instantiated with (`virNWFilterVarCombIter`): accesses of one iterator id walk their lists
 * side by side, different ids combine, the first iterator turning fastest, and a combination whose
 * values repeat an earlier one's is skipped.
 *
 * @module
 */
import { VirError } from "../../../util/errors.ts";

/** Variable values by name (a binding's or a filter reference's parameters). */
export type Vars = Map<string, string[]>;

/** One access of a variable, as libvirt's `virNWFilterVarAccess`. */
export interface VarAccess {
  name: string;
  /** An element index (`$X[2]`), or undefined for an iterator. */
  index?: number;
  /** The iterator id (`$X[@1]`; 0 for `$X`). */
  iterId: number;
}

/**
 * Reads an item's `$NAME`, `$NAME[N]` or `$NAME[@ID]` (as the parser left it).
 *
 * @example
 * ```ts
 * import { parseVarAccess } from "./var_comb.ts";
 * parseVarAccess("$IP[@1]"); // { name: "IP", iterId: 1 }
 * ```
 */
export function parseVarAccess(text: string): VarAccess {
  const m = /^\$?([A-Za-z0-9_]*)(?:\[(@?)([0-9]+)\])?$/.exec(text)!;
  if (m[3] === undefined) return { name: m[1], iterId: 0 };
  if (m[2]) return { name: m[1], iterId: Number(m[3]) };
  return { name: m[1], index: Number(m[3]), iterId: -1 };
}

/**
 * `virNWFilterVarAccessPrint`: the access as libvirt names it in errors.
 *
 * @example
 * ```ts
 * import { printVarAccess } from "./var_comb.ts";
 * printVarAccess({ name: "IP", index: 2, iterId: -1 }); // "IP[2]"
 * ```
 */
export function printVarAccess(a: VarAccess): string {
  if (a.index !== undefined) return `${a.name}[${a.index}]`;
  return a.iterId === 0 ? a.name : `${a.name}[@${a.iterId}]`;
}

/**
 * `virNWFilterVarAccessIsAvailable`: the variable is there, and so is an element asked for.
 *
 * @example
 * ```ts
 * import { accessAvailable } from "./var_comb.ts";
 * accessAvailable({ name: "IP", iterId: 0 }, new Map([["IP", ["10.0.0.1"]]])); // true
 * ```
 */
export function accessAvailable(a: VarAccess, vars: Vars): boolean {
  const values = vars.get(a.name);
  if (!values) return false;
  return a.index === undefined || a.index < values.length;
}

interface Iter {
  iterId: number;
  names: string[];
  min: number;
  max: number;
  cur: number;
}

/**
 * Every combination of values for `accesses` (each combination maps an access's text to its
 * value), in libvirt's order. `$X[N]` outside its list was refused before (see
 * {@link accessAvailable}).
 *
 * @example
 * ```ts
 * import { combinations } from "./var_comb.ts";
 * [...combinations(["$IP"], new Map([["IP", ["10.0.0.1", "10.0.0.2"]]]))].length; // 2
 * ```
 */
export function* combinations(
  accesses: readonly string[],
  vars: Vars,
): Generator<Map<string, string>> {
  const iters: Iter[] = [{ iterId: 0, names: [], min: 0, max: 0, cur: 0 }];
  const slot = new Map<string, Iter>();
  for (const text of accesses) {
    const a = parseVarAccess(text);
    const values = vars.get(a.name);
    if (!values) {
      throw VirError.report(
        "NWFILTER",
        "INTERNAL_ERROR",
        `Could not find value for variable '${a.name}'`,
      );
    }
    let it: Iter | undefined;
    if (a.index === undefined) it = iters.find((i) => i.iterId === a.iterId);
    if (!it) {
      it = { iterId: a.index === undefined ? a.iterId : -1, names: [], min: 0, max: 0, cur: 0 };
      iters.push(it);
    }
    const [min, max] = a.index === undefined ? [0, values.length - 1] : [a.index, a.index];
    if (!it.names.length) Object.assign(it, { min, max, cur: min });
    else if (it.max !== max) {
      throw VirError.report(
        "NWFILTER",
        "INTERNAL_ERROR",
        "Cardinality of list items must be the same for processing them in parallel",
      );
    }
    it.names.push(a.name);
    slot.set(text, it);
  }
  const current = () =>
    new Map([...slot].map(([text, it]) => [text, vars.get(parseVarAccess(text).name)![it.cur]]));
  // virNWFilterVarCombIterEntryAreUniqueEntries: the values at `cur` came before.
  const repeats = (it: Iter) => {
    const lists = it.names.map((n) => vars.get(n)!);
    for (let i = 0; i < it.cur; i++) {
      if (lists.every((l) => l[i] === l[it.cur])) return true;
    }
    return false;
  };
  while (true) {
    yield current();
    let i = 0;
    for (; i < iters.length; i++) {
      const it = iters[i];
      let advanced = false;
      while (++it.cur <= it.max) {
        if (!it.names.length || !repeats(it)) {
          advanced = true;
          break;
        }
      }
      if (advanced) break;
      it.cur = it.min;
    }
    if (i === iters.length) return;
  }
}
