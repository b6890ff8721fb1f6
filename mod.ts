/**
 * edgevirt: libvirt for today's JavaScript runtimes. `connect(uri)` opens an in-process driver
 * (`test:///default`, `qemu:///session`) or, with a transport in the URI
 * (`test+http://host:16510/default`), the same API through the gateway.
 *
 * @example
 * ```ts
 * import { connect, VIR } from "./mod.ts";
 * const conn = await connect("test:///default");
 * const dom = await conn.lookupDomainByName("test");
 * await dom.setVcpusFlags(1, VIR.DOMAIN_AFFECT_LIVE);
 * await conn.close();
 * ```
 * @module
 */
import "./drivers/simulator/mod.ts";
import "./drivers/qemu/mod.ts";

export * from "./client/mod.ts";
export { VIR } from "./util/constants.ts";
export { checkFlags, errorCodeName, errorDomainName, VirError } from "./util/errors.ts";
export type { ErrorCodeName, ErrorDomainName, VirErrorJSON } from "./util/errors.ts";
export type * from "./util/driver.ts";
export { registerDriver } from "./util/registry.ts";
