/**
 * libvirt's storage pool capabilities (`virStoragePoolCapsFormat` of libvirt 9.0,
 * `virConnectGetStoragePoolCapabilities`): every pool type libvirt knows, whether this host's
 * storage driver has its backend, and the source and volume formats its definitions take.
 *
 * @module
 */
import { POOL_TYPE_INFO, POOL_TYPES, type PoolType } from "../storage_pool/mod.ts";
import { volumeFormats } from "./vol_formats.ts";

/** A format enum as the capabilities list it: its default and every value, in enum order. */
interface FormatOptions {
  default: string;
  values: readonly string[];
}

/**
 * The volume formats of a pool type as libvirt's volOptions lists them: a file-based pool's
 * enum starts at `none` (its 0), which no volume may have; RBD's declares a default but no
 * values.
 */
function volOptions(type: PoolType): FormatOptions | undefined {
  if (type === "rbd") return { default: "raw", values: [] };
  const formats = volumeFormats(type);
  if (!formats) return undefined;
  return formats[0] === "none"
    ? { default: "none", values: formats }
    : { default: formats[0], values: ["none", ...formats] };
}

function poolOptions(type: PoolType): FormatOptions | undefined {
  const { formats, defaultFormat } = POOL_TYPE_INFO[type];
  return formats && { default: defaultFormat ?? formats[0], values: formats };
}

function options(tag: string, name: string, opts: FormatOptions | undefined): string[] {
  if (!opts) return [];
  return [
    `  <${tag}>`,
    `    <defaultFormat type='${opts.default}'/>`,
    `    <enum name='${name}'>`,
    ...opts.values.map((v) => `      <value>${v}</value>`),
    "    </enum>",
    `  </${tag}>`,
  ];
}

/**
 * The capabilities XML, each pool type `supported` when `backends` has it.
 *
 * @example
 * ```ts
 * import { formatPoolCapabilities } from "./pool_caps.ts";
 * formatPoolCapabilities(new Set(["dir"])).split("\n")[1]; // "  <pool type='dir' supported='yes'>"
 * ```
 */
export function formatPoolCapabilities(backends: ReadonlySet<string>): string {
  const pools = POOL_TYPES.flatMap((type) => [
    `  <pool type='${type}' supported='${backends.has(type) ? "yes" : "no"}'>`,
    ...options("poolOptions", "sourceFormatType", poolOptions(type)).map((l) => `  ${l}`),
    ...options("volOptions", "targetFormatType", volOptions(type)).map((l) => `  ${l}`),
    "  </pool>",
  ]);
  return ["<storagepoolCapabilities>", ...pools, "</storagepoolCapabilities>", ""].join("\n");
}
