/** Upper bounds (seconds) of the latency histogram's buckets. */
const BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

interface Histogram {
  counts: number[];
  sum: number;
  count: number;
}

/** The series one route and HTTP method write to: answers by status, the route's latency. */
interface Series {
  labels: string;
  codes: Map<number, number>;
  latency: Histogram;
}

const PATH_CACHE = 4096;

/** A gauge's samples at scrape time: label values → value. */
export type GaugeSamples = readonly { labels: Record<string, string>; value: number }[];

/**
 * The gateway's request counters and latency histograms, by route (`route` maps a request path
 * to its route), rendered in Prometheus' text format. Recording is two map lookups and a few
 * additions, as every call passes here.
 *
 * @example
 * ```ts
 * import { Metrics } from "./metrics.ts";
 * const m = new Metrics((path) => path);
 * m.observe("GET", "/healthz", 200, 0.0003);
 * m.render([]).includes('edgevirt_http_requests_total{route="/healthz",method="GET",code="200"} 1');
 * ```
 */
export class Metrics {
  #series = new Map<string, Series>();
  #latency = new Map<string, Histogram>();
  // Method and path → series: the route is worked out once per distinct path, not per request.
  #byPath = new Map<string, Series>();

  constructor(private readonly route: (path: string) => string) {}

  /** Records one answered request. */
  observe(method: string, path: string, status: number, seconds: number): void {
    const key = method + " " + path;
    let series = this.#byPath.get(key);
    if (!series) {
      series = this.#seriesFor(this.route(path), method);
      if (this.#byPath.size >= PATH_CACHE) this.#byPath.clear();
      this.#byPath.set(key, series);
    }
    series.codes.set(status, (series.codes.get(status) ?? 0) + 1);
    const h = series.latency;
    let i = 0;
    while (i < BUCKETS.length && seconds > BUCKETS[i]) i++;
    if (i < BUCKETS.length) h.counts[i]++;
    h.sum += seconds;
    h.count++;
  }

  #seriesFor(route: string, method: string): Series {
    const labels = `route="${route}",method="${method}"`;
    let series = this.#series.get(labels);
    if (!series) {
      let latency = this.#latency.get(route);
      if (!latency) {
        this.#latency.set(route, latency = { counts: BUCKETS.map(() => 0), sum: 0, count: 0 });
      }
      this.#series.set(labels, series = { labels, codes: new Map(), latency });
    }
    return series;
  }

  /** The text exposition: the request metrics, then each gauge (`name`, help, samples). */
  render(gauges: readonly { name: string; help: string; samples: GaugeSamples }[]): string {
    const out = [
      "# HELP edgevirt_http_requests_total HTTP requests answered, by route, method and status.",
      "# TYPE edgevirt_http_requests_total counter",
    ];
    for (const { labels, codes } of this.#series.values()) {
      for (const [code, n] of codes) {
        out.push(`edgevirt_http_requests_total{${labels},code="${code}"} ${n}`);
      }
    }
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
