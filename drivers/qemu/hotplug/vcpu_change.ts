/**
 * A vCPU count or selection change on the live domain and its persistent definition together
 * (`qemuDomainSetVcpusInternal`, `qemuDomainSetVcpuInternal`): every check of both sides runs
 * before anything changes, then the live side, then the configuration.
 *
 * @module
 */
import { VirError } from "../../../util/errors.ts";
import { setVcpuConfig, setVcpusConfig, validateVcpuConfig, type VcpuConfig } from "./config.ts";
import { checkVcpuCount, planVcpuCount, planVcpuSelection, setVcpusLive } from "./set_vcpus.ts";
import type { HotplugContext } from "./types.ts";

/** How a live unplug ends; see {@link setVcpusLive}. */
export interface VcpuChangeOptions {
  /**
   * Wait for QEMU's DEVICE_DELETED (libvirt 9.0, the default). Without waiting the call
   * returns once QEMU accepted `device_del`, and the removal completes when the event arrives,
   * as newer libvirt's asynchronous unplug does.
   */
  wait?: boolean;
}

/**
 * Sets the number of enabled vCPUs live (`live`) and/or in the configuration (`config`).
 * New configuration vCPUs are hotpluggable when `hotpluggable` is set.
 *
 * @example
 * ```ts
 * import { setVcpusInternal } from "./vcpu_change.ts";
 * import type { HotplugContext } from "./types.ts";
 * import type { VcpuConfig } from "./config.ts";
 * declare const ctx: HotplugContext, cfg: VcpuConfig;
 * await setVcpusInternal(ctx, cfg, 7, true);
 * ```
 */
export async function setVcpusInternal(
  live: HotplugContext | undefined,
  config: VcpuConfig | undefined,
  nvcpus: number,
  hotpluggable: boolean,
  options: VcpuChangeOptions = {},
): Promise<void> {
  // libvirt checks both maxima before it looks for the entities to change.
  if (live) checkVcpuCount(live.vm.vcpus.length, nvcpus, "live");
  if (config) checkVcpuCount(config.vcpus.length, nvcpus, "persistent");
  const plan = live ? planVcpuCount(live.vm, nvcpus) : undefined;
  if (live && plan) await setVcpusLive(live, plan.entities, plan.enable, options.wait ?? true);
  if (config) setVcpusConfig(config, nvcpus, hotpluggable);
}

/**
 * Enables or disables the vCPUs of `map` live and/or in the configuration.
 *
 * @example
 * ```ts
 * import { setVcpuInternal } from "./vcpu_change.ts";
 * import type { HotplugContext } from "./types.ts";
 * declare const ctx: HotplugContext;
 * await setVcpuInternal(ctx, undefined, [7], true);
 * ```
 */
export async function setVcpuInternal(
  live: HotplugContext | undefined,
  config: VcpuConfig | undefined,
  map: number[],
  state: boolean,
  options: VcpuChangeOptions = {},
): Promise<void> {
  const last = Math.max(...map);
  if (config && last >= config.vcpus.length) {
    throw VirError.report(
      "QEMU",
      "INVALID_ARG",
      `vcpu ${last} is not present in persistent config`,
    );
  }
  if (live && last >= live.vm.vcpus.length) {
    throw VirError.report("QEMU", "INVALID_ARG", `vcpu ${last} is not present in live config`);
  }
  const entities = live ? planVcpuSelection(live.vm, map, state) : undefined;
  if (config) validateVcpuConfig(config, map);
  if (live && entities) await setVcpusLive(live, entities, state, options.wait ?? true);
  if (config) setVcpuConfig(config, map, state);
}
