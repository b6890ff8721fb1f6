/**
 * Latency histograms in Prometheus' shape (cumulative buckets at render time), shared by the
 * gateway's request metrics and the drivers' own (the QEMU monitor's command latency).
 *
 * @module
 */

/** Upper bounds (seconds) of the buckets. */
export const LATENCY_BUCKETS: readonly number[] = [
  0.0005,
  0.001,
  0.0025,
  0.005,
  0.01,
  0.025,
  0.05,
  0.1,
  0.25,
  0.5,
  1,
  2.5,
  5,
  10,
];

/** One histogram: counts per bucket (not cumulative), sum and count. */
export interface Histogram {
  /** Observations per bucket of {@link LATENCY_BUCKETS}, each counted once. */
  counts: number[];
  /** The sum of the observed durations, in seconds. */
  sum: number;
  /** How many were observed (beyond the last bucket too). */
  count: number;
}

/**
 * An empty histogram.
 *
 * @example
 * ```ts
 * import { newHistogram } from "./histogram.ts";
 * newHistogram().count; // 0
 * ```
 */
export function newHistogram(): Histogram {
  return { counts: LATENCY_BUCKETS.map(() => 0), sum: 0, count: 0 };
}

/**
 * Records one duration.
 *
 * @example
 * ```ts
 * import { newHistogram, observe } from "./histogram.ts";
 * const h = newHistogram();
 * observe(h, 0.002);
 * h.counts[2]; // 1
 * ```
 */
export function observe(h: Histogram, seconds: number): void {
  let i = 0;
  while (i < LATENCY_BUCKETS.length && seconds > LATENCY_BUCKETS[i]) i++;
  if (i < LATENCY_BUCKETS.length) h.counts[i]++;
  h.sum += seconds;
  h.count++;
}

/**
 * A histogram's lines in the text exposition format, under `name` with `labels` (already
 * rendered, `a="b",c="d"`).
 *
 * @example
 * ```ts
 * import { histogramLines, newHistogram } from "./histogram.ts";
 * histogramLines("x_seconds", 'route="/"', newHistogram()).at(-1); // 'x_seconds_count{route="/"} 0'
 * ```
 */
export function histogramLines(name: string, labels: string, h: Histogram): string[] {
  const out: string[] = [];
  let cumulative = 0;
  const sep = labels ? "," : "";
  LATENCY_BUCKETS.forEach((b, i) => {
    cumulative += h.counts[i];
    out.push(`${name}_bucket{${labels}${sep}le="${b}"} ${cumulative}`);
  });
  out.push(`${name}_bucket{${labels}${sep}le="+Inf"} ${h.count}`);
  const braces = labels ? `{${labels}}` : "";
  out.push(`${name}_sum${braces} ${h.sum}`, `${name}_count${braces} ${h.count}`);
  return out;
}
