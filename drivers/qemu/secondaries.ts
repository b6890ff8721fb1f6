/**
 * The host's secondary drivers as the QEMU driver uses them for its own needs (libvirt's
 * `virGetConnectNetwork()`, `virGetConnectStorage()`, `virGetConnectSecret()`): each family's
 * connection is opened on the first call that needs it (a domain start, an address lookup) and
 * kept until the driver state closes.
 *
 * @module
 */
import type {
  SecondaryConnection,
  SecondaryFamily,
  SecondaryOpener,
} from "../../util/contract/compose.ts";
import {
  callInfo,
  type DriverConnection,
  type DriverMethod,
} from "../../util/contract/contract.ts";
import { VirError } from "../../util/errors.ts";

/** A driver method of the families the QEMU driver calls. */
type Method = keyof DriverConnection & string;
// deno-lint-ignore no-explicit-any
type Fn<M extends Method> = Extract<NonNullable<DriverConnection[M]>, (...args: any[]) => any>;

/**
 * The secondary connections of one QEMU driver state.
 *
 * @example
 * ```ts
 * import { QemuSecondaries } from "./secondaries.ts";
 * const secondaries = new QemuSecondaries(undefined);
 * await secondaries.get("network").catch((e) => e.message);
 * // "no connection driver available for network:///system" (as root)
 * ```
 */
export class QemuSecondaries {
  #open: SecondaryOpener | undefined;
  #conns = new Map<SecondaryFamily, Promise<SecondaryConnection>>();

  constructor(open: SecondaryOpener | undefined) {
    this.#open = open;
  }

  /**
   * The family's connection, opened on first use. Without a driver of that family libvirt's
   * `virConnectOpen("network:///system")` fails as here: no connection driver available.
   */
  get(family: SecondaryFamily): Promise<SecondaryConnection> {
    let conn = this.#conns.get(family);
    if (!conn) {
      conn = this.#connect(family);
      this.#conns.set(family, conn);
      // A failed open is not remembered: the next domain that needs the family tries again.
      conn.catch(() => this.#conns.delete(family));
    }
    return conn;
  }

  /**
   * Calls `method` of `family`'s driver, refused as libvirt refuses a call the driver lacks.
   */
  async call<M extends Method>(
    family: SecondaryFamily,
    method: M,
    ...args: Parameters<Fn<M>>
  ): Promise<Awaited<ReturnType<Fn<M>>>> {
    const conn = await this.get(family) as Record<string, unknown>;
    const fn = conn[method];
    if (typeof fn !== "function") {
      // As the gateway reports a call its driver lacks.
      const info = callInfo(method as DriverMethod);
      throw VirError.report(info.family, "NO_SUPPORT", info.api);
    }
    return await fn.apply(conn, args);
  }

  /** Closes every connection opened so far. */
  async close(): Promise<void> {
    const conns = [...this.#conns.values()];
    this.#conns.clear();
    await Promise.allSettled(conns.map(async (c) => await (await c).connectClose()));
  }

  async #connect(family: SecondaryFamily): Promise<SecondaryConnection> {
    const conn = await this.#open?.(family);
    if (conn) return conn;
    const uri = `${family}://${Deno.uid() === 0 ? "/system" : "/session"}`;
    throw VirError.report("NONE", "NO_CONNECT", uri);
  }
}
