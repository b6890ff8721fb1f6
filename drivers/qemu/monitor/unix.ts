/**
 * QMP over a unix socket, as QEMU's `-qmp unix:PATH,server=on,wait=off` offers it.
 *
 * @module
 */
import { QmpClient, type QmpClientOptions } from "./qmp_client.ts";

/**
 * Connects to a QMP unix socket, retrying until QEMU has created it or `waitMs` passed.
 *
 * @example
 * ```ts
 * import { connectQmpUnix } from "./unix.ts";
 * const qmp = await connectQmpUnix("/run/user/1000/edgevirt/qemu/vm.monitor", { waitMs: 3000 });
 * ```
 */
export async function connectQmpUnix(
  path: string,
  options: QmpClientOptions & { waitMs?: number; isAlive?: () => boolean } = {},
): Promise<QmpClient> {
  const deadline = Date.now() + (options.waitMs ?? 0);
  let delay = 2;
  while (true) {
    try {
      const conn = await Deno.connect({ transport: "unix", path });
      return await QmpClient.open(conn, options);
    } catch (err) {
      const retriable = err instanceof Deno.errors.NotFound ||
        err instanceof Deno.errors.ConnectionRefused;
      if (!retriable || Date.now() >= deadline || options.isAlive?.() === false) throw err;
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 20);
    }
  }
}
