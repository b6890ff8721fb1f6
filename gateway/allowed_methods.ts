import { PatternRouter } from "hono/router/pattern-router";

/** A route as hono lists it (`app.routes`); middleware has the method `ALL`. */
interface RouteEntry {
  method: string;
  path: string;
}

/**
 * The methods some route answers at a path, for `405 Method Not Allowed` and its `Allow` header
 * where hono would say 404. Built from the app's routes on first use, when all are registered.
 *
 * @example
 * ```ts
 * import { allowedMethods } from "./allowed_methods.ts";
 * const allowed = allowedMethods(() => [{ method: "GET", path: "/v1/:d/domains/:name" }]);
 * allowed("/v1/test/domains/web"); // ["GET"]
 * ```
 */
export function allowedMethods(routes: () => readonly RouteEntry[]): (path: string) => string[] {
  let router: PatternRouter<string> | undefined;
  return (path) => {
    if (!router) {
      router = new PatternRouter<string>();
      for (const r of routes()) if (r.method !== "ALL") router.add("ALL", r.path, r.method);
    }
    const methods = new Set(router.match("GET", path)[0].map(([method]) => method));
    if (methods.has("GET")) methods.add("HEAD");
    return [...methods];
  };
}
