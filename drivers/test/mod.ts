/**
 * libvirt's mock `test` driver (placeholder until the driver lands).
 * @module
 */
import { registerDriver } from "../../util/registry.ts";
import { VirError } from "../../util/errors.ts";

registerDriver({
  name: "test",
  schemes: ["test"],
  open: (url) => Promise.reject(VirError.report("NONE", "NO_CONNECT", url.href)),
});
