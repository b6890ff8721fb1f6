import { type Histogram, histogramLines, newHistogram, observe } from "../util/histogram.ts";
import type { DriverHistogramFamily } from "../util/driver.ts";

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
    observe(series.latency, seconds);
  }

  #seriesFor(route: string, method: string): Series {
    const labels = `route="${route}",method="${method}"`;
    let series = this.#series.get(labels);
    if (!series) {
      let latency = this.#latency.get(route);
      if (!latency) this.#latency.set(route, latency = newHistogram());
      this.#series.set(labels, series = { labels, codes: new Map(), latency });
    }
    return series;
  }

  /**
   * The text exposition: the request metrics, then each gauge (`name`, help, samples) and each
   * histogram family the drivers keep.
   */
  render(
    gauges: readonly { name: string; help: string; samples: GaugeSamples }[],
    histograms: readonly DriverHistogramFamily[] = [],
  ): string {
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
      out.push(...histogramLines("edgevirt_http_request_duration_seconds", `route="${route}"`, h));
    }
    for (const g of gauges) {
      out.push(`# HELP ${g.name} ${g.help}`, `# TYPE ${g.name} gauge`);
      for (const { labels, value } of g.samples) {
        const l = renderLabels(labels);
        out.push(`${g.name}${l ? `{${l}}` : ""} ${value}`);
      }
    }
    for (const family of histograms) {
      out.push(`# HELP ${family.name} ${family.help}`, `# TYPE ${family.name} histogram`);
      for (const { labels, histogram } of family.samples) {
        out.push(...histogramLines(family.name, renderLabels(labels), histogram));
      }
    }
    return out.join("\n") + "\n";
  }
}

function renderLabels(labels: Record<string, string>): string {
  return Object.entries(labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(",");
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}
