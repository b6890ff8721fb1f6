import type { DriverConnection } from "../util/driver.ts";
import type { DriverRegistry } from "../util/registry.ts";
import { VirError } from "../util/errors.ts";
import type { Principal } from "./acl.ts";
import type { Limits } from "./limits.ts";
import { Session, type SessionKind } from "./session.ts";
import { checkSessionUri } from "./session_uri.ts";

/** What {@link SessionTable.open} takes. */
export interface SessionOpen {
  kind: SessionKind;
  uri: string;
  /** The caller, checked against the URI policy; none for the gateway's REST connection. */
  owner?: Principal;
  /** A connection already open (the gateway does not close it); otherwise the driver opens one. */
  driver?: DriverConnection;
}

/**
 * Every session of a gateway: opening under the `maxSessions` limit and the URI policy,
 * lookup of HTTP sessions by id for their owner only, and the idle timeout of HTTP and REST
 * sessions (an open event stream keeps a session alive, as libvirt's keepalive does).
 *
 * @example
 * ```ts
 * import { testConnectDriver } from "../drivers/simulator/mod.ts";
 * import { createRegistry } from "../util/registry.ts";
 * import { SessionTable } from "./session_table.ts";
 * import { DEFAULT_LIMITS } from "./limits.ts";
 * import { ANONYMOUS_FULL } from "./acl.ts";
 * const registry = createRegistry([testConnectDriver]);
 * const table = new SessionTable(DEFAULT_LIMITS, new Set(["test:///default"]), registry);
 * const s = await table.open({ kind: "http", uri: "test:///default", owner: ANONYMOUS_FULL });
 * await table.close(s);
 * ```
 */
export class SessionTable {
  #sessions = new Map<string, Session>();
  #opening = 0;
  #openingBy = new Map<string, number>();
  #timers = new Map<string, ReturnType<typeof setTimeout>>();
  #limits: Limits;
  #served: ReadonlySet<string>;
  #registry: DriverRegistry;

  constructor(limits: Limits, served: ReadonlySet<string>, registry: DriverRegistry) {
    this.#limits = limits;
    this.#served = served;
    this.#registry = registry;
  }

  /** Open sessions. */
  get size(): number {
    return this.#sessions.size;
  }

  /** The open sessions, oldest first. */
  values(): IterableIterator<Session> {
    return this.#sessions.values();
  }

  /** Event-stream listeners over all sessions, against `maxStreams`. */
  get streams(): number {
    let n = 0;
    for (const s of this.#sessions.values()) n += s.events.listeners;
    return n;
  }

  /** Opens a session's driver connection, refusing beyond `maxSessions` and the token's share. */
  async open(req: SessionOpen): Promise<Session> {
    if (this.#sessions.size + this.#opening >= this.#limits.maxSessions) {
      throw VirError.report("RPC", "RESOURCE_BUSY", "too many sessions");
    }
    const owner = req.owner?.name;
    if (owner !== undefined && this.#held(owner) >= this.#limits.maxSessionsPerToken) {
      throw VirError.report("RPC", "RESOURCE_BUSY", `too many sessions for token '${owner}'`);
    }
    let driver = req.driver;
    if (!driver) {
      const target = checkSessionUri(req.uri, req.owner, this.#served, this.#registry);
      // Sessions being opened count too, or parallel opens would pass both limits.
      this.#opening++;
      if (owner !== undefined) this.#openingBy.set(owner, (this.#openingBy.get(owner) ?? 0) + 1);
      try {
        driver = await target.driver.open(target.uri, {});
      } finally {
        this.#opening--;
        if (owner !== undefined) {
          const n = this.#openingBy.get(owner)! - 1;
          if (n) this.#openingBy.set(owner, n);
          else this.#openingBy.delete(owner);
        }
      }
    }
    const s = new Session(req.kind, req.uri, driver, {
      eventBuffer: this.#limits.eventBuffer,
      owned: !req.driver,
      owner: req.owner,
    });
    this.#sessions.set(s.id, s);
    if (req.kind !== "websocket" && !req.driver) this.#expireLater(s, this.#limits.sessionIdleMs);
    return s;
  }

  #held(owner: string): number {
    let n = this.#openingBy.get(owner) ?? 0;
    for (const s of this.#sessions.values()) if (s.owner?.name === owner) n++;
    return n;
  }

  /**
   * The HTTP session `id`, for its owner. An unknown, expired or foreign id gets the same
   * answer, so ids cannot be probed.
   */
  http(id: string, who: Principal): Session {
    const s = this.#sessions.get(id);
    if (!s || s.kind !== "http" || s.owner?.name !== who.name) {
      throw VirError.report("RPC", "INVALID_CONN", "no such session (closed or expired)");
    }
    s.touch();
    return s;
  }

  /** Closes one session and its driver connection. */
  async close(s: Session): Promise<void> {
    this.#sessions.delete(s.id);
    clearTimeout(this.#timers.get(s.id));
    this.#timers.delete(s.id);
    await s.close();
  }

  /** Closes every session (the gateway is stopping). */
  async closeAll(): Promise<void> {
    await Promise.all([...this.#sessions.values()].map((s) => this.close(s)));
  }

  #expireLater(s: Session, ms: number): void {
    this.#timers.set(
      s.id,
      setTimeout(() => {
        const idle = Date.now() - s.lastUsed;
        const limit = this.#limits.sessionIdleMs;
        if (s.events.listeners || idle < limit) {
          return this.#expireLater(s, s.events.listeners ? limit : limit - idle);
        }
        this.close(s).catch(() => {});
      }, ms),
    );
  }
}
