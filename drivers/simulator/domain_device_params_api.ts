/**
 * Per-device tunables of libvirt's test driver: a disk's block I/O throttling (`<iotune>`)
 * and an interface's bandwidth (`<bandwidth>`), kept in the device's XML like libvirt keeps
 * them in the device definition.
 *
 * @module
 */
import type { DriverConnection } from "../../util/driver.ts";
import { VIR } from "../../util/constants.ts";
import { checkFlags, VirError } from "../../util/errors.ts";
import { domainFromRef } from "./domain_access.ts";
import { diskByName, netFind } from "./domain_devices.ts";
import { getOneDef } from "../../conf/objects/domain_obj.ts";
import type { TestDriverState } from "./driver_state.ts";
import { validateTypedParams } from "./domain_tuning_api.ts";
import { methodTable } from "../../util/method_table.ts";
import {
  BANDWIDTH_PARAM_TYPES,
  bandwidthChange,
  bandwidthParams,
  mergeConfigBandwidth,
  nicBandwidth,
  setNicBandwidth,
} from "../../conf/domain/nic_bandwidth.ts";
import { IOTUNE_TYPES, type IotuneInfo, iotuneOf, setIotune } from "../../conf/domain/iotune.ts";

const F = "TEST";
const AFFECT = VIR.DOMAIN_AFFECT_LIVE | VIR.DOMAIN_AFFECT_CONFIG;
const GET_FLAGS = AFFECT | VIR.TYPED_PARAM_STRING_OKAY;
/** `TEST_BLOCK_IOTUNE_MAX`. */
const IOTUNE_MAX = 1000000000000000;
const RATES = ["total_bytes_sec", "read_bytes_sec", "write_bytes_sec"];
const IOPS = ["total_iops_sec", "read_iops_sec", "write_iops_sec"];
/** `testDomainSetBlockIoTune`'s checks on the merged values, in libvirt's order. */
function checkIotune(info: IotuneInfo): void {
  for (const suffix of ["bytes_sec", "iops_sec", "bytes_sec_max", "iops_sec_max"]) {
    if (info[`total_${suffix}`] && (info[`read_${suffix}`] || info[`write_${suffix}`])) {
      throw VirError.report(
        F,
        "INVALID_ARG",
        `total and read/write of ${suffix} cannot be set at the same time`,
      );
    }
  }
  for (const field of [...RATES, ...IOPS]) {
    if (info[field] > info[`${field}_max`]) {
      // libvirt's message ends with a space.
      throw VirError.report(F, "INVALID_ARG", `${field} cannot be set higher than ${field}_max `);
    }
  }
}

/**
 * The block I/O tune and interface bandwidth part of the test driver's hypervisor table.
 *
 * @example
 * ```ts
 * import { domainDeviceParamsMethods } from "./domain_device_params_api.ts";
 * import { TestDriverState } from "./driver_state.ts";
 * const methods = domainDeviceParamsMethods(new TestDriverState());
 * ```
 */
export function domainDeviceParamsMethods(state: TestDriverState): Partial<DriverConnection> {
  const noDisk = (path: string) =>
    VirError.report(F, "INVALID_ARG", `disk '${path}' was not found in the domain config`);
  return methodTable({
    domainGetBlockIoTune: (ref, disk, flags) => {
      checkFlags(flags, GET_FLAGS, "testDomainGetBlockIoTune", F);
      const { def } = getOneDef(domainFromRef(state, ref), flags & ~VIR.TYPED_PARAM_STRING_OKAY);
      const el = diskByName(def, disk, true);
      if (!el) throw noDisk(disk);
      return iotuneOf(el);
    },
    domainSetBlockIoTune: (ref, disk, params, flags) => {
      checkFlags(flags, AFFECT, "testDomainSetBlockIoTune", F);
      validateTypedParams(params, IOTUNE_TYPES);
      const { def } = getOneDef(domainFromRef(state, ref), flags);
      const el = diskByName(def, disk, true);
      if (!el) {
        throw VirError.report(
          F,
          "INVALID_ARG",
          `missing persistent configuration for disk '${disk}'`,
        );
      }
      const info = iotuneOf(el);
      for (const [name, value] of Object.entries(params)) {
        if (typeof value === "number" && value > IOTUNE_MAX) {
          throw VirError.report(
            F,
            "ARGUMENT_UNSUPPORTED",
            `block I/O throttle limit value must be no more than ${IOTUNE_MAX}`,
          );
        }
        info[name] = value as number | string;
      }
      checkIotune(info);
      setIotune(el, info);
    },
    domainGetInterfaceParameters: (ref, device, flags) => {
      checkFlags(flags, GET_FLAGS, "testDomainGetInterfaceParameters", F);
      const { def } = getOneDef(domainFromRef(state, ref), flags & ~VIR.TYPED_PARAM_STRING_OKAY);
      return bandwidthParams(nicBandwidth(netFind(def, device)));
    },
    domainSetInterfaceParameters: (ref, device, params, flags) => {
      checkFlags(flags, AFFECT, "testDomainSetInterfaceParameters", F);
      validateTypedParams(
        params,
        BANDWIDTH_PARAM_TYPES,
      );
      const { def } = getOneDef(domainFromRef(state, ref), flags);
      const net = netFind(def, device);
      // testDomainSetInterfaceParameters merges as the QEMU driver's persistent part does.
      setNicBandwidth(net, mergeConfigBandwidth(nicBandwidth(net), bandwidthChange(params)));
    },
  });
}
