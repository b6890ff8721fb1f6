/**
 * Per-device tunables of libvirt's test driver: a disk's block I/O throttling (`<iotune>`)
 * and an interface's bandwidth (`<bandwidth>`), kept in the device's XML like libvirt keeps
 * them in the device definition.
 *
 * @module
 */
import type { XmlElementJSON } from "../../conf/domain/def.ts";
import type { DriverConnection, TypedParams } from "../../util/driver.ts";
import { VIR } from "../../util/constants.ts";
import { checkFlags, VirError } from "../../util/errors.ts";
import { domainFromRef } from "./domain_access.ts";
import { diskByName, netFind } from "./domain_devices.ts";
import { getOneDef } from "../../conf/objects/domain_obj.ts";
import type { TestDriverState } from "./driver_state.ts";
import { validateTypedParams } from "./domain_tuning_api.ts";
import { methodTable } from "../../util/method_table.ts";
import { setChild } from "../../conf/domain/tune_xml.ts";
import { IOTUNE_TYPES, type IotuneInfo, iotuneOf, setIotune } from "../../conf/domain/iotune.ts";

const F = "TEST";
const AFFECT = VIR.DOMAIN_AFFECT_LIVE | VIR.DOMAIN_AFFECT_CONFIG;
const GET_FLAGS = AFFECT | VIR.TYPED_PARAM_STRING_OKAY;
/** `TEST_BLOCK_IOTUNE_MAX`. */
const IOTUNE_MAX = 1000000000000000;
const RATES = ["total_bytes_sec", "read_bytes_sec", "write_bytes_sec"];
const IOPS = ["total_iops_sec", "read_iops_sec", "write_iops_sec"];
/** Interface bandwidth parameters: direction, attribute. */
const BANDWIDTH_PARAMS: [string, string][] = [
  ["inbound", "average"],
  ["inbound", "peak"],
  ["inbound", "burst"],
  ["inbound", "floor"],
  ["outbound", "average"],
  ["outbound", "peak"],
  ["outbound", "burst"],
];
/** virNetDevBandwidthRateFormat's attribute order. */
const RATE_ATTRS = ["average", "peak", "floor", "burst"];

function kid(el: XmlElementJSON | undefined, name: string): XmlElementJSON | undefined {
  return el?.children.find((c): c is XmlElementJSON => c.type === "element" && c.name === name);
}

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

/** `testDomainSetInterfaceParameters`: average (or inbound floor) is what keeps a direction. */
function setBandwidth(extra: XmlElementJSON[], params: TypedParams): XmlElementJSON[] {
  const old = extra.find((e) => e.name === "bandwidth");
  const bandwidth: XmlElementJSON = old ?? {
    type: "element",
    name: "bandwidth",
    attributes: {},
    children: [],
  };
  for (const dir of ["inbound", "outbound"]) {
    const rate: Record<string, number> = {};
    for (const [d, attr] of BANDWIDTH_PARAMS) {
      const v = params[`${d}.${attr}`];
      if (d === dir && v !== undefined) rate[attr] = Number(v);
    }
    const specified = rate.average !== undefined || (dir === "inbound" && rate.floor !== undefined);
    const keep = rate.average || (dir === "inbound" && rate.floor);
    if (!keep && !specified) continue;
    const el: XmlElementJSON | undefined = keep
      ? {
        type: "element",
        name: dir,
        attributes: Object.fromEntries(
          RATE_ATTRS.filter((a) => rate[a]).map((a) => [a, String(rate[a])]),
        ),
        children: [],
      }
      : undefined;
    setChild(bandwidth, dir, el, ["inbound", "outbound"]);
  }
  // libvirt prints an emptied <bandwidth> as an open and a close tag.
  const kept = { ...bandwidth, keepOpen: true } as XmlElementJSON;
  return old || kept.children.length ? [...extra.filter((e) => e !== old), kept] : extra;
}

function bandwidthParams(extra: XmlElementJSON[]): TypedParams {
  const bandwidth = extra.find((e) => e.name === "bandwidth");
  return Object.fromEntries(
    BANDWIDTH_PARAMS.map(([dir, attr]) => [
      `${dir}.${attr}`,
      Number(kid(bandwidth, dir)?.attributes[attr] ?? 0),
    ]),
  );
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
      return bandwidthParams(netFind(def, device).extra);
    },
    domainSetInterfaceParameters: (ref, device, params, flags) => {
      checkFlags(flags, AFFECT, "testDomainSetInterfaceParameters", F);
      validateTypedParams(
        params,
        Object.fromEntries(BANDWIDTH_PARAMS.map(([d, a]) => [`${d}.${a}`, "uint" as const])),
      );
      const { def } = getOneDef(domainFromRef(state, ref), flags);
      const net = netFind(def, device);
      net.extra = setBandwidth(net.extra, params);
    },
  });
}
