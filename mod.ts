/**
 * edgevirt: libvirt for today's JavaScript runtimes. This is the portable client: handles,
 * `connect()`, `VIR` and `VirError`, using web APIs only, with no driver inside. A URI with a
 * transport (`test+http://host:16510/default`) goes to that gateway; a local URI
 * (`qemu:///session`) to the local daemon's unix socket where the runtime has unix sockets, as
 * libvirt's remote driver does. Host programs that run drivers in-process (`test:///default`)
 * or start the session daemon on first use import `host.ts`; driver authors import
 * `driver_kit.ts`.
 *
 * @example
 * ```ts
 * import { connect, VIR } from "./mod.ts";
 * const conn = await connect("test+http://127.0.0.1:16510/default", { token: "…" });
 * const dom = await conn.lookupDomainByName("test");
 * await dom.setVcpusFlags(1, VIR.DOMAIN_AFFECT_LIVE);
 * await conn.close();
 * ```
 * @module
 */
export * from "./client/mod.ts";
export { VIR, type VirConstants } from "./util/constants.ts";
export { errorCodeName, errorDomainName, VirError } from "./util/errors.ts";
export type { ErrorCodeName, ErrorDomainName, VirErrorJSON } from "./util/errors.ts";
export type { DriverRegistry } from "./util/registry.ts";
// The contract as data: which calls exist, their arguments, results and libvirt's checks (what
// `conn.call` and the handles run); pure data, so the portable client can describe itself.
export {
  CONTRACT,
  HYPERVISOR,
  INTERFACE,
  NETWORK,
  NODEDEV,
  NWFILTER,
  SECRET,
  STORAGE,
} from "./util/contract/mod.ts";
export type { ConnectionBase, Contract, FamilyDriver } from "./util/contract/mod.ts";
export type {
  AccessRule,
  AclFamily,
  ApiFamily,
  Arg,
  ArgKind,
  ArgTypes,
  CallDecl,
  CallTable,
  Check,
  CheckErrors,
  CustomCheck,
  Impl,
  KindTypes,
  ListOf,
  RefKind,
  Result,
  ResultShape,
} from "./util/contract/declare.ts";
export type {
  ConnectDriver,
  ConnectOptions,
  DomainBlockInfo,
  DomainFSInfo,
  DomainInfo,
  DomainIOThreadInfo,
  DomainRef,
  DomainStatsRecord,
  DriverConnection,
  DriverEvent,
  DriverMethod,
  EventFamily,
  InterfaceRef,
  NetworkPortRef,
  NetworkRef,
  NodeDeviceRef,
  NodeInfo,
  NWFilterBindingRef,
  NWFilterRef,
  PeerOpener,
  SecretRef,
  SecurityLabel,
  SecurityModel,
  StoragePoolInfo,
  StoragePoolRef,
  StorageVolInfo,
  StorageVolRef,
  StreamHole,
  StreamPiece,
  TypedParams,
  VcpuInfo,
} from "./util/driver.ts";
