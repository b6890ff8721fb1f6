const UNITS: Record<string, number> = { s: 1e3, m: 60e3, h: 3600e3, d: 86400e3 };

/**
 * Parses `--expires`: a duration from `now` (`90s`, `30m`, `12h`, `7d`) or an ISO 8601 instant.
 * Returns the instant as ISO 8601; throws on anything else or on an instant already past.
 *
 * @example
 * ```ts
 * import { parseExpires } from "./expires.ts";
 * parseExpires("1d", new Date("2026-01-01T00:00:00Z")); // "2026-01-02T00:00:00.000Z"
 * ```
 */
export function parseExpires(spec: string, now: Date): string {
  const m = /^(\d+)([smhd])$/.exec(spec);
  const at = m ? now.getTime() + Number(m[1]) * UNITS[m[2]] : Date.parse(spec);
  if (Number.isNaN(at)) {
    throw new Error(`--expires wants a duration (30m, 12h, 7d) or an ISO 8601 time, got '${spec}'`);
  }
  if (at <= now.getTime()) throw new Error(`--expires '${spec}' is already past`);
  return new Date(at).toISOString();
}
