/**
 * Test doubles for the QEMU driver: a fake QEMU speaking QMP (reused by the gateway's tests) and
 * a recording cgroup.
 *
 * @example
 * ```ts
 * import { FakeQemu } from "./mod.ts";
 * const qemu = new FakeQemu({ sockets: 4, bootCpus: 1, unplug: "hold" });
 * ```
 * @module
 */
export * from "./fake_qemu.ts";
export * from "./fake_launcher.ts";
export * from "./recording_cgroup.ts";
export * from "./fake_network.ts";
export * from "./fake_taps.ts";
export * from "./fake_nics.ts";
export * from "./fake_unplug.ts";
export * from "./fake_memory.ts";
