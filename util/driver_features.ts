/**
 * `virDrvFeature` (libvirt_internal.h), the numbers `virConnectSupportsFeature` takes; not in
 * the public constants, as in libvirt.
 *
 * @example
 * ```ts
 * import { DRV_FEATURE } from "./driver_features.ts";
 * DRV_FEATURE.TYPED_PARAM_STRING; // 9
 * ```
 * @module
 */
export const DRV_FEATURE = {
  MIGRATION_V1: 1,
  REMOTE: 2,
  MIGRATION_V2: 3,
  MIGRATION_P2P: 4,
  MIGRATION_DIRECT: 5,
  MIGRATION_V3: 6,
  MIGRATE_CHANGE_PROTECTION: 7,
  FD_PASSING: 8,
  TYPED_PARAM_STRING: 9,
  PROGRAM_KEEPALIVE: 10,
  XML_MIGRATABLE: 11,
  MIGRATION_OFFLINE: 12,
  MIGRATION_PARAMS: 13,
  REMOTE_EVENT_CALLBACK: 14,
  REMOTE_CLOSE_CALLBACK: 15,
  NETWORK_UPDATE_HAS_CORRECT_ORDER: 16,
} as const;

/**
 * `virDriverFeatureIsGlobal`: the features no driver decides (answered for every local
 * driver), or undefined for the driver's own.
 *
 * @example
 * ```ts
 * import { DRV_FEATURE, globalFeature } from "./driver_features.ts";
 * globalFeature(DRV_FEATURE.TYPED_PARAM_STRING); // true
 * globalFeature(DRV_FEATURE.MIGRATION_V3); // undefined
 * ```
 */
export function globalFeature(feature: number): boolean | undefined {
  switch (feature) {
    case DRV_FEATURE.REMOTE:
    case DRV_FEATURE.PROGRAM_KEEPALIVE:
    case DRV_FEATURE.REMOTE_CLOSE_CALLBACK:
    case DRV_FEATURE.REMOTE_EVENT_CALLBACK:
      return false;
    case DRV_FEATURE.TYPED_PARAM_STRING:
    case DRV_FEATURE.NETWORK_UPDATE_HAS_CORRECT_ORDER:
    case DRV_FEATURE.FD_PASSING:
      return true;
  }
  return undefined;
}
