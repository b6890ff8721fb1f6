/**
 * libvirt's `virDrvFeature` numbers (`libvirt_internal.h`; not among the public constants):
 * what `connectSupportsFeature` is asked about.
 *
 * @module
 */

/**
 * The feature numbers by libvirt's name without `VIR_DRV_FEATURE_`.
 *
 * @example
 * ```ts
 * import { DRV_FEATURE } from "./drv_feature.ts";
 * DRV_FEATURE.MIGRATION_V3; // 6
 * ```
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
