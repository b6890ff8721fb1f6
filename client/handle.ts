import type { DriverConnection, DriverMethod } from "../util/driver.ts";
import { type ApiFamily, denyReadOnly, invoke } from "./invoke.ts";

export type { ApiFamily } from "./invoke.ts";

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

/** The libvirt API a driver call reports in its errors. */
function apiName(call: DriverCall<DriverMethod>): string {
  if (typeof call !== "string") return call.api;
  return "vir" + call[0].toUpperCase() + call.slice(1);
}

/** Calls the driver as libvirt's public API entry point named by `call` does. */
export function callDriver<M extends DriverMethod>(
  owner: HandleOwner,
  family: ApiFamily,
  call: DriverCall<M>,
  ...args: DriverArgs<M>
): DriverResult<M> {
  const method = typeof call === "string" ? call : call.method;
  return invoke(owner.driver, method, apiName(call), family, ...args);
}

/** {@link callDriver} for an API libvirt refuses on a read-only connection, checked first. */
export function mutateDriver<M extends DriverMethod>(
  owner: HandleOwner,
  family: ApiFamily,
  call: DriverCall<M>,
  ...args: DriverArgs<M>
): DriverResult<M> {
  denyReadOnly(owner.readonly, apiName(call), family);
  return callDriver(owner, family, call, ...args);
}

/**
 * What every object handle shares: the connection it came from, its wire reference and the
 * error family of its API file, and the two ways its methods reach the driver.
 */
export abstract class Handle<R extends object> {
  readonly #owner: HandleOwner;
  readonly #family: ApiFamily;
  #ref: R;

  /** Keeps a copy of `ref`, so the caller's object never aliases the handle's. */
  constructor(owner: HandleOwner, family: ApiFamily, ref: R) {
    this.#owner = owner;
    this.#family = family;
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

  /** The error family of this handle's API file. */
  protected get family(): ApiFamily {
    return this.#family;
  }

  /** Takes the reference the driver returned after a call that changes it (start, rename). */
  protected rebind(ref: R): void {
    this.#ref = { ...ref };
  }

  /** libvirt's read-only check for `api`, for methods with argument checks after it. */
  protected denyReadOnly(api: string): void {
    denyReadOnly(this.#owner.readonly, api, this.#family);
  }

  /** Calls driver method `call` on this object. */
  protected call<M extends MethodOn<R>>(
    call: DriverCall<M>,
    ...args: ArgsAfterRef<M>
  ): DriverResult<M> {
    return callDriver(this.#owner, this.#family, call, ...this.#withRef<M>(args));
  }

  /** {@link call} for an API libvirt refuses on a read-only connection, checked first. */
  protected mutate<M extends MethodOn<R>>(
    call: DriverCall<M>,
    ...args: ArgsAfterRef<M>
  ): DriverResult<M> {
    return mutateDriver(this.#owner, this.#family, call, ...this.#withRef<M>(args));
  }

  #withRef<M extends MethodOn<R>>(args: ArgsAfterRef<M>): DriverArgs<M> {
    // MethodOn<R> guarantees the reference is the method's first argument.
    return [this.#ref, ...args] as unknown as DriverArgs<M>;
  }
}
