import { Deadlines } from "../util/deadlines.ts";
import { VirError } from "../util/errors.ts";

/** Resource limits of a gateway. */
export interface Limits {
  /** Largest request body accepted, in bytes (default 4 MiB). */
  maxBodyBytes: number;
  /** How long one driver call may take before the client gets a timeout (default 30 s). */
  callTimeoutMs: number;
  /** Driver calls running at once (default 64). */
  maxConcurrent: number;
  /** Calls allowed to wait for a slot; beyond that the gateway answers 503 (default 1024). */
  maxQueued: number;
  /** Authenticated RPC WebSockets open at once (default 1024). */
  maxSockets: number;
  /**
   * RPC WebSockets still without an accepted token at once (default 64): they count apart, so
   * that anonymous sockets cannot lock authenticated clients out.
   */
  maxUnauthenticatedSockets: number;
  /** How long a WebSocket may take to present an accepted token before it is closed (5 s). */
  authTimeoutMs: number;
  /** Event-stream subscribers at once (default 256). */
  maxStreams: number;
  /** Events kept for `Last-Event-ID` resume, per session (default 1024). */
  eventBuffer: number;
  /**
   * Sessions open at once (default 512): each owns a driver connection, as each libvirtd client
   * does, so this bounds the driver connections remote clients can hold.
   */
  maxSessions: number;
  /**
   * Sessions one token may hold at once (default 64), so that one client cannot take every
   * session from the others, as libvirtd's per-client limits; `--auth none` callers share one.
   */
  maxSessionsPerToken: number;
  /**
   * How long an HTTP session (and the gateway's own REST connection) may stay unused before it
   * is closed (default 60 s); an open event stream counts as use. WebSocket sessions end with
   * their socket instead.
   */
  sessionIdleMs: number;
}

/** The defaults of {@link Limits}. */
export const DEFAULT_LIMITS: Limits = {
  maxBodyBytes: 4 * 1024 * 1024,
  callTimeoutMs: 30_000,
  maxConcurrent: 64,
  maxQueued: 1024,
  maxSockets: 1024,
  maxUnauthenticatedSockets: 64,
  authTimeoutMs: 5_000,
  maxStreams: 256,
  eventBuffer: 1024,
  maxSessions: 512,
  maxSessionsPerToken: 64,
  sessionIdleMs: 60_000,
};

/**
 * Bounded concurrency with a bounded wait queue, and a per-call deadline. A call that times out
 * is reported to the client; the driver call itself cannot be cancelled and keeps its slot
 * until it settles, so a stuck driver cannot be flooded with more work.
 *
 * @example
 * ```ts
 * import { CallGate } from "./limits.ts";
 * const gate = new CallGate(2, 10, 1000);
 * await gate.run(() => Promise.resolve(42)); // 42
 * ```
 */
export class CallGate {
  #active = 0;
  #waiting: (() => void)[] = [];
  #max: number;
  #maxQueued: number;
  #timeoutMs: number;
  #deadlines: Deadlines;

  constructor(maxConcurrent: number, maxQueued: number, timeoutMs: number) {
    this.#max = maxConcurrent;
    this.#maxQueued = maxQueued;
    this.#timeoutMs = timeoutMs;
    this.#deadlines = new Deadlines(timeoutMs);
  }

  /**
   * Driver calls under way, queued ones not counted: a call whose caller went away (its socket
   * closed, its deadline passed) counts until the driver ends it.
   */
  get active(): number {
    return this.#active;
  }

  /** Runs `fn` when a slot is free, failing with a timeout after the deadline. */
  run<T>(fn: () => Promise<T>): Promise<T> {
    // No async function and no timer of its own: this wraps every driver call the gateway makes.
    if (this.#active < this.#max) return this.#start(fn);
    if (this.#waiting.length >= this.#maxQueued) {
      return Promise.reject(
        VirError.report("RPC", "RESOURCE_BUSY", "too many requests in flight, retry later"),
      );
    }
    return new Promise<void>((resolve) => this.#waiting.push(resolve)).then(() => this.#start(fn));
  }

  #start<T>(fn: () => Promise<T>): Promise<T> {
    this.#active++;
    let call: Promise<T>;
    try {
      call = Promise.resolve(fn());
    } catch (e) {
      call = Promise.reject(e);
    }
    return new Promise<T>((resolve, reject) => {
      const deadline = this.#deadlines.add(() =>
        reject(
          VirError.report("RPC", "OPERATION_TIMEOUT", `no result within ${this.#timeoutMs} ms`),
        )
      );
      const done = () => {
        this.#deadlines.cancel(deadline);
        this.#active--;
        this.#waiting.shift()?.();
      };
      call.then((value) => {
        done();
        resolve(value);
      }, (e) => {
        done();
        reject(e);
      });
    });
  }
}
