/**
 * The driver contract as data, split per family as libvirt splits `driver.h`: a connection is
 * one hypervisor driver plus the secondary drivers (network, storage, node device, interface,
 * secret), and every call is declared once — arguments with kinds, result, access, libvirt's
 * public-API checks. The driver types, the gateway's validation, access rules and ACL
 * filtering, the OpenAPI operations and the client's checks are all derived from here: a new
 * call is one declaration plus its driver implementations.
 *
 * @example
 * ```ts
 * import { callInfo } from "./mod.ts";
 * const info = callInfo("domainSetVcpusFlags");
 * console.log(info.api, info.family, info.decl.access); // virDomainSetVcpusFlags DOMAIN write
 * ```
 * @module
 */
export type * from "./declare.ts";
export type * from "./types.ts";
export { ACL_FAMILIES, r, REF_KINDS, STREAM_FLOWS } from "./declare.ts";
export { type CallContext, type CallInfo, checkCall, unsignedArgs } from "./check.ts";
export { validateArgs } from "./validate.ts";
export { KINDS, type KindSpec, REF_SHAPES } from "./kinds.ts";
export * from "./contract.ts";

export {
  composeConnection,
  openSecondaries,
  type SecondaryConnection,
  type SecondaryDriver,
  type SecondaryFamily,
  type SecondaryOpener,
  secondaryOpener,
  serves,
} from "./compose.ts";
