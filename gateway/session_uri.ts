import type { ConnectDriver } from "../util/driver.ts";
import { VirError } from "../util/errors.ts";
import type { DriverRegistry } from "../util/registry.ts";
import type { Principal } from "./acl.ts";

/**
 * Checks the URI a client asks its session to open, as libvirtd's `virConnectOpen` on the
 * daemon side: a local URI (`test:///default`, `test:///abs/path.xml`, `qemu:///session`) that
 * a driver of the gateway's registry takes. Remote URIs (`test+http://…`) and URIs with a host are refused, so
 * the gateway never connects onwards.
 *
 * The URIs the gateway serves are open to every authenticated caller. Any other URI needs a
 * full-role token without per-object rules: `test:///ABS/PATH.xml` reads a file on the gateway's
 * host. (libvirtd lets read-only clients open such URIs too; the gateway is stricter.) Without
 * a caller (the gateway's own REST connection) only the served URIs pass.
 *
 * @example
 * ```ts
 * import { testConnectDriver } from "../drivers/simulator/mod.ts";
 * import { createRegistry } from "../util/registry.ts";
 * import { checkSessionUri } from "./session_uri.ts";
 * import { ANONYMOUS_FULL } from "./acl.ts";
 * const registry = createRegistry([testConnectDriver]);
 * const { uri } = checkSessionUri("test:///default", ANONYMOUS_FULL, new Set(), registry);
 * console.log(uri.href); // "test:///default"
 * ```
 */
export function checkSessionUri(
  requested: unknown,
  who: Principal | undefined,
  served: ReadonlySet<string>,
  registry: DriverRegistry,
): { uri: URL; driver: ConnectDriver } {
  if (typeof requested !== "string" || !URL.canParse(requested)) {
    throw VirError.report("RPC", "INVALID_ARG", "open needs the URI to connect to, as a string");
  }
  const uri = new URL(requested);
  const scheme = uri.protocol.replace(/:$/, "");
  if (scheme.includes("+") || uri.host || uri.username || uri.password) {
    throw VirError.report("RPC", "NO_CONNECT", `the gateway opens local URIs only: ${requested}`);
  }
  const driver = registry.find(scheme);
  if (!driver) throw VirError.report("NONE", "NO_CONNECT", requested);
  if (!served.has(uri.href) && (who?.role !== "full" || who.rules)) {
    throw VirError.report(
      "ACCESS",
      "ACCESS_DENIED",
      `'virConnectOpen' of ${uri.href} needs a full-access token without object rules`,
    );
  }
  return { uri, driver };
}
