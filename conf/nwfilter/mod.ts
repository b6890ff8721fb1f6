/**
 * libvirt 9.0's network filter XML (`src/conf/nwfilter_conf.c`, `nwfilter_params.c`): the
 * {@link NWFilterDef} model, its parser and formatter, the filter parameters, and the schema
 * checks.
 *
 * @example
 * ```ts
 * import { formatNWFilterXML, parseNWFilterXML } from "./mod.ts";
 * formatNWFilterXML(parseNWFilterXML("<filter name='f'><rule action='drop' direction='in'/></filter>"));
 * ```
 * @module
 */
export * from "./model.ts";
export * from "./filter.ts";
export * from "./params.ts";
export * from "./binding.ts";
export * from "./rng_schema.ts";
