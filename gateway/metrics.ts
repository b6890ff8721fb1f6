/** Upper bounds (seconds) of the latency histogram's buckets. */
const BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

interface Histogram {
  counts: number[];
  sum: number;
  count: number;
}

/** A gauge's samples at scrape time: label values → value. */
export type GaugeSamples = readonly { labels: Record<string, string>; value: number }[];

/**
 * The gateway's request counters and latency histograms, by route, rendered in Prometheus'
 * text format. Recording is two map lookups and a few additions, as every call passes here.
 *
 * @example
 * ```ts
 * import { Metrics } from "./metrics.ts";
 * const m = new Metrics();
 * m.observe("/healthz", "GET", 200, 0.0003);
 * m.render([]).includes('edgevirt_http_requests_total{route="/healthz",method="GET",code="200"} 1');
 * ```
 */
export class Metrics {
  #requests = new Map<string, number>();
  #latency = new Map<string, Histogram>();

  /** Records one answered request. */
  observe(route: string, method: string, status: number, seconds: number): void {
    const key = `route="${route}",method="${method}",code="${status}"`;
    this.#requests.set(key, (this.#requests.get(key) ?? 0) + 1);
    let h = this.#latency.get(route);
    if (!h) this.#latency.set(route, h = { counts: BUCKETS.map(() => 0), sum: 0, count: 0 });
    const i = BUCKETS.findIndex((b) => seconds <= b);
    if (i >= 0) h.counts[i]++;
    h.sum += seconds;
    h.count++;
  }

  /** The text exposition: the request metrics, then each gauge (`name`, help, samples). */
  render(gauges: readonly { name: string; help: string; samples: GaugeSamples }[]): string {
    const out = [
      "# HELP edgevirt_http_requests_total HTTP requests answered, by route, method and status.",
      "# TYPE edgevirt_http_requests_total counter",
    ];
    for (const [key, n] of this.#requests) out.push(`edgevirt_http_requests_total{${key}} ${n}`);
    out.push(
      "# HELP edgevirt_http_request_duration_seconds Time to answer (to the response head).",
      "# TYPE edgevirt_http_request_duration_seconds histogram",
    );
    for (const [route, h] of this.#latency) {
      let cumulative = 0;
      const name = "edgevirt_http_request_duration_seconds";
      BUCKETS.forEach((b, i) => {
        cumulative += h.counts[i];
        out.push(`${name}_bucket{route="${route}",le="${b}"} ${cumulative}`);
      });
      out.push(`${name}_bucket{route="${route}",le="+Inf"} ${h.count}`);
      out.push(`${name}_sum{route="${route}"} ${h.sum}`);
      out.push(`${name}_count{route="${route}"} ${h.count}`);
    }
    for (const g of gauges) {
      out.push(`# HELP ${g.name} ${g.help}`, `# TYPE ${g.name} gauge`);
      for (const { labels, value } of g.samples) {
        const l = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(",");
        out.push(`${g.name}${l ? `{${l}}` : ""} ${value}`);
      }
    }
    return out.join("\n") + "\n";
  }
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}
