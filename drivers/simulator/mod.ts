/**
 * libvirt 9.0's mock `test` driver: `test:///default` (the built-in node, shared by every open
 * connection of the process) and `test:///ABSOLUTE/PATH.xml` (a private node loaded from a
 * file). {@link testConnectDriver} is what a registry takes for the `test` URI scheme.
 *
 * @example
 * ```ts
 * import { testConnectDriver } from "./mod.ts";
 * import { connect } from "../../mod.ts";
 * import { createRegistry } from "../../util/registry.ts";
 * const conn = await connect("test:///default", { drivers: createRegistry([testConnectDriver]) });
 * console.log((await conn.listAllDomains()).length); // 1
 * await conn.close();
 * ```
 * @module
 */
import type { ConnectDriver } from "../../util/driver.ts";
import { openTestConnection } from "./connection.ts";

export { openTestConnection } from "./connection.ts";
export { DEFAULT_NODE_XML } from "./default_node.ts";
export { TestDriverState } from "./driver_state.ts";

/** The `test` connection driver (libvirt's `testConnectDriver`). */
export const testConnectDriver: ConnectDriver = {
  name: "test",
  schemes: ["test"],
  open: (url, options) => {
    try {
      return Promise.resolve(openTestConnection(url, options));
    } catch (e) {
      return Promise.reject(e);
    }
  },
};
