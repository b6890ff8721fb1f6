import { type Histogram, newHistogram, observe } from "../../../util/histogram.ts";
import type { DriverHistogramFamily } from "../../../util/driver.ts";

/**
 * How long the QEMU monitors of one driver state take to answer, per QMP command: what a slow
 * or stuck QEMU shows first, kept for the gateway's `/metrics`.
 *
 * @example
 * ```ts
 * import { CommandLatency } from "./command_latency.ts";
 * const latency = new CommandLatency();
 * latency.observe("query-status", 0.0004);
 * latency.family().samples[0].labels; // { command: "query-status" }
 * ```
 */
export class CommandLatency {
  #byCommand = new Map<string, Histogram>();

  /** Records one command's round trip (bound: hand it to a monitor as is). */
  readonly observe = (command: string, seconds: number): void => {
    let h = this.#byCommand.get(command);
    if (!h) this.#byCommand.set(command, h = newHistogram());
    observe(h, seconds);
  };

  /** The histograms as a metric family. */
  family(): DriverHistogramFamily {
    return {
      name: "edgevirt_qemu_monitor_command_seconds",
      help: "QEMU monitor (QMP) round trips, by command.",
      samples: [...this.#byCommand].map(([command, histogram]) => ({
        labels: { command },
        histogram,
      })),
    };
  }
}
