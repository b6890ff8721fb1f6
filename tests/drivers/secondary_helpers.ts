/**
 * What the storage and secret driver tests share: a temporary embed root removed afterwards,
 * a secondary driver opened on it, and libvirt error assertions.
 *
 * @module
 */
import assert from "node:assert/strict";
import type { SecondaryConnection, SecondaryDriver } from "../../util/contract/compose.ts";
import { VirError } from "../../util/errors.ts";
import type { ConnectDriver } from "../../util/driver.ts";
import { createRegistry } from "../../util/registry.ts";
import { createGateway, type Gateway } from "../../gateway/app.ts";

/**
 * The VirError `p` rejects with (anything else fails the test).
 *
 * @example
 * ```ts
 * import { failure } from "./secondary_helpers.ts";
 * import { VirError } from "../../util/errors.ts";
 * await failure(Promise.reject(VirError.report("STORAGE", "NO_STORAGE_POOL")));
 * ```
 */
export async function failure(p: Promise<unknown>): Promise<VirError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof VirError, String(e));
    return e;
  }
  throw new Error("expected a VirError");
}

/**
 * An assertion that a promise rejects with libvirt's error of `domain`: code and message.
 *
 * @example
 * ```ts
 * import { errorsOf } from "./secondary_helpers.ts";
 * import { VirError } from "../../util/errors.ts";
 * import { VIR } from "../../util/constants.ts";
 * const rejectsWith = errorsOf(VIR.FROM_STORAGE);
 * await rejectsWith(
 *   Promise.reject(VirError.report("STORAGE", "NO_STORAGE_POOL")),
 *   VIR.ERR_NO_STORAGE_POOL,
 *   "Storage pool not found",
 * );
 * ```
 */
export function errorsOf(
  domain: number,
): (p: Promise<unknown>, code: number, message: string) => Promise<void> {
  return async (p, code, message) => {
    const e = await failure(p);
    assert.deepEqual([e.code, e.domain, e.message], [code, domain, message]);
  };
}

/**
 * Runs `body` with a fresh temporary directory (an embed root), removed afterwards.
 *
 * @example
 * ```ts
 * import { withRoot } from "./secondary_helpers.ts";
 * await withRoot(async (root) => console.log(root));
 * ```
 */
export async function withRoot(body: (root: string) => Promise<void>): Promise<void> {
  const root = await Deno.makeTempDir();
  try {
    await body(root);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

/**
 * Runs `body` with `driver` opened on a fresh `qemu:///embed?root=TMP`, closed afterwards.
 *
 * @example
 * ```ts
 * import { withSecondary } from "./secondary_helpers.ts";
 * import { secretDriver } from "../../drivers/secret/mod.ts";
 * await withSecondary(secretDriver, async (conn) => console.log(await conn.connectNumOfSecrets?.()));
 * ```
 */
export async function withSecondary(
  driver: SecondaryDriver,
  body: (conn: SecondaryConnection, root: string) => Promise<void>,
): Promise<void> {
  await withRoot(async (root) => {
    const conn = await driver.open(new URL(`qemu:///embed?root=${root}`), {});
    try {
      await body(conn, root);
    } finally {
      await conn.connectClose();
    }
  });
}

/** A hypervisor that serves nothing itself and shares the host's secondary drivers, as QEMU's. */
const HOLLOW_HYPERVISOR: ConnectDriver = {
  name: "hv",
  schemes: ["hv"],
  sharesSecondaries: true,
  open: () => Promise.resolve({ type: "HV", connectClose: () => Promise.resolve() }),
};

/**
 * Runs `body` with a gateway (`--auth none`) serving `hv:///embed?root=TMP`: a hollow
 * hypervisor with `secondaries` beside it. `call` posts a raw call and gives the JSON answer.
 *
 * @example
 * ```ts ignore
 * await withSecondaryGateway([secretDriver], async (call) => await call("connectNumOfSecrets"));
 * ```
 */
export async function withSecondaryGateway(
  secondaries: SecondaryDriver[],
  body: (
    // The answer's JSON as `Response.json()` gives it.
    call: (method: string, ...args: unknown[]) => ReturnType<Response["json"]>,
    gw: Gateway,
    root: string,
  ) => Promise<void>,
): Promise<void> {
  await withRoot(async (root) => {
    const gw = await createGateway({
      drivers: [`hv:///embed?root=${root}`],
      registry: createRegistry([HOLLOW_HYPERVISOR], secondaries),
      auth: "none",
    });
    const call = async (method: string, ...args: unknown[]) => {
      const res = await gw.app.request(`/v1/hv/embed/call/${method}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(args),
      });
      return await res.json();
    };
    try {
      await body(call, gw, root);
    } finally {
      await gw.close();
    }
  });
}

/**
 * {@link withSecondaryGateway} on a real loopback port: `body` gets its `host:port`, the
 * gateway's own fetch (for in-process requests) and the embed root.
 *
 * @example
 * ```ts ignore
 * await withServedSecondaries([storageDriver], async (host) => console.log(host));
 * ```
 */
export async function withServedSecondaries(
  secondaries: SecondaryDriver[],
  body: (host: string, gwFetch: (r: Request) => Promise<Response>, root: string) => Promise<void>,
): Promise<void> {
  await withSecondaryGateway(secondaries, async (_call, gw, root) => {
    const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, gw.fetch);
    try {
      await body(`127.0.0.1:${server.addr.port}`, gw.fetch, root);
    } finally {
      await server.shutdown();
    }
  });
}
