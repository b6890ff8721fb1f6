/**
 * Opening test driver connections (`testConnectOpen`): `test:///default` shares one state
 * among all its open connections and starts afresh once the last one closes; any other path
 * is a node file loaded into a private state. Also the fake authentication of node files with
 * an `<auth>` section.
 *
 * @module
 */
import type { ConnectOptions, DriverConnection } from "../../util/driver.ts";
import { VIR } from "../../util/constants.ts";
import { checkFlags, VirError } from "../../util/errors.ts";
import { parse } from "../../util/xml/mod.ts";
import { DEFAULT_NODE_XML } from "./default_node.ts";
import { TestDriverState } from "./driver_state.ts";
import { loadNode, readNodeFile } from "./node_loader.ts";
import { hostMethods } from "./host_api.ts";
import { domainLifecycleMethods } from "./domain_lifecycle_api.ts";
import { domainVcpuMethods } from "./domain_vcpu_api.ts";
import { domainMemoryMethods } from "./domain_memory_api.ts";
import { domainSaveMethods } from "./domain_save_api.ts";
import { networkMethods } from "./network_api.ts";
import { domainGuestMethods } from "./domain_guest_api.ts";
import { domainStatsMethods } from "./domain_stats_api.ts";
import { domainTuningMethods } from "./domain_tuning_api.ts";
import { domainIOThreadMethods } from "./domain_iothread_api.ts";
import { interfaceMethods } from "./interface_api.ts";
import { nodeDeviceMethods } from "./node_device_api.ts";
import { storagePoolMethods } from "./storage_pool_api.ts";
import { storageVolMethods } from "./storage_vol_api.ts";
import { securityMethods } from "./security_api.ts";
import { domainMetadataMethods } from "./domain_metadata_api.ts";
import { domainTuneParamsMethods } from "./domain_tune_params_api.ts";
import { domainDeviceParamsMethods } from "./domain_device_params_api.ts";
import { domainSnapshotMethods } from "./domain_snapshot_api.ts";
import { domainCheckpointMethods } from "./domain_checkpoint_api.ts";
import { domainScreenshotMethods } from "./domain_screenshot_api.ts";

let shared: { state: TestDriverState; refs: number } | undefined;

/** The default node: 2 NUMA cells of 8 CPUs, 2 GiB and 4 GiB (1 GiB and 2 GiB free). */
function openDefault(): TestDriverState {
  if (shared) {
    shared.refs++;
    return shared.state;
  }
  const state = new TestDriverState();
  state.cells = [0, 1].map((i) => ({
    numCpus: 8,
    mem: (i + 1) * 2048 * 1024,
    freeMem: (i + 1) * 1024 * 1024,
  }));
  loadNode(state, parse(DEFAULT_NODE_XML, { context: "(test driver)", errorDomain: "TEST" }), null);
  shared = { state, refs: 1 };
  return state;
}

function release(state: TestDriverState): void {
  if (shared?.state !== state) return;
  if (--shared.refs === 0) shared = undefined;
}

/** `testConnectAuthenticate`, with credentials from the connect options. */
function authenticate(state: TestDriverState, options: ConnectOptions): void {
  if (!state.auths.length) return;
  const { username, password } = options as { username?: string; password?: string };
  if (username === undefined) {
    throw VirError.report("AUTH", "INVALID_ARG", "Missing authentication credentials");
  }
  const user = state.auths.find((a) => a.username === username);
  if ((user === undefined || user.password !== undefined) && password === undefined) {
    throw VirError.report("AUTH", "INVALID_ARG", "Missing authentication credentials");
  }
  if (user === undefined || (password !== undefined && user.password !== password)) {
    throw VirError.report(
      "TEST",
      "AUTH_FAILED",
      "authentication failed, see test XML for the correct username/password",
    );
  }
}

/**
 * Opens a test driver connection for a `test:` URI.
 *
 * @example
 * ```ts
 * import { openTestConnection } from "./connection.ts";
 * const conn = openTestConnection(new URL("test:///default"), {});
 * await conn.connectClose();
 * ```
 */
export function openTestConnection(uri: URL, options: ConnectOptions): DriverConnection {
  checkFlags(options.readonly ? VIR.CONNECT_RO : 0, VIR.CONNECT_RO, "testConnectOpen", "TEST");
  const path = decodeURIComponent(uri.pathname);
  if (path === "" || path === "/") {
    throw VirError.report("TEST", "INVALID_ARG", "testOpen: supply a path or use test:///default");
  }
  let state: TestDriverState;
  if (path === "/default") {
    state = openDefault();
  } else {
    state = new TestDriverState();
    loadNode(state, readNodeFile(path), path);
  }
  try {
    authenticate(state, options);
  } catch (e) {
    release(state);
    throw e;
  }
  let closed = false;
  return {
    type: "TEST",
    subscribe: (listener) => state.events.on(listener),
    connectClose: () => {
      if (!closed) release(state);
      closed = true;
      return Promise.resolve();
    },
    connectGetURI: () => Promise.resolve(uri.href),
    ...hostMethods(state),
    ...domainLifecycleMethods(state),
    ...domainVcpuMethods(state),
    ...domainMemoryMethods(state),
    ...domainSaveMethods(state),
    ...domainGuestMethods(state),
    ...domainStatsMethods(state),
    ...domainTuningMethods(state),
    ...domainIOThreadMethods(state),
    ...networkMethods(state),
    ...interfaceMethods(state),
    ...storagePoolMethods(state),
    ...nodeDeviceMethods(state),
    ...storageVolMethods(state),
    ...securityMethods(state),
    ...domainMetadataMethods(state),
    ...domainTuneParamsMethods(state),
    ...domainDeviceParamsMethods(state),
    ...domainSnapshotMethods(state),
    ...domainCheckpointMethods(state),
    ...domainScreenshotMethods(),
  };
}
