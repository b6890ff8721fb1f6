/**
 * The dirty page rate measurement of a fake QEMU 7.2 (`calc-dirty-rate`, `query-dirty-rate`),
 * with QEMU's replies for an idle TCG guest: unstarted until asked, measuring for `calc-time`
 * seconds (a second request meanwhile refused), then measured at 0 MiB/s.
 *
 * @module
 */
import type { FakeReply } from "./fake_qemu.ts";

/**
 * One QEMU's last dirty rate measurement.
 *
 * @example
 * ```ts
 * import { FakeDirtyRate } from "./fake_dirty_rate.ts";
 * const rate = new FakeDirtyRate();
 * rate.query(); // { return: { status: "unstarted", … } }
 * ```
 */
export class FakeDirtyRate {
  #state: Record<string, unknown> = {
    status: "unstarted",
    "sample-pages": 0,
    mode: "page-sampling",
    "start-time": 0,
    "calc-time": 0,
  };
  readonly #born = performance.now();

  /** `query-dirty-rate`: the rate only once measured. */
  query(): FakeReply {
    return { return: { ...this.#state } };
  }

  /**
   * `calc-dirty-rate`: measuring now, measured once `later` runs after `calc-time` seconds; one
   * measurement at a time.
   */
  calc(args: Record<string, unknown>, later: (ms: number, fn: () => void) => void): FakeReply {
    if (this.#state.status === "measuring") {
      return {
        error: { class: "GenericError", desc: "the dirty rate is already being measured." },
      };
    }
    const seconds = Number(args["calc-time"]);
    this.#state = {
      status: "measuring",
      "sample-pages": 512,
      mode: args.mode ?? "page-sampling",
      // QEMU's start time: seconds since the guest's clock began.
      "start-time": Math.floor((performance.now() - this.#born) / 1000),
      "calc-time": seconds,
    };
    const started = this.#state;
    later(seconds * 1000, () => {
      if (this.#state === started) {
        this.#state = { ...started, status: "measured", "dirty-rate": 0 };
      }
    });
    return { return: {} };
  }
}
