import type { DomainRef } from "../util/driver.ts";
import { Handle, type HandleOwner } from "./handle.ts";

/**
 * What a snapshot and a checkpoint handle share: a name within a domain, whose calls go to the
 * connection's driver with the domain's reference.
 */
export abstract class DomainChildHandle extends Handle<DomainRef> {
  /** The object's name (`virDomainSnapshotGetName`, `virDomainCheckpointGetName`). */
  readonly name: string;

  /** A handle on object `name` of `dom`'s domain, calling `owner`'s driver. */
  constructor(owner: HandleOwner, dom: DomainRef, name: string) {
    super(owner, dom);
    this.name = name;
  }

  /**
   * The reference of the domain the object belongs to (`virDomainSnapshotGetDomain`,
   * `virDomainCheckpointGetDomain`).
   */
  get domainRef(): DomainRef {
    return this.ref;
  }
}
