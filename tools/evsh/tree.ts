/**
 * virsh's tree listing (`vshTreePrint`), as `nodedev-list --tree` draws parent/child links.
 * @module
 */

/**
 * Draws the tree under `root`: children under their parent in list order, each drawn as
 * `+- name` with a `|` rail while later siblings follow, a `|` spacer line before a child
 * group, and a blank (indented) line after the last leaf of a group.
 *
 * @example
 * ```ts
 * import { formatTree } from "./tree.ts";
 * formatTree(["computer", "pci_0", "net_0"], [undefined, "computer", "pci_0"], 0);
 * // "computer\n  |\n  +- pci_0\n      |\n      +- net_0\n        \n"
 * ```
 */
export function formatTree(
  names: readonly string[],
  parents: readonly (string | undefined)[],
  root: number,
): string {
  let out = "";
  const draw = (devid: number, lastdev: number, isRoot: boolean, indent: string) => {
    const dev = names[devid];
    out += `${indent}${isRoot ? "" : "+- "}${dev}\n`;
    const rail = isRoot ? indent : indent + (devid === lastdev ? " " : "|") + " ";
    // virsh finds the last child first so that child can end its branch without a rail.
    const children = parents.flatMap((p, i) => (p === dev ? [i] : []));
    const last = children.at(-1) ?? -1;
    if (last !== -1) out += `${rail}  |\n`;
    for (const child of children) draw(child, last, false, rail + "  ");
    if (last === -1 && devid === lastdev) out += `${rail}\n`;
  };
  draw(root, root, true, "");
  return out;
}
