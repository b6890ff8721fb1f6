/**
 * Snapshot and checkpoint metadata of QEMU domains on disk (libvirt keeps one XML per moment
 * in `snapshotDir/<domain>/` and `checkpointDir/<domain>/`; edgevirt keeps one file per domain
 * and kind): every moment's XML, parents first, and which one is current. A domain's tree is
 * read from disk the first time it is used after the driver opened.
 *
 * @module
 */
import type { MomentLike, MomentList } from "../../../conf/objects/moment_list.ts";
import { writeFileAtomic } from "../process/atomic_file.ts";
import type { QemuDomainObj } from "../domain_private.ts";
import type { QemuDriverState } from "../driver_state.ts";

/** The stored form. */
interface Stored {
  current?: string;
  /** The moments' XML, parents first (the key is the kind's). */
  [kind: string]: string[] | string | undefined;
}

/** What differs between snapshots and checkpoints. */
export interface MomentKind<D extends MomentLike> {
  /** The key of the stored list, and the word in log lines ("snapshots", "checkpoints"). */
  key: string;
  /** The directory of the domains' files. */
  dir(s: QemuDriverState): string;
  /** The domain's tree. */
  list(obj: QemuDomainObj): MomentList<D>;
  /** Every name, parents before children. */
  topological(list: MomentList<D>): string[];
  /** The stored XML of one moment (with its domain, secrets kept). */
  format(def: D, obj: QemuDomainObj): string;
  /** Reads a stored XML back. */
  parse(s: QemuDriverState, xml: string): D;
}

/** The persistence of one kind of moment. */
export interface MomentStore<D extends MomentLike> {
  /** The domain's tree, read from disk at first use. */
  of(s: QemuDriverState, obj: QemuDomainObj): Promise<MomentList<D>>;
  /** Writes the domain's tree. */
  save(s: QemuDriverState, obj: QemuDomainObj): Promise<void>;
  /** The file of the domain named `name`. */
  file(s: QemuDriverState, name: string): string;
  /** Forgets the domain's tree and removes its file (`*DiscardAllMetadata`). */
  drop(s: QemuDriverState, obj: QemuDomainObj): Promise<void>;
}

/**
 * The store of one kind of moment.
 *
 * @example
 * ```ts
 * import { momentStore } from "./moment_store.ts";
 * import { formatCheckpointXML, parseCheckpointXML } from "../../../conf/checkpoint/mod.ts";
 * const store = momentStore({
 *   key: "checkpoints",
 *   dir: (s) => s.paths.checkpointDir,
 *   list: (obj) => obj.checkpoints,
 *   topological: (list) => list.names(undefined, 2, () => true),
 *   format: (def) => formatCheckpointXML(def, { secure: true }),
 *   parse: (s, xml) => parseCheckpointXML(xml, { redefine: true, parseDomain: (x) => s.parse(x) }),
 * });
 * ```
 */
export function momentStore<D extends MomentLike>(kind: MomentKind<D>): MomentStore<D> {
  const loaded = new WeakSet<QemuDomainObj>();
  const file = (s: QemuDriverState, name: string) => `${kind.dir(s)}/${name}.json`;
  return {
    file,
    async of(s, obj) {
      const list = kind.list(obj);
      if (loaded.has(obj)) return list;
      loaded.add(obj);
      let stored: Stored;
      try {
        stored = JSON.parse(await Deno.readTextFile(file(s, obj.def.name)));
      } catch (err) {
        if (!(err instanceof Deno.errors.NotFound)) {
          s.log(`cannot read the ${kind.key} of '${obj.def.name}': ${err}`);
        }
        return list;
      }
      for (const xml of (stored[kind.key] ?? []) as string[]) {
        try {
          list.linkParent(list.assign(kind.parse(s, xml)));
        } catch (err) {
          s.log(`skipping one of the ${kind.key} of '${obj.def.name}': ${err}`);
        }
      }
      list.current = list.find(stored.current);
      return list;
    },
    async save(s, obj) {
      const list = kind.list(obj);
      const stored: Stored = {
        current: list.current?.def.name,
        [kind.key]: kind.topological(list).map((n) => kind.format(list.find(n)!.def, obj)),
      };
      await Deno.mkdir(kind.dir(s), { recursive: true });
      await writeFileAtomic(file(s, obj.def.name), JSON.stringify(stored));
    },
    async drop(s, obj) {
      kind.list(obj).clear();
      await Deno.remove(file(s, obj.def.name)).catch(() => {});
    },
  };
}
