/**
 * libvirt's host capabilities XML (capabilities.c): the {@link Capabilities} model and its
 * formatter (capabilities are output-only).
 *
 * @example
 * ```ts
 * import { formatCapabilitiesXML } from "./mod.ts";
 * formatCapabilitiesXML({
 *   host: { arch: "x86_64", cpuFeatures: [], pageSizes: [], powerManagement: [], iommu: false, cells: [], secModels: [] },
 *   guests: [],
 * });
 * ```
 * @module
 */
export * from "./model.ts";
export * from "./format.ts";
