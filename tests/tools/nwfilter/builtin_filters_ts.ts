/**
 * Writes `drivers/nwfilter/builtin_filters.ts` from libvirt 9.0.0's built-in filters
 * (`src/nwfilter/xml/*.xml` of the libvirt source, the files Debian installs into
 * `/etc/libvirt/nwfilter/`), each kept verbatim.
 *
 * @example
 * ```sh
 * deno run -A tests/tools/nwfilter/builtin_filters_ts.ts /work/libvirt-src/libvirt-9.0.0
 * ```
 * @module
 */
import { join } from "node:path";

const src = Deno.args[0] ?? "/work/libvirt-src/libvirt-9.0.0";
const dir = join(src, "src/nwfilter/xml");
const names = [...Deno.readDirSync(dir)].map((e) => e.name).filter((n) => n.endsWith(".xml"))
  .sort();
const entries = names.map((n) =>
  `  ${JSON.stringify(n.replace(/\.xml$/, ""))}: ${
    JSON.stringify(Deno.readTextFileSync(join(dir, n)))
  },`
);
const out = `/**
 * libvirt 9.0.0's built-in network filters as libvirt ships them (\`src/nwfilter/xml/*.xml\`,
 * installed into \`/etc/libvirt/nwfilter/\`), by name: the driver puts them into a new config
 * directory, as the package does. Made by \`tests/tools/nwfilter/builtin_filters_ts.ts\`.
 *
 * @module
 */

/** Each built-in filter's document, by filter name. */
export const BUILTIN_FILTERS: Readonly<Record<string, string>> = {
${entries.join("\n")}
};
`;
Deno.writeTextFileSync(
  new URL("../../../drivers/nwfilter/builtin_filters.ts", import.meta.url),
  out,
);
