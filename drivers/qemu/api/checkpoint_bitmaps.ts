/**
 * The qcow2 persistent dirty bitmaps behind the QEMU driver's checkpoints, as libvirt 9.0's
 * `qemu_block.c` and `qemu_checkpoint.c` see them: each node's bitmaps from
 * `query-named-block-nodes` (`qemuBlockGetNamedNodeData`), a disk's backing chain as its
 * format nodes (`libvirt-N-format`), the validity rule of a bitmap along a chain
 * (`qemuBlockBitmapChainIsValid`) and the `transaction` actions that add, remove and merge
 * bitmaps (`qemuMonitorTransactionBitmap*`).
 *
 * @module
 */
import type { XmlElement } from "../../../util/xml/mod.ts";
import type { QemuMonitor } from "../monitor/qemu_monitor.ts";
import { diskChain } from "./block_chain.ts";
import { chainBlockdevs, diskNodes } from "./device_disk.ts";
import type { Layer } from "./block_chain.ts";

/** One bitmap of a node (`qemuBlockNamedNodeDataBitmap`). */
export interface NodeBitmap {
  name: string;
  recording?: boolean;
  persistent?: boolean;
  busy?: boolean;
  inconsistent?: boolean;
  granularity?: number;
  /** Dirty bytes (`dirtybytes`). */
  count?: number;
}

/** The bitmaps of every named node. */
export type NodeBitmaps = Map<string, NodeBitmap[]>;

/** One action of a QMP `transaction`. */
export interface TransactionAction {
  type: string;
  data: Record<string, unknown>;
}

/**
 * `qemuBlockGetNamedNodeData`: `query-named-block-nodes` (flat), each node's `dirty-bitmaps`.
 *
 * @example
 * ```ts
 * import { nodeBitmaps } from "./checkpoint_bitmaps.ts";
 * declare const mon: import("../monitor/qemu_monitor.ts").QemuMonitor;
 * (await nodeBitmaps(mon)).get("libvirt-1-format");
 * ```
 */
export async function nodeBitmaps(mon: QemuMonitor): Promise<NodeBitmaps> {
  return bitmapsOfNodes(await mon.run("query-named-block-nodes", { flat: true }));
}

/**
 * The bitmaps of each node of a `query-named-block-nodes` answer.
 *
 * @example
 * ```ts
 * import { bitmapsOfNodes } from "./checkpoint_bitmaps.ts";
 * bitmapsOfNodes([{ "node-name": "n" }]).get("n"); // []
 * ```
 */
export function bitmapsOfNodes(
  nodes: { "node-name": string; "dirty-bitmaps"?: NodeBitmap[] }[],
): NodeBitmaps {
  return new Map(nodes.map((n) => [n["node-name"], n["dirty-bitmaps"] ?? []]));
}

/**
 * The format node of each layer of the running disk's chain as its live XML knows it, top
 * first (libvirt's `src->nodeformat` down `backingStore`, which the start probed).
 *
 * @example
 * ```ts
 * import { chainNodes } from "./checkpoint_bitmaps.ts";
 * declare const disk: import("../../../util/xml/mod.ts").XmlElement;
 * chainNodes(disk); // ["libvirt-2-format", "libvirt-3-format"]
 * ```
 */
export function chainNodes(disk: XmlElement): string[] {
  return diskChain(disk).flatMap((l) => l.index === undefined ? [] : [diskNodes(l.index).format]);
}

/**
 * `qemuBlockNamedNodeDataGetBitmapByName`.
 *
 * @example
 * ```ts
 * import { bitmapOf } from "./checkpoint_bitmaps.ts";
 * bitmapOf(new Map([["n", [{ name: "c1" }]]]), "n", "c1"); // { name: "c1" }
 * ```
 */
export function bitmapOf(data: NodeBitmaps, node: string, name: string): NodeBitmap | undefined {
  return data.get(node)?.find((b) => b.name === name);
}

/**
 * `qemuBlockBitmapChainIsValid`: the bitmap starts at the top, sits in consecutive layers, and
 * is persistent, recording and consistent in each.
 *
 * @example
 * ```ts
 * import { bitmapChainIsValid } from "./checkpoint_bitmaps.ts";
 * const data = new Map([["top", [{ name: "c1", persistent: true, recording: true }]]]);
 * bitmapChainIsValid(["top"], "c1", data); // true
 * ```
 */
export function bitmapChainIsValid(chain: string[], name: string, data: NodeBitmaps): boolean {
  let found = false;
  let ended = false;
  for (const node of chain) {
    const bitmap = bitmapOf(data, node, name);
    if (!bitmap) {
      if (!found) return false;
      ended = true;
      continue;
    }
    if (ended || bitmap.inconsistent || !bitmap.persistent || !bitmap.recording) return false;
    found = true;
  }
  return found;
}

/**
 * `qemuMonitorTransactionBitmapAdd` (libvirt always sends `persistent` and `disabled`, and the
 * granularity only when it knows one).
 *
 * @example
 * ```ts
 * import { bitmapAdd } from "./checkpoint_bitmaps.ts";
 * bitmapAdd("libvirt-1-format", "c1", true, false);
 * ```
 */
export function bitmapAdd(
  node: string,
  name: string,
  persistent: boolean,
  disabled: boolean,
  granularity = 0,
): TransactionAction {
  return {
    type: "block-dirty-bitmap-add",
    data: { node, name, persistent, disabled, ...(granularity ? { granularity } : {}) },
  };
}

/**
 * `qemuMonitorTransactionBitmapRemove`.
 *
 * @example
 * ```ts
 * import { bitmapRemove } from "./checkpoint_bitmaps.ts";
 * bitmapRemove("libvirt-1-format", "c1");
 * ```
 */
export function bitmapRemove(node: string, name: string): TransactionAction {
  return { type: "block-dirty-bitmap-remove", data: { node, name } };
}

/** The bitmap libvirt adds on a pivot's destination to catch the writes until it merges. */
export const ACTIVE_WRITE_BITMAP = "libvirt-tmp-activewrite";

/** What {@link bitmapMergeActions} merges, and where. */
export interface MergeSpec {
  /** The format nodes from the merge's top down to the end of the disk's chain. */
  chain: string[];
  /** How many of them are merged (those above the base); all without a base. */
  until?: number;
  /** The node merged into (in the chain or not). */
  target: string;
  /** Only the bitmap of this name; every valid one without. */
  name?: string;
  /** Everything goes into one new transient, disabled bitmap of this name. */
  dst?: string;
  /** The node whose {@link ACTIVE_WRITE_BITMAP} is merged too, then removed. */
  writeNode?: string;
}

/**
 * `qemuBlockGetBitmapMergeActions`: each bitmap of the top node that is valid along the chain
 * (oldest first, as libvirt's reversed list) merged from the layers above the base into the
 * bitmap of the same name on the target (added, persistent and recording, when missing there),
 * or into the one new bitmap `dst`.
 *
 * @example
 * ```ts
 * import { bitmapMergeActions } from "./checkpoint_bitmaps.ts";
 * declare const data: import("./checkpoint_bitmaps.ts").NodeBitmaps;
 * // a pull of the whole chain: every layer's bitmaps into the top's
 * bitmapMergeActions({ chain: ["libvirt-3-format", "libvirt-2-format"], target: "libvirt-3-format" }, data);
 * ```
 */
export function bitmapMergeActions(spec: MergeSpec, data: NodeBitmaps): TransactionAction[] {
  const { chain, target, dst, writeNode } = spec;
  const actions: TransactionAction[] = [];
  const names = (data.get(chain[0]) ?? []).map((b) => b.name)
    .filter((n) =>
      (spec.name === undefined || n === spec.name) && bitmapChainIsValid(chain, n, data)
    )
    .reverse();
  for (const name of names) {
    const sources = chain.slice(0, spec.until ?? chain.length)
      .filter((node) => bitmapOf(data, node, name)).map((node) => ({ node, name }));
    const into = dst ?? name;
    if (dst || !bitmapOf(data, target, name)) {
      const granularity = sources.length ? bitmapOf(data, sources[0].node, name)!.granularity : 0;
      actions.push(bitmapAdd(target, into, !dst, !!dst, granularity ?? 0));
    }
    if (writeNode) sources.push({ node: writeNode, name: ACTIVE_WRITE_BITMAP });
    actions.push({
      type: "block-dirty-bitmap-merge",
      data: { node: target, target: into, bitmaps: sources },
    });
  }
  if (writeNode) actions.push(bitmapRemove(writeNode, ACTIVE_WRITE_BITMAP));
  return actions;
}

/** Layer `at` of a disk's chain, to reopen. */
export interface ChainLayer {
  disk: XmlElement;
  chain: Layer[];
  at: number;
}

/**
 * `qemuBlockReopenReadWrite` of each layer, `fn`, then `qemuBlockReopenReadOnly` of the layers
 * reopened, whatever `fn`'s outcome (a failure there is ignored, as libvirt's).
 *
 * @example
 * ```ts
 * import { whileWritable } from "./checkpoint_bitmaps.ts";
 * declare const mon: import("../monitor/qemu_monitor.ts").QemuMonitor;
 * declare const layer: import("./checkpoint_bitmaps.ts").ChainLayer;
 * await whileWritable(mon, [layer], () => mon.run("transaction", { actions: [] }));
 * ```
 */
export async function whileWritable<T>(
  mon: QemuMonitor,
  layers: ChainLayer[],
  fn: () => Promise<T>,
): Promise<T> {
  const reopened: ChainLayer[] = [];
  try {
    for (const l of layers) {
      await mon.run("blockdev-reopen", { options: [reopenProps(l.disk, l.chain, l.at, false)] });
      reopened.unshift(l);
    }
    return await fn();
  } finally {
    for (const l of reopened) {
      await mon.run("blockdev-reopen", { options: [reopenProps(l.disk, l.chain, l.at, true)] })
        .catch(() => {});
    }
  }
}

/**
 * The `blockdev-reopen` options of layer `at` of the disk's chain
 * (`qemuBlockStorageSourceGetBlockdevProps` of that layer over its backing), read-write or
 * read-only (`qemuBlockReopenReadWrite` / `…ReadOnly`).
 *
 * @example
 * ```ts
 * import { reopenProps } from "./checkpoint_bitmaps.ts";
 * declare const disk: import("../../../util/xml/mod.ts").XmlElement;
 * declare const chain: import("./block_chain.ts").Layer[];
 * reopenProps(disk, chain, 1, false)["read-only"]; // false
 * ```
 */
export function reopenProps(
  disk: XmlElement,
  chain: Layer[],
  at: number,
  readOnly: boolean,
): Record<string, unknown> {
  const props = chainBlockdevs(disk, chain.slice(at), true).at(-1)!;
  return { ...props, "read-only": readOnly };
}

/**
 * `qemuSnapshotDiskBitmapsPropagate`: the actions giving a new overlay each persistent,
 * recording, consistent bitmap of the node it goes on, so the bitmaps go on recording.
 *
 * @example
 * ```ts
 * import { propagateBitmaps } from "./checkpoint_bitmaps.ts";
 * declare const data: import("./checkpoint_bitmaps.ts").NodeBitmaps;
 * propagateBitmaps(data, "libvirt-1-format", "libvirt-2-format");
 * ```
 */
export function propagateBitmaps(
  data: NodeBitmaps,
  node: string,
  overlay: string,
): TransactionAction[] {
  return (data.get(node) ?? []).filter((b) => b.persistent && b.recording && !b.inconsistent)
    .map((b) => bitmapAdd(overlay, b.name, true, false, b.granularity ?? 0));
}
