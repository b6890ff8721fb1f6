/**
 * A wait between two queries of QEMU that an event cuts short: what libvirt's job condition
 * (`virDomainObjWait`, broadcast by its event handlers) gives its waits, with a timer beside it
 * for what no event announces.
 *
 * @module
 */
import type { QmpEvent } from "./qmp_client.ts";
import type { QemuMonitor } from "./qemu_monitor.ts";

/** A listener on one monitor's events, for naps they end. */
export interface EventNap {
  /**
   * Sleeps `ms`, less if an event `match` accepts arrives, or arrived since the last nap, or if
   * the monitor closes.
   */
  nap(ms: number): Promise<void>;
  /** Whether such an event arrived since the last nap. */
  readonly woken: boolean;
  /** Stops listening. */
  close(): void;
}

/**
 * Listens on `mon` for the events `match` accepts, from now on (set it up before the command
 * whose end the events tell, so none goes unseen).
 *
 * @example
 * ```ts
 * import { eventNap } from "./event_nap.ts";
 * declare const monitor: import("./qemu_monitor.ts").QemuMonitor;
 * const waker = eventNap(monitor, (ev) => ev.event === "MIGRATION");
 * try {
 *   await waker.nap(1000);
 * } finally {
 *   waker.close();
 * }
 * ```
 */
export function eventNap(mon: QemuMonitor, match: (ev: QmpEvent) => boolean): EventNap {
  let woken = false;
  let wake = () => {};
  const off = mon.onEvent((ev) => {
    if (!match(ev)) return;
    woken = true;
    wake();
  });
  return {
    get woken() {
      return woken;
    },
    nap: (ms) =>
      new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          wake = () => {};
          woken = false;
          resolve();
        };
        const timer = setTimeout(done, ms);
        if (woken) return done();
        wake = done;
        mon.closed.then(done, done);
      }),
    close: off,
  };
}
