/**
 * libvirt 9.0's mock `test` driver: `test:///default` (the built-in node, shared by every open
 * connection of the process) and `test:///ABSOLUTE/PATH.xml` (a private node loaded from a
 * file). Registers itself for the `test` URI scheme.
 *
 * @example
 * ```ts
 * import "./mod.ts";
 * import { connect } from "../../mod.ts";
 * const conn = await connect("test:///default");
 * console.log((await conn.listAllDomains()).length); // 1
 * await conn.close();
 * ```
 * @module
 */
import { registerDriver } from "../../util/registry.ts";
import { openTestConnection } from "./connection.ts";

export { openTestConnection } from "./connection.ts";
export { DEFAULT_NODE_XML } from "./default_node.ts";
export { TestDriverState } from "./driver_state.ts";

registerDriver({
  name: "test",
  schemes: ["test"],
  open: (url, options) => {
    try {
      return Promise.resolve(openTestConnection(url, options));
    } catch (e) {
      return Promise.reject(e);
    }
  },
});
