/**
 * The QEMU monitor: a QMP client over a unix socket or any duplex byte stream, and the typed
 * commands the driver uses.
 *
 * @example
 * ```ts
 * import { QemuMonitor, QmpClient, streamPair } from "./mod.ts";
 * const { client } = streamPair();
 * const mon = new QemuMonitor(await QmpClient.open(client));
 * ```
 * @module
 */
export * from "./byte_stream.ts";
export * from "./errors.ts";
export * from "./qmp_client.ts";
export * from "./qmp_types.ts";
export * from "./qemu_monitor.ts";
export * from "./unix.ts";
