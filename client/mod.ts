/**
 * The portable client: public handle classes and `connect()`. Pure `fetch`-era JavaScript,
 * no Deno or Node API.
 *
 * @example
 * ```ts
 * import { connect } from "./mod.ts";
 * import "../drivers/simulator/mod.ts";
 * const conn = await connect("test:///default");
 * await conn.close();
 * ```
 * @module
 */
export * from "./connect.ts";
export * from "./connection.ts";
export * from "./domain.ts";
export * from "./snapshot.ts";
export * from "./checkpoint.ts";
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
export * from "./objects.ts";
export * from "./remote/mod.ts";
export { type RuntimeAdapter, setRuntimeAdapter } from "./transport/mod.ts";
