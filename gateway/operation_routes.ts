import type { Env, Hono } from "hono";
import { VirError } from "../util/errors.ts";
import { type AuthConfig, authenticate } from "./auth.ts";
import { jsonResponse } from "./http_status.ts";
import type { OperationSpec, OperationTable } from "./operations.ts";

/** The longest `?wait=` a request may hold its answer for, in seconds. */
const MAX_WAIT_S = 600;

/**
 * `GET /v1/operations` (the caller's), `GET /v1/operations/{id}[?wait=SECONDS]` and
 * `DELETE /v1/operations/{id}` (cancel). Each caller sees only the operations it started.
 *
 * @example
 * ```ts ignore
 * operationRoutes(app, { operations, auth });
 * ```
 */
export function operationRoutes<E extends Env>(
  app: Hono<E>,
  o: { operations: OperationTable; auth: AuthConfig },
): void {
  const ops = o.operations;
  const owner = async (req: Request) => (await authenticate(o.auth, req.headers)).name;
  const missing = (id: string) =>
    jsonResponse(VirError.report("RPC", "RPC", `no such operation: ${id}`), 404);
  app.get(
    "/v1/operations",
    async (c) => jsonResponse(ops.list(await owner(c.req.raw)).map((id) => `/v1/operations/${id}`)),
  );
  app.get("/v1/operations/:id", async (c) => {
    const [who, id] = [await owner(c.req.raw), c.req.param("id")];
    if (!ops.owns(id, who)) return missing(id);
    const wait = c.req.query("wait");
    if (wait !== undefined) {
      const seconds = Number(wait);
      if (!/^\d+(\.\d+)?$/.test(wait) || seconds > MAX_WAIT_S) {
        throw VirError.report(
          "RPC",
          "INVALID_ARG",
          `wait must be a number of seconds up to ${MAX_WAIT_S}, got '${wait}'`,
        );
      }
      await ops.wait(id, seconds, who);
    }
    return jsonResponse(await ops.get(id, who));
  });
  app.delete("/v1/operations/:id", async (c) => {
    const [who, id] = [await owner(c.req.raw), c.req.param("id")];
    if (!ops.owns(id, who)) return missing(id);
    return jsonResponse(await ops.cancel(id, who));
  });
}

/**
 * Whether an action answers with an operation: a long one (`Resource.long`) on a driver whose
 * work takes real time (QEMU), or whenever the caller asks with `Prefer: respond-async`
 * (RFC 7240).
 */
export function answersAsync(long: boolean, driverType: string, req: Request): boolean {
  if (!long) return false;
  return driverType === "QEMU" || /\brespond-async\b/.test(req.headers.get("prefer") ?? "");
}

/** The `202 Accepted` answer of a started operation. */
export function accepted(ops: OperationTable, spec: OperationSpec): Response {
  const op = ops.start(spec);
  const res = jsonResponse(op, 202);
  res.headers.set("location", `/v1/operations/${op.id}`);
  return res;
}
