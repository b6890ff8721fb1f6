/**
 * A small, safe XML layer (saxes underneath) with an API in the spirit of `@std/xml`:
 * {@link parse} to an element tree, {@link stringify} in libvirt's canonical style, and a few
 * query helpers.
 *
 * @example
 * ```ts
 * import { childText, parse } from "./mod.ts";
 * childText(parse("<domain><name>vm</name></domain>"), "name"); // "vm"
 * ```
 * @module
 */
export * from "./types.ts";
export * from "./parse.ts";
export * from "./stringify.ts";
export * from "./query.ts";
export * from "./chars.ts";
