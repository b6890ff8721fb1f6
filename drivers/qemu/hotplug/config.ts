/**
 * vCPU changes of the persistent definition (`qemuDomainSetVcpusConfig`,
 * `qemuDomainSetVcpuConfig`, `qemuDomainVcpuValidateConfig`, `virDomainDefSetVcpusMax`).
 * They work on the vCPU list of a definition ({@link vcpusFromDef}).
 *
 * @module
 */
import { VirError } from "../../../util/errors.ts";
import type { VcpuState } from "./types.ts";
import { emptyPrivate } from "./vcpu_model.ts";

/** A definition's vCPU list and whether it formats `<vcpus>`. */
export interface VcpuConfig {
  vcpus: VcpuState[];
  individual: boolean;
}

function clearOrder(cfg: VcpuConfig): void {
  for (const v of cfg.vcpus) v.order = 0;
}

/**
 * Sets the number of enabled vCPUs: enables the lowest offline ones (marked hotpluggable
 * when `hotpluggable`) or disables the highest online ones. Orders are cleared.
 *
 * @example
 * ```ts
 * import { setVcpusConfig } from "./config.ts";
 * import type { VcpuConfig } from "./config.ts";
 * declare const cfg: VcpuConfig;
 * setVcpusConfig(cfg, 3, false);
 * ```
 */
export function setVcpusConfig(cfg: VcpuConfig, nvcpus: number, hotpluggable: boolean): void {
  clearOrder(cfg);
  let cur = cfg.vcpus.filter((v) => v.online).length;
  if (cur < nvcpus) {
    for (const v of cfg.vcpus) {
      if (cur === nvcpus) break;
      if (v.online) continue;
      v.online = true;
      if (hotpluggable) {
        v.hotpluggable = true;
        cfg.individual = true;
      }
      cur++;
    }
  } else {
    for (let i = cfg.vcpus.length - 1; i >= 0 && cur > nvcpus; i--) {
      const v = cfg.vcpus[i];
      if (!v.online) continue;
      v.online = false;
      v.hotpluggable = true;
      cur--;
    }
  }
}

/**
 * Refuses a `setVcpu` selection the configuration cannot take: vCPU 0, or a vCPU followed by
 * online non-hotpluggable vCPUs (those must stay clustered from vCPU 0).
 *
 * @example
 * ```ts
 * import { validateVcpuConfig } from "./config.ts";
 * import type { VcpuConfig } from "./config.ts";
 * declare const cfg: VcpuConfig;
 * validateVcpuConfig(cfg, [3]);
 * ```
 */
export function validateVcpuConfig(cfg: VcpuConfig, selected: number[]): void {
  const map = new Set(selected);
  if (map.has(0)) throw VirError.report("QEMU", "INVALID_ARG", "vCPU '0' can't be modified");
  const first = Math.min(...map);
  for (let i = first + 1; i < cfg.vcpus.length; i++) {
    if (map.has(i)) continue;
    const v = cfg.vcpus[i];
    if (v.online && !v.hotpluggable) {
      throw VirError.report(
        "QEMU",
        "INVALID_ARG",
        `vcpu '${first}' can't be modified as it is followed by non-hotpluggable online vcpus`,
      );
    }
  }
}

/**
 * Enables or disables the selected vCPUs in the configuration; they become hotpluggable and
 * `<vcpus>` is formatted from now on. Orders are cleared.
 *
 * @example
 * ```ts
 * import { setVcpuConfig } from "./config.ts";
 * import type { VcpuConfig } from "./config.ts";
 * declare const cfg: VcpuConfig;
 * setVcpuConfig(cfg, [3], true);
 * ```
 */
export function setVcpuConfig(cfg: VcpuConfig, selected: number[], state: boolean): void {
  cfg.individual = true;
  clearOrder(cfg);
  for (const i of selected) {
    const v = cfg.vcpus[i];
    if (!v) continue;
    v.online = state;
    v.hotpluggable = true;
  }
}

/**
 * Changes the maximum vCPU count; new vCPUs are offline and hotpluggable, dropped ones take
 * their online state with them. Orders are cleared.
 *
 * @example
 * ```ts
 * import { setVcpusMaxConfig } from "./config.ts";
 * import type { VcpuConfig } from "./config.ts";
 * declare const cfg: VcpuConfig;
 * setVcpusMaxConfig(cfg, 8);
 * ```
 */
export function setVcpusMaxConfig(cfg: VcpuConfig, max: number): void {
  clearOrder(cfg);
  cfg.vcpus.length = Math.min(cfg.vcpus.length, max);
  while (cfg.vcpus.length < max) {
    cfg.vcpus.push({ online: false, hotpluggable: true, order: 0, priv: emptyPrivate() });
  }
}
