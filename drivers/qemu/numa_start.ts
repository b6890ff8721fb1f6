/**
 * libvirt's start-time checks of a domain's NUMA placement: an automatic placement needs numad's
 * advice (`qemuProcessPrepareDomainNUMAPlacement`), which edgevirt has no numad to ask, so it is
 * refused as libvirt refuses it on a host without numad; a node set must name host nodes
 * (`qemuBuildMemoryBackendProps` / `qemuBuildNumaCommandLine`).
 *
 * @module
 */
import type { DomainDef } from "../../conf/domain/def.ts";
import { needsPlacementAdvice, numatuneNodesets } from "../../conf/domain/numatune_nodes.ts";
import { VirError } from "../../util/errors.ts";
import { checkNodesetAvailable } from "../../util/numa_nodes.ts";

/**
 * Refuses a `placement='auto'` of the vCPUs or of `<numatune><memory>`.
 *
 * @example
 * ```ts
 * import { refuseAutoPlacement } from "./numa_start.ts";
 * import type { DomainDef } from "../../conf/domain/def.ts";
 * declare const def: DomainDef; // <vcpu placement='auto'>2</vcpu>
 * refuseAutoPlacement(def); // throws "operation failed: Failed to query numad for the advisory nodeset"
 * ```
 */
export function refuseAutoPlacement(def: DomainDef): void {
  if (needsPlacementAdvice(def)) {
    throw VirError.report(
      "NONE",
      "OPERATION_FAILED",
      "Failed to query numad for the advisory nodeset",
    );
  }
}

/**
 * Refuses the first `<numatune>` node the host lacks, the domain's nodes first, then each
 * cell's.
 *
 * @example
 * ```ts
 * import { checkNumatuneNodes } from "./numa_start.ts";
 * import type { DomainDef } from "../../conf/domain/def.ts";
 * declare const def: DomainDef; // <numatune><memory nodeset='7'/></numatune>
 * checkNumatuneNodes(def); // throws "unsupported configuration: NUMA node 7 is unavailable"
 * ```
 */
export function checkNumatuneNodes(def: DomainDef): void {
  for (const nodes of numatuneNodesets(def)) checkNodesetAvailable(nodes);
}
