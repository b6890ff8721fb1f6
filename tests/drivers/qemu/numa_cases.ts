/**
 * The `<numatune>` and `<memoryBacking>` cases libvirt 9.0 was recorded on
 * (`fixtures/numa_cases.json`, `fixtures/memory_backing_cases.json`, run by
 * `fixtures/record_numa.py`) and their domains, built as the recorder builds them.
 *
 * @module
 */

/**
 * One case: its domain-level XML (`numatune`: a `<numatune>` and/or `<memoryBacking>`), its
 * guest NUMA cells and its vCPU placement.
 */
export interface NumaCase {
  name: string;
  numatune?: string;
  cells?: string;
  placement?: string;
}

const fixtures = new URL("./fixtures/", import.meta.url);

const readCases = async (name: string): Promise<NumaCase[]> =>
  JSON.parse(await Deno.readTextFile(new URL(name, fixtures)));

/** The `<numatune>` cases. */
export const numaCases: NumaCase[] = await readCases("numa_cases.json");

/** The `<memoryBacking>` cases. */
export const memoryBackingCases: NumaCase[] = await readCases("memory_backing_cases.json");

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
