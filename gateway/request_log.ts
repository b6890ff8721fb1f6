import type { CallRequest } from "./call_request.ts";

/** `--log-level`: which request log lines are written; `off` (the default) writes none. */
export type LogLevel = "off" | "error" | "warn" | "info";

/** The levels in order, for `--log-level`'s check. */
export const LOG_LEVELS: readonly LogLevel[] = ["off", "error", "warn", "info"];

const RANK: Record<LogLevel, number> = { off: 0, error: 1, warn: 2, info: 3 };
const CLIENT_ID = /^[\w.:-]{1,64}$/;

/** One answered request, as {@link requestLogger} writes it. */
export interface RequestLine {
  id: string;
  method: string;
  route: string;
  path: string;
  status: number;
  ms: number;
}

/**
 * Structured request logs: one JSON line per answered request, at `info` (`warn` for 4xx,
 * `error` for 5xx), with a request id — the caller's `x-request-id` when it sends a sane one,
 * else a fresh UUID — which the answer carries back in `x-request-id`. Returns `undefined` at
 * `off`, so that nothing is paid for it then.
 *
 * @example
 * ```ts
 * import { requestLogger } from "./request_log.ts";
 * const lines: string[] = [];
 * const log = requestLogger("info", (l) => lines.push(l))!;
 * log.write(log.id(new Request("http://x/")), { method: "GET", route: "/", path: "/", status: 200, ms: 1 });
 * JSON.parse(lines[0]).level; // "info"
 * ```
 */
export function requestLogger(
  level: LogLevel,
  write: (line: string) => void,
):
  | { id(req: CallRequest): string; write(id: string, line: Omit<RequestLine, "id">): void }
  | undefined {
  if (level === "off") return undefined;
  const max = RANK[level];
  return {
    id(req) {
      const sent = req.headers.get("x-request-id");
      return sent && CLIENT_ID.test(sent) ? sent : crypto.randomUUID();
    },
    write(id, line) {
      const lineLevel: LogLevel = line.status >= 500
        ? "error"
        : line.status >= 400
        ? "warn"
        : "info";
      if (RANK[lineLevel] > max) return;
      write(
        JSON.stringify({
          time: new Date().toISOString(),
          level: lineLevel,
          msg: "request",
          id,
          ...line,
        }),
      );
    },
  };
}
