/**
 * Which hotpluggable entities a live vCPU change touches
 * (`qemuDomainSelectHotplugVcpuEntities`, `qemuDomainFilterHotplugVcpuEntities`).
 *
 * @module
 */
import { VirError } from "../../../util/errors.ts";
import type { LiveVcpus } from "./types.ts";
import { countOnline } from "./vcpu_model.ts";

const GRANULARITY = "target vm vcpu granularity does not allow the desired vcpu count";

/**
 * The first vCPUs of the entities to plug (lowest first) or unplug (highest first, only
 * those with an alias) to reach `nvcpus` online vCPUs.
 *
 * @example
 * ```ts
 * import { selectHotplugVcpuEntities } from "./select.ts";
 * import type { LiveVcpus } from "./types.ts";
 * declare const vm: LiveVcpus;
 * const { entities, enable } = selectHotplugVcpuEntities(vm, 3);
 * ```
 */
export function selectHotplugVcpuEntities(
  vm: LiveVcpus,
  nvcpus: number,
): { entities: number[]; enable: boolean } {
  let cur = countOnline(vm.vcpus);
  const entities: number[] = [];
  const enable = nvcpus > cur;
  if (enable) {
    for (let i = 0; i < vm.vcpus.length && cur < nvcpus; i++) {
      const v = vm.vcpus[i];
      if (v.online || v.priv.vcpus === 0) continue;
      cur += v.priv.vcpus;
      if (cur > nvcpus) throw VirError.report("QEMU", "CONFIG_UNSUPPORTED", GRANULARITY);
      entities.push(i);
    }
  } else {
    for (let i = vm.vcpus.length - 1; i >= 0 && cur > nvcpus; i--) {
      const v = vm.vcpus[i];
      if (!v.online || v.priv.vcpus === 0 || !v.priv.alias) continue;
      cur -= v.priv.vcpus;
      if (cur < nvcpus) throw VirError.report("QEMU", "CONFIG_UNSUPPORTED", GRANULARITY);
      entities.push(i);
    }
  }
  if (cur !== nvcpus) {
    throw VirError.report(
      "QEMU",
      "CONFIG_UNSUPPORTED",
      "failed to find appropriate hotpluggable vcpus to reach the desired target vcpu count",
    );
  }
  return { entities, enable };
}

/**
 * Checks a `setVcpu` selection against the live state and reduces it to entity starts: each
 * selected vCPU must change state, and every entity must be selected whole.
 *
 * @example
 * ```ts
 * import { filterHotplugVcpuEntities } from "./select.ts";
 * import type { LiveVcpus } from "./types.ts";
 * declare const vm: LiveVcpus;
 * const starts = filterHotplugVcpuEntities(vm, [7], true);
 * ```
 */
export function filterHotplugVcpuEntities(
  vm: LiveVcpus,
  selected: number[],
  state: boolean,
): number[] {
  const map = new Set(selected.filter((i) => i < vm.vcpus.length));
  for (const i of [...map].sort((a, b) => a - b)) {
    const v = vm.vcpus[i];
    if (v.online === state) {
      throw VirError.report("QEMU", "INVALID_ARG", `vcpu '${i}' is already in requested state`);
    }
    // libvirt 9.0 also means to refuse non-hotpluggable online vCPUs here, but its tristate
    // test never matches: such a vCPU fails later, as "vcpu 'N' can't be unplugged".
  }
  const starts: number[] = [];
  for (const i of [...map].sort((a, b) => a - b)) {
    if (!map.has(i)) continue;
    const n = vm.vcpus[i].priv.vcpus;
    if (n === 0) {
      throw VirError.report(
        "QEMU",
        "INVALID_ARG",
        `vcpu '${i}' belongs to a larger hotpluggable entity, but siblings were not selected`,
      );
    }
    for (let j = i + 1; j < i + n; j++) {
      if (!map.has(j)) {
        throw VirError.report(
          "QEMU",
          "INVALID_ARG",
          `vcpu '${j}' was not selected but it belongs to hotpluggable entity '${i}-${
            i + n - 1
          }' which was partially selected`,
        );
      }
      map.delete(j);
    }
    starts.push(i);
  }
  return starts;
}
