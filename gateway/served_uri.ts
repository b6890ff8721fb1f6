import type { DriverConnection } from "../util/driver.ts";
import type { Session } from "./session.ts";
import type { SessionTable } from "./session_table.ts";

/**
 * A URI the gateway serves under `/v1/{driver}/{path}` (REST resources, the session-less
 * `call` route and its event stream). Those routes share one gateway-owned session, opened on
 * the first request and closed by the idle timeout, so the gateway holds no driver connection
 * (and no `test:///default` state) while only client sessions come and go.
 *
 * @example
 * ```ts ignore
 * const session = await served.session();
 * await session.driver.connectGetHostname?.();
 * ```
 */
export class ServedUri {
  /** `test/default`: driver name plus URI path, as in `/v1/test/default/…`. */
  readonly path: string;
  /** The URI (`test:///default`). */
  readonly uri: string;
  /** The driver's type (`TEST`), learnt when the gateway checked the URI at start. */
  readonly type: string;
  #sessions: SessionTable;
  #driver?: DriverConnection;
  #current?: Promise<Session>;

  constructor(
    init: { path: string; uri: string; type: string; driver?: DriverConnection },
    sessions: SessionTable,
  ) {
    this.path = init.path;
    this.uri = init.uri;
    this.type = init.type;
    this.#driver = init.driver;
    this.#sessions = sessions;
  }

  /** The REST session, opened if there is none; each use postpones its idle timeout. */
  async session(): Promise<Session> {
    let current = this.#current;
    if (!current) {
      current = this.#current = this.#sessions.open({
        kind: "rest",
        uri: this.uri,
        driver: this.#driver,
      });
      const forget = () => {
        if (this.#current === current) this.#current = undefined;
      };
      current.then((s) => s.closed.then(forget), forget);
    }
    const s = await current;
    s.touch();
    return s;
  }
}
