/**
 * A small seeded random source (mulberry32 over an FNV-1a hash of a string seed), so that each
 * generated document depends only on its own seed string.
 *
 * @example
 * ```ts
 * import { Random } from "./random.ts";
 * const r = new Random("42:domain:7");
 * r.int(1, 6); // the same number on every run
 * ```
 * @module
 */

/** Deterministic random numbers from a string seed. */
export class Random {
  #state: number;

  constructor(seed: string) {
    let h = 0x811c9dc5;
    for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 0x01000193);
    this.#state = h >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    let t = (this.#state = (this.#state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** One element of a non-empty list. */
  pick<T>(list: readonly T[]): T {
    return list[Math.floor(this.next() * list.length)];
  }

  /** One element, each with its weight. */
  weighted<T>(list: readonly (readonly [T, number])[]): T {
    let x = this.next() * list.reduce((s, [, w]) => s + w, 0);
    for (const [v, w] of list) if ((x -= w) < 0) return v;
    return list[list.length - 1][0];
  }

  /** A shuffled copy. */
  shuffle<T>(list: readonly T[]): T[] {
    const out = [...list];
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
  }
}
