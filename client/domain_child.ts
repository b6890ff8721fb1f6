import type { DomainRef } from "../util/driver.ts";
import { VirError } from "../util/errors.ts";
import { Handle, type HandleOwner } from "./handle.ts";
import { exclusiveFlags } from "./invoke.ts";

/** Two flags that exclude each other: their values and their C constant names. */
export type ExclusiveFlags = readonly [a: number, b: number, aName: string, bName: string];

/**
 * What a snapshot and a checkpoint handle share: a name within a domain, whose calls go to the
 * connection's driver with the domain's reference, and libvirt's checks before the XML and the
 * delete calls.
 */
export abstract class DomainChildHandle extends Handle<DomainRef> {
  /** The object's name (`virDomainSnapshotGetName`, `virDomainCheckpointGetName`). */
  readonly name: string;

  /** A handle on object `name` of `dom`'s domain, calling `owner`'s driver. */
  constructor(
    owner: HandleOwner,
    family: "DOMAIN_SNAPSHOT" | "DOMAIN_CHECKPOINT",
    dom: DomainRef,
    name: string,
  ) {
    super(owner, family, dom);
    this.name = name;
  }

  /**
   * The reference of the domain the object belongs to (`virDomainSnapshotGetDomain`,
   * `virDomainCheckpointGetDomain`).
   */
  get domainRef(): DomainRef {
    return this.ref;
  }

  /** `api`'s XML call `get`; the `secure` flag in `flags` is refused on a read-only connection. */
  protected xmlDesc(
    api: string,
    secure: number,
    flags: number,
    get: () => Promise<string>,
  ): Promise<string> {
    if (this.owner.readonly && (flags & secure)) {
      return Promise.reject(
        VirError.report(this.family, "OPERATION_DENIED", `${api} with secure flag`),
      );
    }
    return get();
  }

  /** Mutating call `run` of `api`: libvirt's read-only check, then the `exclusive` flags. */
  protected mutateExclusive(
    api: string,
    flags: number,
    exclusive: ExclusiveFlags,
    run: () => Promise<void>,
  ): Promise<void> {
    try {
      this.denyReadOnly(api);
      exclusiveFlags(flags, ...exclusive, this.family);
    } catch (e) {
      return Promise.reject(e);
    }
    return run();
  }
}
