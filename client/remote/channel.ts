import type { DriverEvent } from "../../util/driver.ts";

/** What opening a session (over HTTP or the RPC socket) tells a client. */
export interface ServedDriverInfo {
  /** The driver's type as `virConnectGetType` reports it (`TEST`, `QEMU`). */
  type: string;
  /** The driver URI the session opened (`test:///default`). */
  uri: string;
  /** The driver methods the gateway serves for it; others are NO_SUPPORT on the client. */
  methods: string[];
}

/**
 * How the remote driver talks to its gateway session: HTTP POST per call plus an SSE event
 * stream, or one WebSocket for both. Either way a failed call rejects with the gateway's identical
 * `VirError`, and a transport failure with libvirt's RPC-level errors.
 *
 * @example
 * ```ts ignore
 * const domains = await channel.call("connectListAllDomains", [0]);
 * const stop = channel.subscribe((ev) => console.log(ev.family, ev.data));
 * ```
 */
export interface RpcChannel {
  /** `http` or `websocket`, for diagnostics and tests. */
  readonly kind: "http" | "websocket";
  /** Runs one driver call; `undefined` for a void call. */
  call(method: string, args: unknown[]): Promise<unknown>;
  /** Starts the event stream (once); events go to `deliver` until {@link unsubscribe}. */
  subscribe(deliver: (ev: DriverEvent) => void): void;
  /** Ends the event stream. */
  unsubscribe(): void;
  /**
   * Closes the session: settles once the gateway closed its driver connection. Later calls
   * fail with `VIR_ERR_INVALID_CONN`.
   */
  close(): Promise<void>;
}
