/**
 * python-libvirt methods the public client API has no method for (statistics, guest-agent and
 * host queries, core dumps, save images, ...): each goes to the driver through the same entry
 * point checks libvirt's public API runs ({@link callDriver}), and comes back in
 * python-libvirt's shape (libvirt-override.c: tuples for blockStats/interfaceStats, dicts for
 * memoryStats/getTime/interfaceAddresses, ...).
 * @module
 */
import { callDriver } from "../../../client/handle.ts";
import { type Connection, type Domain, type TypedParams, VIR } from "../../../mod.ts";

const zero = async (p: Promise<unknown>): Promise<number> => {
  await p;
  return 0;
};
const num = (v: unknown): number => Number(v);
const str = (v: unknown): string => v as string;
const optStr = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

/** python-libvirt's tuple of a struct: the fields in the struct's order. */
const fields = (p: Promise<TypedParams>, keys: string[]) =>
  p.then((t) => keys.map((k) => (t as Record<string, unknown>)[k]));

/**
 * virDomainGetSchedulerParameters (`flags` null) or …Flags, after python-libvirt's
 * virDomainGetSchedulerType. The Flags API adds VIR_TYPED_PARAM_STRING_OKAY, which the test
 * driver then refuses (libvirt-domain.c); the older API calls the driver with 0.
 */
async function schedulerParameters(d: Domain, c: Connection, flags: number | null) {
  await callDriver(c, "domainGetSchedulerType", d.ref);
  return flags === null
    ? callDriver(
      c,
      { method: "domainGetSchedulerParametersFlags", api: "virDomainGetSchedulerParameters" },
      d.ref,
      0,
    )
    : callDriver(
      c,
      "domainGetSchedulerParametersFlags",
      d.ref,
      flags | VIR.TYPED_PARAM_STRING_OKAY,
    );
}

/**
 * A python-libvirt typed-parameter setter: the getter it runs first (with the same flags, to
 * learn the types), then the set; 0.
 */
export async function preGet(get: Promise<unknown>, set: () => Promise<void>): Promise<number> {
  await get;
  await set();
  return 0;
}

/** virDomainBlockStatsStruct's fields, in order. */
const BLOCK_STATS = "rd_req rd_bytes wr_req wr_bytes errs".split(" ");
/** virDomainInterfaceStatsStruct's fields, in order. */
const INTERFACE_STATS = "rx_bytes rx_packets rx_errs rx_drop tx_bytes tx_packets tx_errs tx_drop"
  .split(" ");

type DomainHandler = (d: Domain, a: unknown[], c: Connection) => Promise<unknown>;

/** virDomain methods, by python name. */
export const DRIVER_DOMAIN: Record<string, DomainHandler> = {
  schedulerType: (d, _a, c) => callDriver(c, "domainGetSchedulerType", d.ref),
  schedulerParameters: (d, _a, c) => schedulerParameters(d, c, null),
  schedulerParametersFlags: (d, a, c) => schedulerParameters(d, c, num(a[0] ?? 0)),
  // python-libvirt reads the scheduler type and parameters (with the same flags) first
  setSchedulerParameters: (d, a, c) =>
    preGet(schedulerParameters(d, c, null), () =>
      callDriver(
        c,
        { method: "domainSetSchedulerParametersFlags", api: "virDomainSetSchedulerParameters" },
        d.ref,
        a[0] as TypedParams,
        0,
      )),
  setSchedulerParametersFlags: (d, a, c) =>
    preGet(schedulerParameters(d, c, num(a[1] ?? 0)), () =>
      callDriver(
        c,
        "domainSetSchedulerParametersFlags",
        d.ref,
        a[0] as TypedParams,
        num(a[1] ?? 0),
      )),
  blockStats: (d, a, c) => fields(callDriver(c, "domainBlockStats", d.ref, str(a[0])), BLOCK_STATS),
  interfaceStats: (d, a, c) =>
    fields(callDriver(c, "domainInterfaceStats", d.ref, str(a[0])), INTERFACE_STATS),
  memoryStats: (d, _a, c) => callDriver(c, "domainMemoryStats", d.ref, 0),
  blockInfo: async (d, a, c) => {
    const b = await callDriver(c, "domainGetBlockInfo", d.ref, str(a[0]), num(a[1] ?? 0));
    return [b.capacity, b.allocation, b.physical];
  },
  interfaceAddresses: async (d, a, c) => {
    const ifaces = await callDriver(
      c,
      "domainInterfaceAddresses",
      d.ref,
      num(a[0]),
      num(a[1] ?? 0),
    ) as {
      name: string;
      hwaddr: string | null;
      addrs: { type: number; addr: string; prefix: number }[];
    }[];
    return Object.fromEntries(ifaces.map((i) => [i.name, {
      addrs: i.addrs.map((x) => ({ addr: x.addr, prefix: x.prefix, type: x.type })),
      hwaddr: i.hwaddr,
    }]));
  },
  getTime: (d, a, c) => callDriver(c, "domainGetTime", d.ref, num(a[0] ?? 0)),
  // python-libvirt's setTime: a dict with "seconds" (required) and "nseconds"
  setTime: (d, a, c) => {
    const t = (a[0] ?? {}) as { seconds?: number; nseconds?: number };
    return zero(
      callDriver(c, "domainSetTime", d.ref, t.seconds ?? 0, t.nseconds ?? 0, num(a[1] ?? 0)),
    );
  },
  sendKey: (d, a, c) =>
    zero(callDriver(
      c,
      "domainSendKey",
      d.ref,
      num(a[0]),
      num(a[1]),
      (a[2] as number[]).slice(0, num(a[3])),
      num(a[4] ?? 0),
    )),
  diskErrors: (d, a, c) => callDriver(c, "domainGetDiskErrors", d.ref, num(a[0] ?? 0)),
  injectNMI: (d, a, c) => zero(callDriver(c, "domainInjectNMI", d.ref, num(a[0] ?? 0))),
  coreDump: (d, a, c) =>
    zero(callDriver(
      c,
      { method: "domainCoreDumpWithFormat", api: "virDomainCoreDump" },
      d.ref,
      str(a[0]),
      0,
      num(a[1] ?? 0),
    )),
  coreDumpWithFormat: (d, a, c) =>
    zero(callDriver(c, "domainCoreDumpWithFormat", d.ref, str(a[0]), num(a[1]), num(a[2] ?? 0))),
  controlInfo: async (d, a, c) => {
    const i = await callDriver(c, "domainGetControlInfo", d.ref, num(a[0] ?? 0));
    return [i.state, i.details, i.stateTime];
  },
  setLifecycleAction: (d, a, c) =>
    zero(callDriver(c, "domainSetLifecycleAction", d.ref, num(a[0]), num(a[1]), num(a[2] ?? 0))),
  setMemoryStatsPeriod: (d, a, c) =>
    zero(callDriver(c, "domainSetMemoryStatsPeriod", d.ref, num(a[0]), num(a[1] ?? 0))),
  // python-libvirt returns bytes, which scenario.py prints as latin-1 text (byte by byte: a
  // spread of a large peek overflows the call stack)
  memoryPeek: async (d, a, c) => {
    const b = await callDriver(c, "domainMemoryPeek", d.ref, num(a[0]), num(a[1]), num(a[2] ?? 0));
    return Array.from(b, (x) => String.fromCharCode(x)).join("");
  },
  // virDomainGetLaunchSecurityInfo adds VIR_TYPED_PARAM_STRING_OKAY, as the test driver
  // supports string parameters (libvirt-domain.c)
  launchSecurityInfo: (d, a, c) =>
    callDriver(
      c,
      "domainGetLaunchSecurityInfo",
      d.ref,
      num(a[0] ?? 0) | VIR.TYPED_PARAM_STRING_OKAY,
    ),
  saveFlags: (d, a) => zero(d.saveFlags(str(a[0]), optStr(a[1]), num(a[2] ?? 0))),
  blockResize: (d, a, c) =>
    zero(callDriver(c, "domainBlockResize", d.ref, str(a[0]), num(a[1]), num(a[2] ?? 0))),
  // python-libvirt's jobInfo: virDomainJobInfo's fields as a list, in the struct's order
  jobInfo: (d, _a, c) =>
    fields(callDriver(c, "domainGetJobInfo", d.ref), [
      "type",
      "timeElapsed",
      "timeRemaining",
      "dataTotal",
      "dataProcessed",
      "dataRemaining",
      "memTotal",
      "memProcessed",
      "memRemaining",
      "fileTotal",
      "fileProcessed",
      "fileRemaining",
    ]),
  abortJob: (d, _a, c) => zero(callDriver(c, "domainAbortJob", d.ref)),
  fsFreeze: (d, a, c) =>
    callDriver(c, "domainFSFreeze", d.ref, (a[0] ?? []) as string[], num(a[1] ?? 0)),
  fsThaw: (d, a, c) =>
    callDriver(c, "domainFSThaw", d.ref, (a[0] ?? []) as string[], num(a[1] ?? 0)),
};

type ConnHandler = (c: Connection, a: unknown[]) => Promise<unknown>;

/** virConnect methods, by python name. */
export const DRIVER_CONNECT: Record<string, ConnHandler> = {
  saveImageGetXMLDesc: (c, a) =>
    callDriver(c, "domainSaveImageGetXMLDesc", str(a[0]), num(a[1] ?? 0)),
  saveImageDefineXML: (c, a) =>
    zero(callDriver(c, "domainSaveImageDefineXML", str(a[0]), str(a[1]), num(a[2] ?? 0))),
  baselineCPU: (c, a) => callDriver(c, "connectBaselineCPU", a[0] as string[], num(a[1] ?? 0)),
  compareHypervisorCPU: (c, a) =>
    callDriver(
      c,
      "connectCompareHypervisorCPU",
      optStr(a[0]),
      optStr(a[1]),
      optStr(a[2]),
      optStr(a[3]),
      str(a[4]),
      num(a[5] ?? 0),
    ),
  baselineHypervisorCPU: (c, a) =>
    callDriver(
      c,
      "connectBaselineHypervisorCPU",
      optStr(a[0]),
      optStr(a[1]),
      optStr(a[2]),
      optStr(a[3]),
      a[4] as string[],
      num(a[5] ?? 0),
    ),
  findStoragePoolSources: (c, a) =>
    c.findStoragePoolSources(str(a[0]), optStr(a[1]), num(a[2] ?? 0)),
  getCPUStats: (c, a) => callDriver(c, "nodeGetCPUStats", num(a[0]), num(a[1] ?? 0)),
  // virNodeGetFreePages returns 0 on success, and python-libvirt builds its dict from that
  // return value, not from the counts: an empty dict.
  getFreePages: async (c, a) => {
    await callDriver(
      c,
      "nodeGetFreePages",
      a[0] as number[],
      num(a[1]),
      num(a[2]),
      num(a[3] ?? 0),
    );
    return {};
  },
  getAllDomainStats: async (c, a) =>
    (await callDriver(c, "connectGetAllDomainStats", num(a[0] ?? 0), num(a[1] ?? 0)))
      .map((rec) => [{ domain: rec.dom.name }, rec.params]),
  nodeDeviceCreateXML: (c, a) => c.createNodeDeviceXML(str(a[0]), num(a[1] ?? 0)),
};
