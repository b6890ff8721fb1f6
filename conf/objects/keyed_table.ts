/**
 * The table behind every object list (libvirt's `virDomainObjList`, `virNetworkObjList`,
 * `virStoragePoolObjList`, …): the objects in insertion order plus hash indexes by the keys
 * libvirt hashes them by (UUID, name, id, volume key and path, MAC), so lookups and duplicate
 * checks cost the same with ten objects or ten thousand.
 *
 * @module
 */

/** An index key: a canonical UUID, a name, an id… `undefined` leaves the object out. */
export type Key = string | number | undefined;

/**
 * Objects in insertion order with named indexes. An index maps a key to the objects having
 * it, oldest first, so a key two objects share (an interface MAC, a volume key stated twice in
 * a node file) still finds the first one a linear scan would have found.
 *
 * Keys are read when an object is added; whoever changes a key afterwards (a rename, a domain
 * getting or losing its id) calls `reindex`.
 *
 * @example
 * ```ts
 * import { KeyedTable } from "./keyed_table.ts";
 * const nets = new KeyedTable({ name: (n: { name: string; uuid: string }) => n.name });
 * nets.add({ name: "default", uuid: "dd8fe884-6c02-601e-7551-cca97df1c5df" });
 * nets.get("name", "default")?.uuid; // "dd8fe884-6c02-601e-7551-cca97df1c5df"
 * ```
 */
export class KeyedTable<T, I extends string = string> {
  #items = new Set<T>();
  #keyOf: Record<I, (item: T) => Key>;
  #index = new Map<I, Map<Key, T[]>>();
  /** The keys each object is filed under now, to unfile it after its keys changed. */
  #filed = new Map<T, Map<I, Key>>();

  constructor(indexes: Record<I, (item: T) => Key>) {
    this.#keyOf = indexes;
    for (const name of Object.keys(indexes) as I[]) this.#index.set(name, new Map());
  }

  /** How many objects the table holds. */
  get size(): number {
    return this.#items.size;
  }

  /** The objects in insertion order. */
  [Symbol.iterator](): IterableIterator<T> {
    return this.#items.values();
  }

  /** The objects that pass `keep`, in insertion order. */
  filter(keep: (item: T) => boolean): T[] {
    const out: T[] = [];
    for (const item of this.#items) if (keep(item)) out.push(item);
    return out;
  }

  /** The first object (insertion order) that passes `match`: for lookups libvirt also scans. */
  find(match: (item: T) => boolean): T | undefined {
    for (const item of this.#items) if (match(item)) return item;
    return undefined;
  }

  /** Adds an object at the end and files it under its keys. */
  add(item: T): T {
    this.#items.add(item);
    this.#file(item);
    return item;
  }

  /** Removes an object; false when it was not there. */
  delete(item: T): boolean {
    if (!this.#items.delete(item)) return false;
    this.#unfile(item);
    return true;
  }

  /** Empties the table. */
  clear(): void {
    this.#items.clear();
    this.#filed.clear();
    for (const index of this.#index.values()) index.clear();
  }

  /** Files an object again after any of its keys changed. */
  reindex(item: T): void {
    if (!this.#items.has(item)) return;
    this.#unfile(item);
    this.#file(item);
  }

  /** The oldest object filed under `key` in `index`. */
  get(index: I, key: Key): T | undefined {
    return key === undefined ? undefined : this.#index.get(index)!.get(key)?.[0];
  }

  /** Every object filed under `key` in `index`, oldest first. */
  all(index: I, key: Key): readonly T[] {
    return (key === undefined ? undefined : this.#index.get(index)!.get(key)) ?? [];
  }

  #file(item: T): void {
    const filed = new Map<I, Key>();
    for (const [name, index] of this.#index) {
      const key = this.#keyOf[name](item);
      if (key === undefined) continue;
      filed.set(name, key);
      const bucket = index.get(key);
      if (bucket) bucket.push(item);
      else index.set(key, [item]);
    }
    this.#filed.set(item, filed);
  }

  #unfile(item: T): void {
    for (const [name, key] of this.#filed.get(item) ?? []) {
      const index = this.#index.get(name)!;
      const rest = index.get(key)!.filter((other) => other !== item);
      if (rest.length) index.set(key, rest);
      else index.delete(key);
    }
    this.#filed.delete(item);
  }
}
