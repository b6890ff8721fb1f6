/**
 * The `<numatune>`, `<memoryBacking>` and huge page cases libvirt 9.0 was recorded on
 * (`fixtures/numa_cases.json`, `fixtures/memory_backing_cases.json`,
 * `fixtures/hugepages_cases.json`, run by `fixtures/record_numa.py`), their domains, built as
 * the recorder builds them, and the memory arguments of a command line as they are compared.
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

/** The `<memoryBacking>` cases with huge pages (`fixtures/hugepages_cases.json`). */
export const hugepageCases: NumaCase[] = await readCases("hugepages_cases.json");

/**
 * The parts of a backend's file path that differ between daemons and runs: the memory folder's
 * base, a hugetlbfs mount's temporary parent, the run's id (libvirt's command line without a
 * run has -1).
 */
const MEM_PATHS: [RegExp, string][] = [
  [/"mem-path":"[^"]*\/ram\/-?\d+-/, '"mem-path":"RAM/ID-'],
  [/"mem-path":"[^"]*(MNT\w+)\/libvirt\/qemu\/-?\d+-/, '"mem-path":"$1/libvirt/qemu/ID-'],
];

/**
 * The memory arguments compared: the machine's `mem-merge` and `memory-backend`, each memory
 * backend (and thread context, its file's varying parts masked) and each `-numa`; a plain
 * default RAM backend is dropped.
 *
 * @example
 * ```ts ignore
 * assert.deepEqual(memoryArgv(ours), memoryArgv(libvirts));
 * ```
 */
export function memoryArgv(argv: string[]): string[][] {
  const out: string[][] = [];
  argv.forEach((arg, i) => {
    const opt = argv[i - 1];
    if (opt === "-machine") {
      out.push(["mem-merge", arg.match(/,mem-merge=[^,]*/)?.[0] ?? ""]);
      out.push(["memory-backend", arg.match(/,memory-backend=[^,]*/)?.[0] ?? ""]);
    }
    if (opt === "-numa") out.push([opt, arg]);
    if (opt === "-object" && /"qom-type":"(memory-backend-|thread-context)/.test(arg)) {
      out.push([opt, MEM_PATHS.reduce((a, [re, to]) => a.replace(re, to), arg)]);
    }
  });
  const plainRam = out.some(([opt, arg]) => {
    if (opt !== "-object") return false;
    const { "qom-type": type, id, size, ...rest } = JSON.parse(arg);
    return type === "memory-backend-ram" && id === "pc.ram" && size > 0 &&
      !Object.keys(rest).length;
  });
  if (!plainRam) return out;
  return out.filter(([opt, arg]) => opt !== "-object" || !arg.includes('"id":"pc.ram"'))
    .map(([opt, arg]) => opt === "memory-backend" ? [opt, ""] : [opt, arg]);
}

/**
 * The folders of the memory a command line names: a backend's file (named after the backend)
 * is in one, a huge page backend's path is one (QEMU makes its file in there).
 *
 * @example
 * ```ts ignore
 * memoryFolders(argv); // ["/state/ram/1-numa-mb-file"]
 * ```
 */
export function memoryFolders(argv: string[]): string[] {
  const paths = argv.flatMap((a) => {
    const obj = JSON.parse(a.startsWith("{") ? a : "{}");
    const path: string | undefined = obj["mem-path"];
    if (!path) return [];
    return [path.endsWith(`/${obj.id}`) ? path.slice(0, path.lastIndexOf("/")) : path];
  });
  return [...new Set(paths)];
}
