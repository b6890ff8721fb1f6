import type { DriverConnection } from "../util/driver.ts";
import type { Principal } from "./acl.ts";
import { EventLog } from "./event_log.ts";

/**
 * How a session is reached: a WebSocket (the socket's lifetime), HTTP (an explicit open and
 * close, with an idle timeout), or the gateway's own connection behind the REST routes.
 */
export type SessionKind = "websocket" | "http" | "rest";

/**
 * One client's driver connection on the gateway, as libvirtd keeps one `virConnect` per client:
 * opened with the URI the client asked for, closed when the client closes it or goes away, so
 * a shared driver state (`test:///default`) lives exactly as long as some session holds it.
 * The session's events come from its own connection's `subscribe`, numbered in its own log.
 *
 * @example
 * ```ts
 * import { Session } from "./session.ts";
 * import { openTestConnection } from "../drivers/simulator/connection.ts";
 * const driver = openTestConnection(new URL("test:///default"), {});
 * const s = new Session("rest", "test:///default", driver, { eventBuffer: 16, owned: true });
 * await s.close();
 * ```
 */
export class Session {
  /** Unguessable: for HTTP sessions it is the handle, next to the caller's own token. */
  readonly id: string = crypto.randomUUID();
  readonly kind: SessionKind;
  readonly uri: string;
  readonly driver: DriverConnection;
  readonly events: EventLog;
  /** Who opened it; only they may use an HTTP session. None for the REST connection. */
  readonly owner?: Principal;
  /** Settles once the driver connection is closed. */
  readonly closed: Promise<void>;
  /** `Date.now()` of the last request, for the idle timeout. */
  lastUsed: number = Date.now();
  #owned: boolean;
  #closing?: Promise<void>;
  #markClosed!: () => void;

  constructor(
    kind: SessionKind,
    uri: string,
    driver: DriverConnection,
    options: { eventBuffer: number; owned: boolean; owner?: Principal },
  ) {
    this.kind = kind;
    this.uri = uri;
    this.driver = driver;
    this.owner = options.owner;
    this.#owned = options.owned;
    this.events = new EventLog(options.eventBuffer);
    this.events.follow(driver);
    this.closed = new Promise((resolve) => (this.#markClosed = resolve));
  }

  /** Marks the session used now. */
  touch(): void {
    this.lastUsed = Date.now();
  }

  /**
   * Ends its event streams and closes its driver connection (a connection handed to the
   * gateway already open stays open: its opener closes it). Closing twice is harmless.
   */
  close(): Promise<void> {
    return this.#closing ??= (async () => {
      this.events.close();
      try {
        if (this.#owned) await this.driver.connectClose();
      } finally {
        this.#markClosed();
      }
    })();
  }
}
