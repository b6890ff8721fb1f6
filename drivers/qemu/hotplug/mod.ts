/**
 * Live vCPU hot(un)plug over a monitor interface, as libvirt's QEMU driver does it after
 * commit 465f1b9d ("Don't report spurious errors from vCPU tid validation on hotunplug
 * timeout"): only the changed vCPUs are validated, their cgroups are set up before an error
 * is reported, and an alias outlives QEMU's report so a late DEVICE_DELETED finds its vCPU.
 *
 * @example
 * ```ts
 * import { planVcpuCount, setVcpusLive, VcpuController } from "./mod.ts";
 * import type { VcpuControllerOptions } from "./mod.ts";
 * declare const options: VcpuControllerOptions;
 * const ctl = new VcpuController(options);
 * const { entities, enable } = planVcpuCount(ctl.ctx.vm, 4);
 * await setVcpusLive(ctl.ctx, entities, enable);
 * ```
 * @module
 */
export * from "./types.ts";
export * from "./vcpu_model.ts";
export * from "./cpu_info.ts";
export * from "./refresh.ts";
export * from "./validate.ts";
export * from "./order.ts";
export * from "./add.ts";
export * from "./remove.ts";
export * from "./select.ts";
export * from "./set_vcpus.ts";
export * from "./vcpu_change.ts";
export * from "./config.ts";
export * from "./startup.ts";
export * from "./device_removal.ts";
export * from "./delete_device.ts";
export * from "./cgroup.ts";
export * from "./controller.ts";
