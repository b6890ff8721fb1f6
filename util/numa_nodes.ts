/**
 * The host's NUMA nodes as libvirt's `virNumaNodesetIsAvailable` checks a requested node set
 * against them (`/sys/devices/system/node/nodeN`, as libnuma's `numa_nodes_ptr` holds them),
 * and those with memory.
 *
 * @module
 */
import { VirError } from "./errors.ts";

/**
 * The host's nodes with memory (`virNumaGetHostMemoryNodeset`), as a node list; undefined where
 * the kernel has no NUMA support (libvirt's `virNumaIsAvailable`).
 *
 * @example
 * ```ts
 * import { hostMemoryNodes } from "./numa_nodes.ts";
 * hostMemoryNodes(); // "0" on a one-node host
 * ```
 */
export function hostMemoryNodes(): string | undefined {
  try {
    return Deno.readTextFileSync("/sys/devices/system/node/has_memory").trim();
  } catch {
    return undefined;
  }
}

/**
 * Refuses the first node of `nodes` the host lacks with libvirt's error
 * (`VIR_ERR_CONFIG_UNSUPPORTED` from `VIR_FROM_NONE`).
 *
 * @example
 * ```ts
 * import { checkNodesetAvailable } from "./numa_nodes.ts";
 * checkNodesetAvailable([0]); // throws "NUMA node 0 is unavailable" only on a host without it
 * ```
 */
export function checkNodesetAvailable(nodes: Iterable<number>): void {
  for (const node of nodes) {
    try {
      Deno.statSync(`/sys/devices/system/node/node${node}`);
    } catch {
      throw VirError.report("NONE", "CONFIG_UNSUPPORTED", `NUMA node ${node} is unavailable`);
    }
  }
}
