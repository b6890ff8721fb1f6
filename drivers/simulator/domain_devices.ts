/**
 * The device lookups of the test driver's calls, shared with the other drivers in `conf/`.
 *
 * @module
 */
export {
  diskByName,
  diskHasSource,
  disks,
  diskTarget,
  memballoon,
  netFind,
} from "../../conf/domain/device_lookup.ts";
