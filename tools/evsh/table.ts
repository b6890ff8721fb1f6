/**
 * virsh's table printer (`vshTablePrint`): a header row, a dash rule as wide as every column
 * plus three, then the rows; each cell follows one space and is padded to its column's width
 * plus two, except the last cell of a row.
 * @module
 */

/**
 * Formats a table exactly as virsh prints it.
 *
 * @example
 * ```ts
 * import { formatTable } from "./table.ts";
 * formatTable(["Id", "Name", "State"], [["1", "test", "running"]]);
 * // " Id   Name   State\n----------------------\n 1    test   running\n"
 * ```
 */
export function formatTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
): string {
  const widths = header.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i]))));
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => " " + (i < cells.length - 1 ? c + " ".repeat(widths[i] - width(c) + 2) : c))
      .join("") + "\n";
  return line(header) + "-".repeat(widths.reduce((n, w) => n + w + 3, 0)) + "\n" +
    rows.map(line).join("");
}

/** Display width in terminal columns; virsh counts characters, not bytes. */
function width(s: string): number {
  return [...s].length;
}
