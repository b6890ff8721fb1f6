/**
 * What the snapshot and checkpoint calls of the test driver share: finding a moment by name
 * with libvirt's not-found errors, parsing an embedded domain as the test driver's xmlopt does,
 * and the capture of a domain's current definition.
 *
 * @module
 */
import type { DomainDef } from "../../conf/domain/def.ts";
import { VirError } from "../../util/errors.ts";
import { parseTestDomain } from "./conf_adapters.ts";
import type { Moment, MomentLike, MomentList } from "../../conf/objects/moment_list.ts";

/**
 * testSnapObjFromName / testCheckpointObjFromName.
 *
 * @example
 * ```ts
 * import { momentByName } from "./moment_access.ts";
 * declare const obj: import("./driver_state.ts").TestDomainObj;
 * momentByName(obj.snapshots, "s1", "snapshot");
 * ```
 */
export function momentByName<D extends MomentLike>(
  list: MomentList<D>,
  name: string,
  kind: "snapshot" | "checkpoint",
): Moment<D> {
  const found = list.find(name);
  if (found) return found;
  throw VirError.report(
    "TEST",
    kind === "snapshot" ? "NO_DOMAIN_SNAPSHOT" : "NO_DOMAIN_CHECKPOINT",
    `no domain ${kind} with matching name '${name}'`,
  );
}

/**
 * The test driver's domain parser for a redefined moment's `<domain>` (its post-parse
 * callbacks included).
 *
 * @example
 * ```ts
 * import { parseMomentDomain } from "./moment_access.ts";
 * parseMomentDomain("<domain type='test'><name>a</name><memory>1</memory><os><type>hvm</type></os></domain>");
 * ```
 */
export function parseMomentDomain(xml: string): DomainDef {
  return parseTestDomain(xml, false);
}

/**
 * virDomainDefCopy of the domain's current definition, as an inactive one.
 *
 * @example
 * ```ts
 * import { captureDomain } from "./moment_access.ts";
 * declare const def: import("../../conf/domain/def.ts").DomainDef;
 * captureDomain(def).id; // -1
 * ```
 */
export function captureDomain(def: DomainDef): DomainDef {
  const copy = structuredClone(def);
  copy.id = -1;
  return copy;
}
