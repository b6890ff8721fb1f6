/**
 * The portable client: public handle classes and `connect()`. Pure `fetch`-era JavaScript,
 * no Deno or Node API (the root `mod.ts` is its public face).
 *
 * @example
 * ```ts
 * import { connect } from "./mod.ts";
 * const conn = await connect("test+http://127.0.0.1:16510/default", { token: "…" });
 * await conn.close();
 * ```
 * @module
 */
export { type ClientOptions, connect, type DaemonAutostart, type DaemonTarget } from "./connect.ts";
export { Connection, type ConnectionEvent, type EventFilter } from "./connection.ts";
export { Domain } from "./domain.ts";
export { DomainSnapshot } from "./snapshot.ts";
export { DomainCheckpoint } from "./checkpoint.ts";
export { DomainChildHandle } from "./domain_child.ts";
export {
  type ArgsAfterRef,
  type DriverArgs,
  type DriverCall,
  type DriverResult,
  Handle,
  type HandleOwner,
  type MethodOn,
} from "./handle.ts";
export { Interface, Network, NodeDevice, Secret, StoragePool, StorageVolume } from "./objects.ts";
export { NetworkPort } from "./network_port.ts";
export { Stream } from "./stream.ts";
export { type RuntimeAdapter, setRuntimeAdapter } from "./transport/mod.ts";
