/**
 * One driver state per directory shared by every connection that opens it, as one libvirtd's
 * driver serves all its clients: the first open loads it, the last close releases it.
 *
 * @module
 */

/** A reference to a shared state; `release` drops it (the last release closes the state). */
export interface SharedRef<T> {
  /** The state. */
  state: T;
  /** Drops this reference. */
  release(): Promise<void>;
}

/**
 * A table of refcounted states by key (a directory).
 *
 * @example
 * ```ts
 * import { SharedStates } from "./shared_state.ts";
 * const states = new SharedStates<{ n: number }>();
 * const ref = await states.acquire("/tmp/x", () => Promise.resolve({ n: 1 }), () => Promise.resolve());
 * await ref.release();
 * ```
 */
export class SharedStates<T> {
  #entries = new Map<string, { open: Promise<T>; refs: number }>();

  /** The state for `key`, loaded with `open` when no connection holds it yet. */
  async acquire(
    key: string,
    open: () => Promise<T>,
    close: (state: T) => Promise<void>,
  ): Promise<SharedRef<T>> {
    let entry = this.#entries.get(key);
    if (!entry) {
      const fresh = { open: open(), refs: 0 };
      entry = fresh;
      this.#entries.set(key, fresh);
      fresh.open.catch(() => {
        if (this.#entries.get(key) === fresh) this.#entries.delete(key);
      });
    }
    const state = await entry.open;
    entry.refs++;
    const held = entry;
    let released = false;
    return {
      state,
      release: async () => {
        if (released) return;
        released = true;
        if (--held.refs > 0) return;
        if (this.#entries.get(key) === held) this.#entries.delete(key);
        await close(state);
      },
    };
  }
}
