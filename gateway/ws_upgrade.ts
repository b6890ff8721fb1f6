/**
 * One way for the gateway's handlers to accept a WebSocket, whoever serves the connection:
 * `Deno.serve` (the unix socket) upgrades with `Deno.upgradeWebSocket`; the guarded TCP
 * listener, which reads every byte of its connections anyway, offers its own upgrade for the
 * requests it builds, so a WebSocket's frames are read where they arrive instead of taking a
 * second socket hop to an inner server.
 *
 * @module
 */

/** What the gateway uses of a server WebSocket: the part of the web API both kinds share. */
export interface ServerSocket {
  readonly readyState: number;
  send(data: string | Uint8Array): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: Event) => void) | null;
  onmessage: ((ev: MessageEvent) => void) | null;
  onclose: ((ev: CloseEvent) => void) | null;
  addEventListener(type: "close", listener: () => void): void;
}

/** The options of an upgrade (those of `Deno.upgradeWebSocket` the gateway uses). */
export interface UpgradeOptions {
  /** The subprotocol chosen among those the client offered. */
  protocol?: string;
}

/** An upgrade as `Deno.upgradeWebSocket` gives it: the socket and the answer to return. */
export interface Upgrade {
  socket: ServerSocket;
  response: Response;
}

/** The upgrades offered for requests a listener built itself. */
const offers = new WeakMap<Request, (options: UpgradeOptions) => Upgrade>();

/**
 * Upgrades `req` to a WebSocket: through the listener that offered an upgrade for it, or
 * else through `Deno.serve`'s.
 *
 * @example
 * ```ts ignore
 * app.get("/ws", (c) => {
 *   const { socket, response } = upgradeWebSocket(c.req.raw);
 *   socket.onmessage = (e) => socket.send(e.data);
 *   return response;
 * });
 * ```
 */
export function upgradeWebSocket(req: Request, options: UpgradeOptions = {}): Upgrade {
  const offer = offers.get(req);
  return offer ? offer(options) : Deno.upgradeWebSocket(req, options);
}

/**
 * Offers the upgrade of a request a listener built: {@link upgradeWebSocket} of that request
 * calls `accept`.
 *
 * @example
 * ```ts ignore
 * offerUpgrade(req, (options) => ({ socket, response: upgradeAnswer() }));
 * ```
 */
export function offerUpgrade(req: Request, accept: (options: UpgradeOptions) => Upgrade): void {
  offers.set(req, accept);
}

const answers = new WeakSet<Response>();

/**
 * The answer a handler returns for an upgrade a listener offered: it says 101, as
 * `Deno.upgradeWebSocket`'s does (request logs and metrics read it), and the listener writes
 * the real handshake when it sees it.
 *
 * @example
 * ```ts
 * import { isUpgradeAnswer, upgradeAnswer } from "./ws_upgrade.ts";
 * const res = upgradeAnswer();
 * console.log(res.status, isUpgradeAnswer(res)); // 101 true
 * ```
 */
export function upgradeAnswer(): Response {
  // `Response` refuses to be made with 101.
  const res = new Response(null);
  Object.defineProperty(res, "status", { value: 101 });
  answers.add(res);
  return res;
}

/**
 * Whether `res` is an {@link upgradeAnswer}.
 *
 * @example
 * ```ts
 * import { isUpgradeAnswer } from "./ws_upgrade.ts";
 * console.log(isUpgradeAnswer(new Response("no"))); // false
 * ```
 */
export function isUpgradeAnswer(res: Response): boolean {
  return answers.has(res);
}
