/**
 * The `<numatune>` cases libvirt 9.0 was recorded on (`fixtures/numa_cases.json`, run by
 * `fixtures/record_numa.py`) and their domains, built as the recorder builds them.
 *
 * @module
 */

/** One case: its numatune, its guest NUMA cells and its vCPU placement. */
export interface NumaCase {
  name: string;
  numatune?: string;
  cells?: string;
  placement?: string;
}

const fixtures = new URL("./fixtures/", import.meta.url);

/** Every recorded case. */
export const numaCases: NumaCase[] = JSON.parse(
  await Deno.readTextFile(new URL("numa_cases.json", fixtures)),
);

const template = await Deno.readTextFile(new URL("numa.xml", fixtures));

/**
 * The domain of a case: `fixtures/numa.xml` named `numa-NAME`, with the case's parts.
 *
 * @example
 * ```ts ignore
 * numaDomainXml({ name: "strict", numatune: "<numatune>…</numatune>" });
 * ```
 */
export function numaDomainXml(c: NumaCase): string {
  return template.replaceAll("NAME", c.name)
    .replace("<!--NUMATUNE-->", c.numatune ?? "")
    .replace("<!--CELLS-->", c.cells ?? "")
    .replace("placement='static'", `placement='${c.placement ?? "static"}'`);
}
