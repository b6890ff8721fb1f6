/**
 * The contract's families and calls together, and what is derived from them per call: the
 * driver types, the API name and error domain of a call (`callInfo`). Kept apart from the wire
 * kinds (`kinds.ts`), which only the gateway needs, so the portable client carries only this.
 *
 * @example
 * ```ts
 * import { callInfo } from "./contract.ts";
 * callInfo("domainSetVcpusFlags").api; // "virDomainSetVcpusFlags"
 * ```
 * @module
 */
import type { ApiFamily, CallDecl, Impl } from "./declare.ts";
import type { DriverEvent, DriverHistogramFamily } from "./types.ts";
import type { CallInfo } from "./check.ts";
import { HYPERVISOR } from "./hypervisor.ts";
import { NETWORK } from "./network.ts";
import { STORAGE } from "./storage.ts";
import { NODEDEV } from "./nodedev.ts";
import { INTERFACE } from "./interface.ts";
import { SECRET } from "./secret.ts";
import { NWFILTER } from "./nwfilter.ts";

export { HYPERVISOR, INTERFACE, NETWORK, NODEDEV, NWFILTER, SECRET, STORAGE };

/**
 * The families of a connection, as libvirt's driver tables: each with its calls and the error
 * domain of its API file.
 */
export const FAMILIES = {
  hypervisor: { calls: HYPERVISOR, family: "DOMAIN" },
  network: { calls: NETWORK, family: "NETWORK" },
  storage: { calls: STORAGE, family: "STORAGE" },
  nodedev: { calls: NODEDEV, family: "NODEDEV" },
  interface: { calls: INTERFACE, family: "INTERFACE" },
  secret: { calls: SECRET, family: "SECRET" },
  nwfilter: { calls: NWFILTER, family: "NWFILTER" },
} as const satisfies Record<string, { calls: Record<string, CallDecl>; family: ApiFamily }>;

/** A family name (`hypervisor`, `network`, …). */
export type FamilyName = keyof typeof FAMILIES;

/** Every call of every family, by driver method name (the type of {@link CONTRACT}). */
export type Contract =
  & typeof HYPERVISOR
  & typeof NETWORK
  & typeof STORAGE
  & typeof NODEDEV
  & typeof INTERFACE
  & typeof SECRET
  & typeof NWFILTER;

/** Every call of every family, by driver method name. */
export const CONTRACT: Contract = {
  ...HYPERVISOR,
  ...NETWORK,
  ...STORAGE,
  ...NODEDEV,
  ...INTERFACE,
  ...SECRET,
  ...NWFILTER,
} as const;

/** The name of any contract call (a driver method). */
export type DriverMethod = keyof Contract;

/** The driver functions of one family: each optional (a missing one is `VIR_ERR_NO_SUPPORT`). */
export type FamilyDriver<T extends Record<string, CallDecl>> = {
  -readonly [M in keyof T]?: Impl<T[M]>;
};

/** libvirt's `virHypervisorDriver`. */
export type HypervisorDriver = FamilyDriver<typeof HYPERVISOR>;
/** libvirt's `virNetworkDriver`. */
export type NetworkDriver = FamilyDriver<typeof NETWORK>;
/** libvirt's `virStorageDriver`. */
export type StorageDriver = FamilyDriver<typeof STORAGE>;
/** libvirt's `virNodeDeviceDriver`. */
export type NodeDeviceDriver = FamilyDriver<typeof NODEDEV>;
/** libvirt's `virInterfaceDriver`. */
export type InterfaceDriver = FamilyDriver<typeof INTERFACE>;
/** libvirt's `virSecretDriver`. */
export type SecretDriver = FamilyDriver<typeof SECRET>;
/** libvirt's `virNWFilterDriver`. */
export type NWFilterDriver = FamilyDriver<typeof NWFILTER>;

/** What every connection has besides its calls. */
export interface ConnectionBase {
  /** The driver's name as `virConnectGetType` reports it (`TEST`, `QEMU`). */
  readonly type: string;
  /** Listen for every event of this connection; returns the unsubscribe function. */
  subscribe?(listener: (ev: DriverEvent) => void): () => void;
  /** Driver entry behind libvirt's `virConnectClose`. */
  connectClose(): Promise<void>;
  /** The driver's own histograms for the gateway's `/metrics`, if it keeps any. */
  driverMetrics?(): DriverHistogramFamily[];
}

/**
 * A connection to a driver: the calls of every family, each optional. A missing one is
 * libvirt's "this function is not supported by the connection driver: virXxx".
 */
export type DriverConnection =
  & ConnectionBase
  & Omit<FamilyDriver<Contract>, "connectClose">;

const INFO = new Map<string, CallInfo>();

/** Whether `name` is a call of the contract. */
export function isContractMethod(name: string): name is DriverMethod {
  return Object.hasOwn(CONTRACT, name);
}

/** libvirt's public API name for a driver method (`domainSuspend` → `virDomainSuspend`). */
export function apiName(method: string): string {
  return "vir" + method[0].toUpperCase() + method.slice(1);
}

/**
 * A call's declaration with its API name and error domain, built once per method.
 *
 * @example
 * ```ts
 * import { callInfo } from "./mod.ts";
 * callInfo("domainSnapshotDelete").family; // "DOMAIN_SNAPSHOT"
 * ```
 */
export function callInfo(method: DriverMethod): CallInfo {
  let info = INFO.get(method);
  if (!info) {
    const decl: CallDecl = CONTRACT[method];
    const family = decl.family ?? familyOf(method).family;
    const unsignedAt = decl.args.flatMap((a, i) => (a.kind === "uint" ? [i] : []));
    info = { method, api: decl.api ?? apiName(method), family, decl, unsignedAt };
    INFO.set(method, info);
  }
  return info;
}

/** The family a call belongs to. */
export function familyOf(method: DriverMethod): (typeof FAMILIES)[FamilyName] {
  for (const f of Object.values(FAMILIES)) if (Object.hasOwn(f.calls, method)) return f;
  throw new Error(`not a contract call: ${method}`);
}
