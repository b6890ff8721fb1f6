import type { DriverConnection, DriverMethod } from "../util/driver.ts";
import { invoke } from "./invoke.ts";

/** What a handle needs from its connection. */
export interface HandleOwner {
  /** The driver every call goes to. */
  readonly driver: DriverConnection;
  /** Whether mutating calls are refused (VIR_CONNECT_RO). */
  readonly readonly: boolean;
}

/** The arguments of driver method `M`. */
export type DriverArgs<M extends DriverMethod> = Parameters<NonNullable<DriverConnection[M]>>;

/** The result of driver method `M`. */
export type DriverResult<M extends DriverMethod> = ReturnType<NonNullable<DriverConnection[M]>>;

/**
 * A driver method and the libvirt API it implements. A bare method name stands for the API of
 * the same name (`domainGetInfo` → `virDomainGetInfo`); the object form is for the public APIs
 * that share another's driver entry (`virDomainSetVcpus` → `domainSetVcpusFlags`), whose errors
 * name the API the caller used.
 */
export type DriverCall<M extends DriverMethod> = M | {
  /** The driver method to call. */
  method: M;
  /** The libvirt API name errors report. */
  api: string;
};

/** The driver methods whose first argument is a wire reference of type `R`. */
export type MethodOn<R> = {
  [M in DriverMethod]: DriverArgs<M> extends [infer First, ...unknown[]]
    ? [First] extends [R] ? [R] extends [First] ? M : never : never
    : never;
}[DriverMethod];

/** The arguments of driver method `M` after the wire reference. */
export type ArgsAfterRef<M extends DriverMethod> = DriverArgs<M> extends [unknown, ...infer Rest]
  ? Rest
  : never;

/**
 * Calls the driver as libvirt's public API entry point named by `call` does: its checks
 * (read-only refusals included), then the driver.
 */
export function callDriver<M extends DriverMethod>(
  owner: HandleOwner,
  call: DriverCall<M>,
  ...args: DriverArgs<M>
): DriverResult<M> {
  if (typeof call === "string") {
    return invoke(owner.driver, owner.readonly, call, undefined, ...args);
  }
  return invoke(owner.driver, owner.readonly, call.method, call.api, ...args);
}

/**
 * What every object handle shares: the connection it came from and its wire reference, and the
 * way its methods reach the driver.
 */
export abstract class Handle<R extends object> {
  readonly #owner: HandleOwner;
  #ref: R;

  /** Keeps a copy of `ref`, so the caller's object never aliases the handle's. */
  constructor(owner: HandleOwner, ref: R) {
    this.#owner = owner;
    this.#ref = { ...ref };
  }

  /** The wire reference. */
  get ref(): R {
    return this.#ref;
  }

  /** The connection this handle came from, for the handles its methods return. */
  protected get owner(): HandleOwner {
    return this.#owner;
  }

  /** Takes the reference the driver returned after a call that changes it (start, rename). */
  protected rebind(ref: R): void {
    this.#ref = { ...ref };
  }

  /** Calls driver method `call` on this object. */
  protected call<M extends MethodOn<R>>(
    call: DriverCall<M>,
    ...args: ArgsAfterRef<M>
  ): DriverResult<M> {
    return callDriver(this.#owner, call, ...this.#withRef<M>(args));
  }

  #withRef<M extends MethodOn<R>>(args: ArgsAfterRef<M>): DriverArgs<M> {
    // MethodOn<R> guarantees the reference is the method's first argument.
    return [this.#ref, ...args] as unknown as DriverArgs<M>;
  }
}
